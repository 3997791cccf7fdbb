package io.contactaudit.evaluate;

import io.contactaudit.ProductVersion;
import io.contactaudit.kafka.TopicSpec;
import io.contactaudit.kafka.Topics;
import io.contactaudit.rule.Profile;
import io.contactaudit.siem.OcsfComplianceFinding;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The "evaluate" topology: snapshots in; findings, OCSF findings, drift, posture and dead letters out. A pure
 * function of its arguments; every node and the one state store are named, so the changelog topic is
 * {@code <application.id>-posture-store-changelog}.
 *
 * <pre>
 * snapshots-source (key String, value bytes)
 *   └─ decode-snapshots ──────────────────────────────── dlq-sink            undecodable or invalid input, whole
 *        └─ evaluate-snapshots [posture-store] ───────── findings-sink, drift-sink, posture-sink, dlq-sink
 *             └─ map-ocsf ────────────────────────────── findings-ocsf-sink
 *
 * exceptions-source (global) ─ update-exceptions [exceptions-store]   read by evaluate-snapshots
 * </pre>
 *
 * Values are read as bytes and decoded by {@value #DECODE}, so that an undecodable record goes to the
 * dead-letter topic whole, with its cause, and the next record is processed. A snapshot in the current encoding is read
 * in place there: its framing checked (as strictly as Avro's reader reads) and its head decoded; the rest is decoded
 * in {@value #EVALUATE}, only when the rule runs on it ({@link DecodedSnapshot}). {@value #EVALUATE} keeps the posture
 * of each subscription ({@link PostureStore}), decides what follows each snapshot ({@link PostureMachine}) and runs
 * the staleness pass. A posture is encoded once, with the posture topic's serializer: the store, its changelog and
 * the posture topic hold the same bytes.
 *
 * <p>The exceptions are a global store, whole on every instance (they are few, and their keys are scopes, not
 * subscriptions: they cannot be co-partitioned with the snapshots); {@value #EVALUATE} reads it at each snapshot and,
 * once a second, applies what changed and what expired ({@link ExceptionBook}). It is in memory, read again from the
 * compacted topic at every start.
 */
public final class EvaluateTopology {

    public static final String SOURCE = "snapshots-source";
    public static final String DECODE = "decode-snapshots";
    public static final String EVALUATE = "evaluate-snapshots";
    public static final String MAP_OCSF = "map-ocsf";
    public static final String STORE = "posture-store";
    public static final String FINDINGS_SINK = "findings-sink";
    public static final String FINDINGS_OCSF_SINK = "findings-ocsf-sink";
    public static final String DRIFT_SINK = "drift-sink";
    public static final String POSTURE_SINK = "posture-sink";
    public static final String DLQ_SINK = "dlq-sink";
    public static final String EXCEPTIONS_SOURCE = "exceptions-source";
    public static final String EXCEPTIONS_UPDATE = "update-exceptions";
    public static final String EXCEPTIONS_STORE = "exceptions-store";

    /** Which evaluations emit a finding (Avro and OCSF). */
    public enum Emission {
        /** Every evaluation. */
        EVERY,
        /**
         * A new subscription, a change of what a finding shows (verdict, reasons, contacts, rule version, profile,
         * tenant), any drift, a closed subscription; and an unchanged finding again once per refresh interval.
         */
        CHANGES
    }

    /** Where the posture store keeps its data; either way its changelog is the same topic and holds the same records. */
    public enum StoreKind {
        /** RocksDB on local disk ({@code state.dir}): restarts with local state read only the changelog's tail. */
        ROCKSDB,
        /** The heap: no RocksDB reads and writes, but the whole changelog is read at every start, and the heap holds every posture. */
        MEMORY
    }

    /**
     * What the topology decides with.
     *
     * @param profile            rule profile
     * @param staleAfter         a subscription with no snapshot for this long is flagged STALE (default 3× the collection interval)
     * @param staleCheckInterval how often the wall-clock check runs
     * @param redaction          how e-mail recipients appear on the OCSF topic
     * @param emission           which evaluations emit a finding
     * @param refresh            with {@link Emission#CHANGES}: an unchanged finding is emitted again once per this interval
     * @param store              where the posture store keeps its data
     */
    public record Settings(
            Profile profile,
            Duration staleAfter,
            Duration staleCheckInterval,
            OcsfComplianceFinding.Redaction redaction,
            Emission emission,
            Duration refresh,
            StoreKind store) {
        /** No redaction; a finding per evaluation. */
        public Settings(Profile profile, Duration staleAfter, Duration staleCheckInterval) {
            this(profile, staleAfter, staleCheckInterval, OcsfComplianceFinding.Redaction.NONE);
        }

        /** A finding per evaluation. */
        public Settings(
                Profile profile,
                Duration staleAfter,
                Duration staleCheckInterval,
                OcsfComplianceFinding.Redaction redaction) {
            this(
                    profile,
                    staleAfter,
                    staleCheckInterval,
                    redaction,
                    Emission.EVERY,
                    Duration.ofDays(1),
                    StoreKind.ROCKSDB);
        }

        public Settings {
            if (staleAfter.isNegative() || staleAfter.isZero()) {
                throw new IllegalArgumentException("the staleness window must be positive, got " + staleAfter);
            }
            if (staleCheckInterval.toMillis() < 1) {
                throw new IllegalArgumentException(
                        "the staleness check interval must be at least 1 ms, got " + staleCheckInterval);
            }
            if (refresh.toMillis() < 1) {
                throw new IllegalArgumentException(
                        "the findings refresh interval must be at least 1 ms, got " + refresh);
            }
        }

        /** The same settings with another emission policy. */
        public Settings withEmission(Emission emission, Duration refresh) {
            return new Settings(profile, staleAfter, staleCheckInterval, redaction, emission, refresh, store);
        }

        /** The same settings with the posture store kept elsewhere. */
        public Settings withStore(StoreKind store) {
            return new Settings(profile, staleAfter, staleCheckInterval, redaction, emission, refresh, store);
        }
    }

    private EvaluateTopology() {}

    /** Builds the topology; nothing tells a quiet task from a caught-up one (the topology test driver, tools). */
    public static Topology build(Topics topics, Settings settings) {
        return build(topics, settings, BacklogProbe.UNKNOWN);
    }

    /** Builds the topology; {@code backlog} tells the staleness pass where records wait unfetched. */
    public static Topology build(Topics topics, Settings settings, BacklogProbe backlog) {
        return build(topics, settings, EvaluateSnapshots.SCAN_SLICE, backlog);
    }

    /** Builds the topology with another length of the staleness pass's slices (tests). */
    static Topology build(Topics topics, Settings settings, Duration scanSlice) {
        return build(topics, settings, scanSlice, BacklogProbe.UNKNOWN);
    }

    private static Topology build(Topics topics, Settings settings, Duration scanSlice, BacklogProbe backlog) {
        OcsfComplianceFinding ocsf = new OcsfComplianceFinding(
                ProductVersion.get(),
                settings.redaction(),
                topics.findingsOcsf().name());
        Topology topology = new Topology();
        AtomicLong exceptionChanges = new AtomicLong(); // the global store's writes, seen by every task of the instance
        topology.addSource(
                SOURCE,
                topics.snapshots().key().deserializer(),
                Serdes.ByteArray().deserializer(),
                topics.snapshots().name());
        topology.addProcessor(
                DECODE, () -> new DecodeSnapshots(topics.snapshots().value()), SOURCE);
        topology.addProcessor(
                EVALUATE,
                () -> new EvaluateSnapshots(
                        settings,
                        topics.posture(),
                        topics.exceptions(),
                        scanSlice,
                        topics.snapshots().name(),
                        backlog,
                        exceptionChanges),
                DECODE);
        topology.addStateStore(
                Stores.keyValueStoreBuilder(
                        settings.store() == StoreKind.MEMORY
                                ? Stores.inMemoryKeyValueStore(STORE)
                                : Stores.persistentKeyValueStore(STORE),
                        Serdes.String(),
                        Serdes.ByteArray()),
                EVALUATE);
        topology.addGlobalStore(
                Stores.keyValueStoreBuilder(
                                Stores.inMemoryKeyValueStore(EXCEPTIONS_STORE), Serdes.String(), Serdes.ByteArray())
                        .withLoggingDisabled(),
                EXCEPTIONS_SOURCE,
                Serdes.String().deserializer(),
                Serdes.ByteArray().deserializer(),
                topics.exceptions().name(),
                EXCEPTIONS_UPDATE,
                () -> new UpdateExceptions(exceptionChanges));
        topology.addProcessor(MAP_OCSF, () -> new MapOcsf(ocsf), EVALUATE);
        sink(topology, FINDINGS_SINK, topics.findings(), EVALUATE);
        sink(topology, FINDINGS_OCSF_SINK, topics.findingsOcsf(), MAP_OCSF);
        sink(topology, DRIFT_SINK, topics.drift(), EVALUATE);
        sink(topology, POSTURE_SINK, topics.posture().encoded(), EVALUATE);
        sink(topology, DLQ_SINK, topics.dlq(), DECODE, EVALUATE);
        return topology;
    }

    private static <K, V> void sink(Topology topology, String name, TopicSpec<K, V> topic, String... parents) {
        topology.addSink(
                name, topic.name(), topic.key().serializer(), topic.value().serializer(), parents);
    }
}

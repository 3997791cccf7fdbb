package io.contactaudit.evaluate;

import io.contactaudit.ProductVersion;
import io.contactaudit.evaluate.errors.DeadLetters;
import io.contactaudit.kafka.AvroSerdes;
import io.contactaudit.kafka.Topics;
import io.contactaudit.schema.DeadLetter;
import io.contactaudit.schema.DriftEvent;
import io.contactaudit.schema.DriftKind;
import io.contactaudit.schema.NormalizedContact;
import io.contactaudit.schema.PostureState;
import io.contactaudit.schema.SecurityContactSnapshot;
import io.contactaudit.schema.Verdict;
import io.contactaudit.siem.OcsfComplianceFinding;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Evaluates each snapshot against the subscription's stored posture and forwards the finding, drift
 * events, posture and dead letters to their sinks; a wall-clock punctuator flags stale subscriptions.
 * A tombstone (null value) on the snapshots topic means the subscription left the estate.
 */
final class SnapshotEvaluator implements Processor<String, byte[], Object, Object> {

    /**
     * How long one slice of the staleness pass may read the store, and how often a slice runs: at most a tenth
     * of the stream thread, and a snapshot waits at most one slice (at a million subscriptions 100 ms slices
     * each second took p99 latency from 130 to 440 ms; docs/benchmarks.md).
     */
    static final Duration SCAN_SLICE = Duration.ofMillis(20);
    static final Duration SCAN_TICK = Duration.ofMillis(200);

    private final EvaluateTopology.Settings settings;
    private final Deserializer<SecurityContactSnapshot> snapshots;
    private final String postureTopic;
    private final Serializer<PostureState> postureOut;
    private final Deserializer<PostureState> postureIn;
    private final DriftDetector detector;
    private final OcsfComplianceFinding ocsf;
    private ProcessorContext<Object, Object> context;
    private KeyValueStore<String, byte[]> store;
    private Sensor late;
    private Sensor deadLetters;
    private final Duration scanSlice;
    private String resumeAfter;
    private long passStartedAt = Long.MIN_VALUE;
    private final Map<Verdict, Sensor> findingCounters = new EnumMap<>(Verdict.class);
    private final Map<DriftKind, Sensor> driftCounters = new EnumMap<>(DriftKind.class);

    SnapshotEvaluator(Topics topics, EvaluateTopology.Settings settings, Duration scanSlice) {
        this.settings = settings;
        this.scanSlice = scanSlice;
        this.snapshots = topics.snapshots().value().deserializer();
        this.postureTopic = topics.posture().name();
        this.postureOut = topics.posture().value().serializer();
        this.postureIn = topics.posture().value().deserializer();
        this.detector = new DriftDetector(settings.profile());
        this.ocsf = new OcsfComplianceFinding(ProductVersion.get(), settings.redaction());
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.store = context.getStateStore(EvaluateTopology.STORE);
        this.late = context.metrics().addRateTotalSensor("contact-audit", "evaluate", "late-snapshots",
                Sensor.RecordingLevel.INFO);
        this.deadLetters = context.metrics().addRateTotalSensor("contact-audit", "evaluate", "dead-letters",
                Sensor.RecordingLevel.INFO);
        Duration tick = settings.staleCheckInterval().compareTo(SCAN_TICK) < 0 ? settings.staleCheckInterval() : SCAN_TICK;
        context.schedule(tick, PunctuationType.WALL_CLOCK_TIME, this::checkStale);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        long now = context.currentSystemTimeMs();
        String key = record.key() == null ? null : record.key().toLowerCase(Locale.ROOT);
        if (record.value() == null) {
            if (key == null || key.isBlank()) {
                deadLetter(record, DeadLetters.Stage.VALIDATION,
                        new IllegalArgumentException("a tombstone without a key: no subscription to remove"), now);
                return;
            }
            apply(key, detector.onRemoved(stored(key), record.timestamp(), now), record.timestamp());
            return;
        }
        SecurityContactSnapshot snapshot;
        try {
            snapshot = snapshots.deserialize(context.recordMetadata().map(m -> m.topic()).orElse(""), record.value());
        } catch (RuntimeException e) {
            if (AvroSerdes.registryUnavailable(e)) {
                // not bad data: stop (the transaction is aborted) and process this record again once the registry is back
                throw e;
            }
            deadLetter(record, DeadLetters.Stage.DESERIALIZATION, e, now);
            return;
        }
        String invalid = validate(key, snapshot);
        if (invalid != null) {
            deadLetter(record, DeadLetters.Stage.VALIDATION, new IllegalArgumentException(invalid), now);
            return;
        }
        String sub = snapshot.getSubscriptionId().toLowerCase(Locale.ROOT);
        DriftDetector.Outcome outcome;
        try {
            outcome = detector.onSnapshot(stored(sub), snapshot, now);
        } catch (RuntimeException e) {
            if (AvroSerdes.registryUnavailable(e)) {
                throw e;
            }
            deadLetter(record, DeadLetters.Stage.PROCESSING, e, now);
            return;
        }
        if (outcome.finding() == null) {
            late.record();
        }
        apply(sub, outcome, record.timestamp());
    }

    private static String validate(String key, SecurityContactSnapshot snapshot) {
        String sub = snapshot.getSubscriptionId();
        if (sub == null || sub.isBlank()) {
            return "the snapshot has no subscriptionId";
        }
        if (key != null && !key.equalsIgnoreCase(sub)) {
            return "the record key '" + key + "' is not the snapshot's subscriptionId '" + sub + "'";
        }
        if (snapshot.getCollectedAt() == null) {
            return "the snapshot has no collectedAt";
        }
        return null;
    }

    private void apply(String sub, DriftDetector.Outcome outcome, long timestamp) {
        if (outcome.finding() != null) {
            findingCounters.computeIfAbsent(outcome.finding().getVerdict(),
                    v -> counter("findings-" + v.name().toLowerCase(Locale.ROOT))).record();
            context.forward(new Record<>(sub, outcome.finding(), timestamp), EvaluateTopology.FINDINGS_SINK);
            List<NormalizedContact> contacts = outcome.posture() == null ? List.of() : outcome.posture().getContacts();
            byte[] event = ocsf.encode(outcome.finding(), contacts, outcome.drift().stream().map(DriftEvent::getKind).toList());
            context.forward(new Record<>(outcome.finding().getFindingId(), event, timestamp), EvaluateTopology.FINDINGS_OCSF_SINK);
        }
        for (DriftEvent event : outcome.drift()) {
            driftCounters.computeIfAbsent(event.getKind(),
                    k -> counter("drift-" + k.name().toLowerCase(Locale.ROOT).replace('_', '-'))).record();
            context.forward(new Record<>(sub, event, timestamp), EvaluateTopology.DRIFT_SINK);
        }
        if (outcome.posture() == null) {
            if (store.delete(sub) != null && outcome.emitPosture()) {
                context.forward(new Record<>(sub, null, timestamp), EvaluateTopology.POSTURE_SINK);
            }
            return;
        }
        byte[] posture = postureOut.serialize(postureTopic, outcome.posture());
        store.put(sub, posture);
        if (outcome.emitPosture()) {
            context.forward(new Record<>(sub, posture, timestamp), EvaluateTopology.POSTURE_SINK);
        }
    }

    private PostureState stored(String sub) {
        byte[] bytes = store.get(sub);
        return bytes == null ? null : postureIn.deserialize(postureTopic, bytes);
    }

    /** A rate/total sensor: contact_audit_<name>_total on /metrics. */
    private Sensor counter(String name) {
        return context.metrics().addRateTotalSensor("contact-audit", "evaluate", name, Sensor.RecordingLevel.INFO);
    }

    /**
     * One slice of the staleness pass: a pass over the whole store starts every stale.check.interval and runs
     * in slices of at most {@link #SCAN_SLICE} (20 ms) each, resuming after the last key seen. A store of a million
     * subscriptions takes seconds to read; in one go it would hold the open transaction past its timeout.
     */
    private void checkStale(long now) {
        if (resumeAfter == null) {
            if (passStartedAt == Long.MIN_VALUE) {
                passStartedAt = now; // the first pass starts an interval after the first tick, as each later one after the one before
                return;
            }
            if (now - passStartedAt < settings.staleCheckInterval().toMillis()) {
                return;
            }
            passStartedAt = now;
        }
        long deadline = System.nanoTime() + scanSlice.toNanos();
        List<KeyValue<String, DriftDetector.Outcome>> flagged = new ArrayList<>();
        String last = null;
        boolean more = false;
        try (KeyValueIterator<String, byte[]> entries = resumeAfter == null ? store.all() : store.range(resumeAfter, null)) {
            while (entries.hasNext()) {
                KeyValue<String, byte[]> entry = entries.next();
                if (entry.key.equals(resumeAfter)) {
                    continue;
                }
                DriftDetector.Outcome outcome = detector.onClock(postureIn.deserialize(postureTopic, entry.value), now, settings.staleAfter());
                if (outcome != null) {
                    flagged.add(KeyValue.pair(entry.key, outcome));
                }
                last = entry.key;
                if (System.nanoTime() > deadline) {
                    more = entries.hasNext();
                    break;
                }
            }
        }
        resumeAfter = more ? last : null;
        flagged.forEach(kv -> apply(kv.key, kv.value, now));
    }

    private void deadLetter(Record<String, byte[]> record, DeadLetters.Stage stage, Throwable error, long now) {
        byte[] key = record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8);
        DeadLetter letter = DeadLetters.of(context.recordMetadata().orElse(null), record.timestamp(), key,
                record.value(), stage, error, context.applicationId(), now);
        deadLetters.record();
        context.forward(new Record<>(key, letter, record.timestamp()), EvaluateTopology.DLQ_SINK);
    }

}

package io.contactaudit.evaluate;

import io.contactaudit.Sha256;
import io.contactaudit.evaluate.errors.DeadLetters;
import io.contactaudit.kafka.AvroSerdes;
import io.contactaudit.kafka.TopicSpec;
import io.contactaudit.schema.ComplianceException;
import io.contactaudit.schema.DriftEvent;
import io.contactaudit.schema.DriftKind;
import io.contactaudit.schema.NormalizedContact;
import io.contactaudit.schema.PostureState;
import io.contactaudit.schema.Verdict;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.Value;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@value EvaluateTopology#EVALUATE}: runs each decoded snapshot through the {@link PostureMachine} against the
 * subscription's stored posture ({@link PostureStore}), stores the new posture and forwards what follows: the finding,
 * when there is one to emit (to the findings sink and to {@value EvaluateTopology#MAP_OCSF}), drift events, and the
 * posture when a reader of its topic sees a change. A wall-clock punctuator runs the staleness pass over an in-memory
 * {@link PostureIndex}, which it first fills from the store, a slice at a time, after the task starts; the pass reads
 * the store only for the subscriptions that are due. An evaluation that throws on a valid snapshot is a dead letter (stage
 * PROCESSING); a snapshot read in place whose bytes do not decode whole when the rule is to run on it, one of stage
 * DESERIALIZATION.
 */
final class EvaluateSnapshots implements Processor<String, DecodedSnapshot, Object, Object> {

    /**
     * How long one slice of the staleness pass may take, and how often a slice runs: at most a tenth of the stream
     * thread, and a snapshot waits at most one slice (at a million subscriptions 100 ms slices each second took p99
     * latency from 130 to 440 ms when the pass read the store; docs/benchmarks.md). Slices matter when many
     * subscriptions go stale at once (a dead collector): each one flagged is a store read, a write and a drift event.
     */
    static final Duration SCAN_SLICE = Duration.ofMillis(20);

    static final Duration SCAN_TICK = Duration.ofMillis(200);
    /** How often the exceptions are read again for changes and expiries: an expired waiver re-opens its finding within this. */
    static final Duration EXCEPTIONS_TICK = Duration.ofSeconds(1);
    /** A task whose staleness clock trails the wall clock by more than this says so in the log. */
    static final Duration BACKLOG_LOG = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(EvaluateSnapshots.class);

    private final EvaluateTopology.Settings settings;
    private final TopicSpec<String, PostureState> posture;
    private final PostureMachine machine;
    private final Duration scanSlice;
    private ProcessorContext<Object, Object> context;
    private PostureStore store;
    private DeadLetterOutput deadLetters;
    private Sensor late;
    private Sensor evaluations;
    private long passStartedAt;
    private boolean scanning;
    private PostureIndex index;
    private boolean building;
    private String builtUpTo;
    private final MessageDigest sha256 = Sha256.digest();
    private StalenessClock clock;
    private final String snapshotsTopic;
    private final BacklogProbe backlog;
    private TopicPartition partition;
    private Sensor behind;
    private boolean catchingUp;
    private final Map<Verdict, Sensor> findingCounters = new EnumMap<>(Verdict.class);
    private final Map<DriftKind, Sensor> driftCounters = new EnumMap<>(DriftKind.class);
    private final TopicSpec<String, ComplianceException> exceptionsTopic;
    private ExceptionBook exceptions;
    private ReadOnlyKeyValueStore<String, byte[]> exceptionStore;
    private final Set<String> exceptionsChanged = new HashSet<>();
    private final AtomicLong exceptionStoreChanges;
    private long exceptionStoreRead = -1;

    EvaluateSnapshots(
            EvaluateTopology.Settings settings,
            TopicSpec<String, PostureState> posture,
            TopicSpec<String, ComplianceException> exceptionsTopic,
            Duration scanSlice,
            String snapshotsTopic,
            BacklogProbe backlog,
            AtomicLong exceptionStoreChanges) {
        this.settings = settings;
        this.exceptionStoreChanges = exceptionStoreChanges;
        this.posture = posture;
        this.snapshotsTopic = snapshotsTopic;
        this.backlog = backlog;
        this.scanSlice = scanSlice;
        this.machine = new PostureMachine(settings.profile(), settings.emission(), settings.refresh());
        this.exceptionsTopic = exceptionsTopic;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.store = new PostureStore(context.getStateStore(EvaluateTopology.STORE), posture);
        this.deadLetters = new DeadLetterOutput(context);
        this.late = counter("late-snapshots");
        this.partition = new TopicPartition(snapshotsTopic, context.taskId().partition());
        this.evaluations = counter("evaluations");
        this.behind = context.metrics()
                .addSensor("contact-audit.staleness-behind." + context.taskId(), Sensor.RecordingLevel.INFO);
        behind.add(
                new MetricName(
                        "staleness-behind-seconds",
                        "stream-contact-audit-metrics",
                        "How far the time staleness is judged at trails the wall clock: the task is reading a backlog",
                        Map.of(
                                "thread-id",
                                Thread.currentThread().getName(),
                                "task-id",
                                context.taskId().toString())),
                new Value());
        // Everything a task knows of its partition starts again here: Kafka Streams calls init() again on the same
        // processor when a suspended task is resumed (a rebalance revoked its partition and gave it back, while another
        // instance may have processed it in between). A staleness clock kept from before would take the time since its
        // last read for idleness and, with a lag metric of the partition from before the revocation, judge the
        // subscriptions at the wall clock before their newer snapshots were read: a burst of false STALEs.
        clock = new StalenessClock();
        passStartedAt = Long.MIN_VALUE;
        scanning = false;
        catchingUp = false;
        // and every exception is read again, each of its subscriptions checked at the first tick: what was applied
        // before may have been rolled back with the store; those of the exceptions known before too, as one may have
        // been removed while the task was away
        exceptionsChanged.clear();
        if (exceptions != null) {
            exceptionsChanged.addAll(exceptions.subscriptions());
        }
        exceptions = new ExceptionBook(exceptionsTopic.value().deserializer(), exceptionsTopic.name());
        exceptionStoreRead = -1;
        // a new index whenever the task (re)starts: its store may have been rolled back to the last commit. It is
        // filled from the store by the punctuator, a slice at a time, while snapshots are processed: reading a million
        // postures at once would hold the task back for seconds before it processes anything
        index = new PostureIndex();
        building = true;
        builtUpTo = null;
        Duration tick =
                settings.staleCheckInterval().compareTo(SCAN_TICK) < 0 ? settings.staleCheckInterval() : SCAN_TICK;
        context.schedule(tick, PunctuationType.WALL_CLOCK_TIME, this::checkStale);
        // the global store is whole before any task starts: snapshots are judged with every exception from the first;
        // what changed while the task was away (an expiry, a revocation) is applied at the first tick
        exceptionStore = context.getStateStore(EvaluateTopology.EXCEPTIONS_STORE);
        readExceptions(context.currentSystemTimeMs());
        context.schedule(EXCEPTIONS_TICK, PunctuationType.WALL_CLOCK_TIME, this::checkExceptions);
    }

    /**
     * Applies to the subscriptions of this task what changed in their exceptions, and which expired, since the last
     * tick: a FAIL becomes suppressed, or no longer ({@link PostureMachine#onExceptions}).
     */
    private void checkExceptions(long now) {
        readExceptions(now);
        for (String sub : exceptionsChanged) {
            PostureState state = store.get(sub);
            if (state != null) {
                PostureMachine.Outcome outcome = machine.onExceptions(state, exceptions.of(sub), now);
                if (outcome != null) {
                    apply(sub, outcome, now);
                }
            }
        }
        exceptionsChanged.clear();
    }

    /**
     * Takes in the exceptions store as it is now, reading it again only when its updater wrote to it since the last
     * read: what changed, or expired by {@code now}, waits for the next tick.
     */
    private void readExceptions(long now) {
        long changes = exceptionStoreChanges.get(); // before the read: a write during it is read again
        if (changes != exceptionStoreRead) {
            exceptionStoreRead = changes;
            exceptionsChanged.addAll(exceptions.refresh(exceptionStore, now));
        } else {
            exceptionsChanged.addAll(exceptions.expired(now));
        }
    }

    @Override
    public void process(Record<String, DecodedSnapshot> record) {
        long now = context.currentSystemTimeMs();
        clock.read(record.timestamp());
        String sub = record.key();
        DecodedSnapshot input = record.value();
        if (input.removal()) {
            apply(sub, machine.onRemoved(store.get(sub), record.timestamp(), now), record.timestamp());
            return;
        }
        PostureMachine.Outcome outcome = null;
        PostureStore.InPlace inPlace = null;
        PostureMachine.Times times = null;
        long[] digest = null;
        try {
            digest = input.contentDigest(sha256);
            readExceptions(now); // an exception written since the last read: the snapshot is judged with it
            boolean sameContent = digest != null && index.sameDigest(sub, digest[0], digest[1]);
            byte[] stored = store.bytes(sub);
            Collection<ComplianceException> covering = exceptions.of(sub);
            // the same content: the posture read in place may take the new times without being decoded (its reasons
            // are read only when an exception may cover them), and the snapshot needs no more than its head
            inPlace = sameContent ? store.inPlace(stored, !covering.isEmpty()) : null;
            times = inPlace == null ? null : machine.touch(inPlace.head(), input.head(), now, true, covering);
            if (times == null) {
                outcome = machine.onSnapshot(store.decode(stored), input.snapshot(), now, sameContent, covering);
            }
        } catch (DecodedSnapshot.Undecodable e) {
            deadLetters.send(
                    input.key(), input.value(), record.timestamp(), DeadLetters.Stage.DESERIALIZATION, e.getCause());
            return;
        } catch (RuntimeException e) {
            if (AvroSerdes.registryUnavailable(e)) {
                throw e;
            }
            deadLetters.send(input.key(), input.value(), record.timestamp(), DeadLetters.Stage.PROCESSING, e);
            return;
        }
        if (times != null) {
            // the new times written into the stored bytes: no decoding, no rule, no encoding
            evaluations.record();
            stored(
                    sub,
                    store.put(sub, inPlace, times),
                    times.staleAt(settings.staleAfter()),
                    times.shown(inPlace.head()),
                    record.timestamp());
            return;
        }
        boolean evaluated = outcome.posture() != null
                && outcome.posture().getLastCollectedAt().equals(input.head().collectedAt());
        if (evaluated) {
            evaluations.record();
        } else {
            late.record();
        }
        apply(sub, outcome, record.timestamp());
        if (evaluated) {
            index.digest(sub, digest == null ? 0 : digest[0], digest == null ? 0 : digest[1]);
        }
    }

    @Override
    public void close() {
        context.metrics().removeSensor(behind);
    }

    private void apply(String sub, PostureMachine.Outcome outcome, long timestamp) {
        if (outcome.finding() != null) {
            findingCounters
                    .computeIfAbsent(
                            outcome.finding().getVerdict(),
                            v -> counter("findings-" + v.name().toLowerCase(Locale.ROOT)))
                    .record();
            context.forward(new Record<>(sub, outcome.finding(), timestamp), EvaluateTopology.FINDINGS_SINK);
            List<NormalizedContact> contacts =
                    outcome.posture() == null ? List.of() : outcome.posture().getContacts();
            MapOcsf.Input ocsf = new MapOcsf.Input(
                    outcome.finding(),
                    contacts,
                    outcome.drift().stream().map(DriftEvent::getKind).toList());
            context.forward(new Record<>(sub, ocsf, timestamp), EvaluateTopology.MAP_OCSF);
        }
        for (DriftEvent event : outcome.drift()) {
            driftCounters
                    .computeIfAbsent(
                            event.getKind(),
                            k -> counter(
                                    "drift-" + k.name().toLowerCase(Locale.ROOT).replace('_', '-')))
                    .record();
            context.forward(new Record<>(sub, event, timestamp), EvaluateTopology.DRIFT_SINK);
        }
        if (outcome.posture() == null) {
            index.remove(sub);
            if (store.delete(sub) && outcome.emitPosture()) {
                context.forward(new Record<>(sub, null, timestamp), EvaluateTopology.POSTURE_SINK);
            }
            return;
        }
        stored(
                sub,
                store.put(sub, outcome.posture()),
                PostureMachine.staleAt(outcome.posture(), settings.staleAfter()),
                outcome.emitPosture(),
                timestamp);
    }

    /**
     * A posture was stored as {@code encoded}: the index takes when it goes stale, and the posture topic the record
     * when a reader sees a change.
     */
    private void stored(String sub, byte[] encoded, long staleAt, boolean shown, long timestamp) {
        index.put(sub, staleAt);
        if (shown) {
            context.forward(new Record<>(sub, encoded, timestamp), EvaluateTopology.POSTURE_SINK);
        }
    }

    /** A rate/total sensor: contact_audit_<name>_total on /metrics. */
    private Sensor counter(String name) {
        return context.metrics().addRateTotalSensor("contact-audit", "evaluate", name, Sensor.RecordingLevel.INFO);
    }

    /**
     * One slice of the staleness pass: a pass over the index starts every stale.check.interval and runs in slices of at
     * most {@link #SCAN_SLICE} (20 ms) each, every {@link #SCAN_TICK}, resuming where the last slice stopped. It reads the
     * store only for the subscriptions whose deadline has passed.
     */
    private void checkStale(long now) {
        long judgedAt = clock.tick(now, () -> backlog.lag(partition) > 0, backlog::fetches);
        if (building) {
            build();
            if (building) {
                return; // nobody is judged before every stored posture is in the index
            }
        }
        if (judgedAt == StalenessClock.NOT_YET) {
            return;
        }
        reportBacklog(now - judgedAt);
        if (!scanning) {
            if (passStartedAt == Long.MIN_VALUE) {
                // the first pass starts an interval after the first tick, as each later one after the one before
                passStartedAt = now;
                return;
            }
            if (now - passStartedAt < settings.staleCheckInterval().toMillis()) {
                return;
            }
            passStartedAt = now;
        }
        scanning = !index.scan(judgedAt, System.nanoTime() + scanSlice.toNanos(), sub -> {
            PostureState state = store.get(sub);
            if (state == null) {
                index.remove(sub);
                return;
            }
            PostureMachine.Outcome outcome = machine.onClock(state, judgedAt, now, settings.staleAfter());
            if (outcome != null) {
                apply(sub, outcome, now);
            } else {
                index.put(sub, PostureMachine.staleAt(state, settings.staleAfter()));
            }
        });
    }

    /**
     * One slice of filling the index from the store after the task started: the postures after the last key read, for
     * at most {@link #SCAN_SLICE}. A subscription already in the index was written since, and its entry is newer.
     */
    private void build() {
        builtUpTo = store.scan(builtUpTo, scanSlice, (sub, state) -> {
            if (index.deadline(sub) == null) {
                index.put(sub, PostureMachine.staleAt(state, settings.staleAfter()));
            }
        });
        building = builtUpTo != null;
    }

    /** The lag of the staleness clock as a metric, and a line when a task starts and ends reading a backlog. */
    private void reportBacklog(long lagMillis) {
        behind.record(lagMillis / 1000.0);
        if (!catchingUp && lagMillis > BACKLOG_LOG.toMillis()) {
            catchingUp = true;
            LOG.info(
                    "task {} is reading a backlog {} s behind the wall clock: its subscriptions are judged stale against "
                            + "the snapshots read so far, not the wall clock, until it has caught up",
                    context.taskId(),
                    lagMillis / 1000);
        } else if (catchingUp && lagMillis < StalenessClock.IDLE.toMillis()) {
            catchingUp = false;
            LOG.info(
                    "task {} has caught up with its snapshots: staleness is judged against the wall clock again",
                    context.taskId());
        }
    }
}

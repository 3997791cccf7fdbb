package io.contactaudit.evaluate;

import static org.assertj.core.api.Assertions.assertThat;

import io.contactaudit.exceptions.Exceptions;
import io.contactaudit.kafka.Topics;
import io.contactaudit.rule.Profile;
import io.contactaudit.schema.ComplianceException;
import io.contactaudit.schema.DriftEvent;
import io.contactaudit.schema.DriftKind;
import io.contactaudit.schema.SecurityContactSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * A task whose partition a rebalance revoked and gave back is resumed: Kafka Streams closes its processors and calls
 * {@code init()} again on the same instances. It must judge staleness as a task that has just started (nobody until it
 * has read a record or waited {@link StalenessClock#IDLE}), not with the clock of its earlier ownership: with the lag
 * metric of before the revocation saying "caught up", that clock judged every subscription at the wall clock while
 * their newer snapshots, written meanwhile, were still unread (a burst of false STALEs after a quick rebalance).
 */
class EvaluateSnapshotsResumeTest {

    static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");
    static final String[] SUBS = {
        "0b4f7c2e-8a7d-4c11-9a3e-5f6e7d8c9b01",
        "0b4f7c2e-8a7d-4c11-9a3e-5f6e7d8c9b02",
        "0b4f7c2e-8a7d-4c11-9a3e-5f6e7d8c9b03"
    };

    final Topics topics = Topics.create(Topics.DEFAULT_PREFIX);
    final AtomicLong lag = new AtomicLong();
    final AtomicLong exceptionWrites = new AtomicLong();
    final MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
    final EvaluateSnapshots processor = new EvaluateSnapshots(
            new EvaluateTopology.Settings(Profile.DEFAULT, Duration.ofHours(1), Duration.ofMillis(250)),
            topics.posture(),
            topics.exceptions(),
            EvaluateSnapshots.SCAN_SLICE,
            topics.snapshots().name(),
            partition -> lag.get(),
            exceptionWrites);

    EvaluateSnapshotsResumeTest() {
        for (String name : List.of(EvaluateTopology.STORE, EvaluateTopology.EXCEPTIONS_STORE)) {
            KeyValueStore<String, byte[]> store = Stores.keyValueStoreBuilder(
                            Stores.inMemoryKeyValueStore(name), Serdes.String(), Serdes.ByteArray())
                    .withLoggingDisabled()
                    .build();
            store.init(context.getStateStoreContext(), store);
            context.addStateStore(store);
        }
    }

    /** A snapshot collected at {@code at}, of a collector that runs every 2 s (window 6 s). */
    void snapshot(String sub, Instant at) {
        SecurityContactSnapshot s = TestSnapshots.ok(sub, TestSnapshots.body(true, "High", "sec@contoso.com"), at);
        s.setCollectionIntervalMs(2_000L);
        processor.process(new Record<>(sub, DecodedSnapshot.of(s, new byte[0], new byte[0]), at.toEpochMilli()));
    }

    /** Runs the staleness punctuator (the wall-clock one scheduled first) at {@code at}. */
    void tick(Instant at) {
        context.setCurrentSystemTimeMs(at.toEpochMilli());
        context.scheduledPunctuators().stream()
                .filter(p -> p.getType() == PunctuationType.WALL_CLOCK_TIME
                        && p.getInterval().equals(EvaluateSnapshots.SCAN_TICK))
                .reduce((first, later) -> later) // the latest init's
                .orElseThrow()
                .getPunctuator()
                .punctuate(at.toEpochMilli());
    }

    /** Runs the exceptions punctuator (the latest init's) at {@code at}. */
    void exceptionsTick(Instant at) {
        context.setCurrentSystemTimeMs(at.toEpochMilli());
        context.scheduledPunctuators().stream()
                .filter(p -> p.getInterval().equals(EvaluateSnapshots.EXCEPTIONS_TICK))
                .reduce((first, later) -> later)
                .orElseThrow()
                .getPunctuator()
                .punctuate(at.toEpochMilli());
    }

    List<DriftKind> drift() {
        return context.forwarded().stream()
                .filter(f -> f.record().value() instanceof DriftEvent)
                .map(f -> ((DriftEvent) f.record().value()).getKind())
                .toList();
    }

    @Test
    void aResumedTaskJudgesNobodyBeforeItHasReadTheSnapshotsWrittenWhileItWasAway() {
        context.setCurrentSystemTimeMs(T0.toEpochMilli());
        processor.init(context);
        for (String sub : SUBS) {
            snapshot(sub, T0);
        }
        for (long ms = 250; ms <= 1_500; ms += 250) {
            tick(T0.plusMillis(ms));
        }
        assertThat(drift()).isEmpty();

        // revoked at T0 + 1.5 s, processed elsewhere, given back 10 s later: resumed
        processor.close();
        context.resetForwards();
        Instant back = T0.plusSeconds(11);
        context.setCurrentSystemTimeMs(back.toEpochMilli());
        processor.init(context);
        lag.set(0); // the lag metric of before the revocation: "caught up"

        for (long ms = 250; ms < StalenessClock.IDLE.toMillis(); ms += 250) {
            tick(back.plusMillis(ms));
        }
        assertThat(drift())
                .as("nobody judged before the task has read or waited")
                .isEmpty();

        // it reads the snapshots written while it was away: nobody is stale
        for (String sub : SUBS) {
            snapshot(sub, T0.plusSeconds(10));
        }
        for (long ms = 250; ms <= 2_000; ms += 250) {
            tick(back.plusSeconds(5).plusMillis(ms));
        }
        assertThat(drift()).isEmpty();

        // and a collector that stops is still flagged, once per subscription, after the window
        for (long ms = 250; ms <= 10_000; ms += 250) {
            tick(back.plusSeconds(8).plusMillis(ms));
        }
        assertThat(drift()).containsExactly(DriftKind.STALE, DriftKind.STALE, DriftKind.STALE);
    }

    @Test
    void aResumedTaskAppliesAgainAnExceptionWhoseEffectWasRolledBackWithItsStore() {
        context.setCurrentSystemTimeMs(T0.toEpochMilli());
        processor.init(context);
        SecurityContactSnapshot failing = TestSnapshots.failing(T0);
        processor.process(new Record<>(
                TestSnapshots.SUB, DecodedSnapshot.of(failing, new byte[0], new byte[0]), T0.toEpochMilli()));
        KeyValueStore<String, byte[]> postures = context.getStateStore(EvaluateTopology.STORE);
        byte[] beforeTheGrant = postures.get(TestSnapshots.SUB);

        ComplianceException waiver =
                EvaluateTopologyTest.exception("ex-1", T0.plus(Duration.ofDays(30)), "SEVERITY_NOT_ACCEPTED");
        KeyValueStore<String, byte[]> exceptionStore = context.getStateStore(EvaluateTopology.EXCEPTIONS_STORE);
        exceptionStore.put(
                Exceptions.key(waiver), topics.exceptions().value().serializer().serialize("t", waiver));
        exceptionWrites.incrementAndGet();
        exceptionsTick(T0.plusSeconds(1));
        assertThat(drift()).containsExactly(DriftKind.EXCEPTION_GRANTED);

        // the transaction that stored the suppressed posture is aborted: the store is back to before the grant, and
        // the task is started again on the same processor
        postures.put(TestSnapshots.SUB, beforeTheGrant);
        processor.close();
        context.resetForwards();
        processor.init(context);
        exceptionsTick(T0.plusSeconds(3));
        assertThat(drift())
                .as("the exception is applied again, not taken for applied")
                .containsExactly(DriftKind.EXCEPTION_GRANTED);

        // removed (a tombstone) while the task was away: the resumed task lifts the suppression it had applied
        processor.close();
        context.resetForwards();
        exceptionStore.delete(Exceptions.key(waiver));
        exceptionWrites.incrementAndGet();
        processor.init(context);
        exceptionsTick(T0.plusSeconds(5));
        assertThat(drift()).hasSize(1).doesNotContain(DriftKind.EXCEPTION_GRANTED);
    }
}

package io.contactaudit.evaluate;

import static io.contactaudit.evaluate.TestSnapshots.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.contactaudit.rule.Profile;
import io.contactaudit.schema.DriftEvent;
import io.contactaudit.schema.DriftKind;
import io.contactaudit.schema.FindingActivity;
import io.contactaudit.schema.PostureState;
import io.contactaudit.schema.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every transition of the posture state machine: from each kind of stored state, each kind of event. */
class PostureTransitionsTest {

    static final PostureMachine MACHINE = new PostureMachine(Profile.DEFAULT);
    static final Duration WINDOW = Duration.ofMinutes(45);
    static final Instant AT = T0.plusSeconds(600);
    static final long NOW = AT.toEpochMilli();

    /** The stored states, each reached through the machine itself. */
    enum From {
        NONE(null),
        PASS(MACHINE.onSnapshot(null, TestSnapshots.passing(T0), T0.toEpochMilli()).posture()),
        FAIL(MACHINE.onSnapshot(null, TestSnapshots.failing(T0), T0.toEpochMilli()).posture()),
        ERROR_FIRST(MACHINE.onSnapshot(null, TestSnapshots.forbidden(T0), T0.toEpochMilli()).posture()),
        ERROR_AFTER_PASS(MACHINE.onSnapshot(PASS.state, TestSnapshots.forbidden(T0.plusSeconds(60)), T0.toEpochMilli()).posture()),
        STALE_PASS(MACHINE.onClock(PASS.state, T0.plus(WINDOW).toEpochMilli() + 1, T0.plus(WINDOW).toEpochMilli() + 1, WINDOW).posture());

        final PostureState state;

        From(PostureState state) {
            this.state = state;
        }
    }

    /** The events, applied at {@link #AT}. */
    enum Event {
        PASSING(s -> MACHINE.onSnapshot(s, TestSnapshots.passing(AT), NOW)),
        PASSING_OTHER_RECIPIENT(s -> MACHINE.onSnapshot(s, TestSnapshots.ok(TestSnapshots.body(true, "Medium", "soc@contoso.com"), AT), NOW)),
        FAILING(s -> MACHINE.onSnapshot(s, TestSnapshots.failing(AT), NOW)),
        FORBIDDEN(s -> MACHINE.onSnapshot(s, TestSnapshots.forbidden(AT), NOW)),
        LATE(s -> MACHINE.onSnapshot(s, TestSnapshots.failing(T0.minusSeconds(60)), NOW)),
        REMOVED(s -> MACHINE.onRemoved(s, NOW, NOW)),
        CLOCK_PAST_WINDOW(s -> MACHINE.onClock(s, T0.plus(WINDOW).toEpochMilli() + 120_000, T0.plus(WINDOW).toEpochMilli() + 120_000, WINDOW)),
        CLOCK_WITHIN_WINDOW(s -> MACHINE.onClock(s, T0.plus(WINDOW).toEpochMilli(), T0.plus(WINDOW).toEpochMilli(), WINDOW));

        final Function<PostureState, PostureMachine.Outcome> apply;

        Event(Function<PostureState, PostureMachine.Outcome> apply) {
            this.apply = apply;
        }
    }

    /** What follows: the finding's activity (null: none), drift kinds, the stored verdict (null: deleted), last good, stale, errors in a row. */
    record Then(FindingActivity finding, List<DriftKind> drift, Verdict verdict, Verdict lastGood, boolean stale, int errors) {
    }

    static Then then(FindingActivity finding, List<DriftKind> drift, Verdict verdict, Verdict lastGood, boolean stale, int errors) {
        return new Then(finding, drift, verdict, lastGood, stale, errors);
    }

    static final FindingActivity CREATE = FindingActivity.CREATE;
    static final FindingActivity UPDATE = FindingActivity.UPDATE;
    static final FindingActivity CLOSE = FindingActivity.CLOSE;
    static final Verdict P = Verdict.PASS;
    static final Verdict F = Verdict.FAIL;
    static final Verdict E = Verdict.ERROR;

    static Stream<Arguments> transitions() {
        return Stream.of(
                Arguments.of(From.NONE, Event.PASSING, then(CREATE, List.of(), P, P, false, 0)),
                Arguments.of(From.NONE, Event.FAILING, then(CREATE, List.of(), F, F, false, 0)),
                Arguments.of(From.NONE, Event.FORBIDDEN, then(CREATE, List.of(), E, null, false, 1)),
                Arguments.of(From.NONE, Event.REMOVED, then(null, List.of(), null, null, false, 0)),

                Arguments.of(From.PASS, Event.PASSING, then(UPDATE, List.of(), P, P, false, 0)),
                Arguments.of(From.PASS, Event.PASSING_OTHER_RECIPIENT, then(UPDATE, List.of(DriftKind.CONFIG_CHANGED), P, P, false, 0)),
                Arguments.of(From.PASS, Event.FAILING, then(UPDATE, List.of(DriftKind.REGRESSED), F, F, false, 0)),
                Arguments.of(From.PASS, Event.FORBIDDEN, then(UPDATE, List.of(DriftKind.EVALUATION_ERROR), E, P, false, 1)),
                Arguments.of(From.PASS, Event.LATE, then(null, List.of(), P, P, false, 0)),
                Arguments.of(From.PASS, Event.REMOVED, then(CLOSE, List.of(DriftKind.SUBSCRIPTION_REMOVED), null, null, false, 0)),
                Arguments.of(From.PASS, Event.CLOCK_PAST_WINDOW, then(null, List.of(DriftKind.STALE), P, P, true, 0)),
                Arguments.of(From.PASS, Event.CLOCK_WITHIN_WINDOW, null),

                Arguments.of(From.FAIL, Event.PASSING, then(UPDATE, List.of(DriftKind.REMEDIATED), P, P, false, 0)),
                Arguments.of(From.FAIL, Event.FAILING, then(UPDATE, List.of(), F, F, false, 0)),
                Arguments.of(From.FAIL, Event.FORBIDDEN, then(UPDATE, List.of(DriftKind.EVALUATION_ERROR), E, F, false, 1)),
                Arguments.of(From.FAIL, Event.CLOCK_PAST_WINDOW, then(null, List.of(DriftKind.STALE), F, F, true, 0)),

                Arguments.of(From.ERROR_FIRST, Event.PASSING, then(UPDATE, List.of(DriftKind.EVALUATION_RECOVERED), P, P, false, 0)),
                Arguments.of(From.ERROR_FIRST, Event.FORBIDDEN, then(UPDATE, List.of(), E, null, false, 2)),
                Arguments.of(From.ERROR_FIRST, Event.REMOVED, then(CLOSE, List.of(DriftKind.SUBSCRIPTION_REMOVED), null, null, false, 0)),

                Arguments.of(From.ERROR_AFTER_PASS, Event.PASSING, then(UPDATE, List.of(DriftKind.EVALUATION_RECOVERED), P, P, false, 0)),
                Arguments.of(From.ERROR_AFTER_PASS, Event.FAILING,
                        then(UPDATE, List.of(DriftKind.EVALUATION_RECOVERED, DriftKind.REGRESSED), F, F, false, 0)),
                Arguments.of(From.ERROR_AFTER_PASS, Event.PASSING_OTHER_RECIPIENT,
                        then(UPDATE, List.of(DriftKind.EVALUATION_RECOVERED, DriftKind.CONFIG_CHANGED), P, P, false, 0)),
                Arguments.of(From.ERROR_AFTER_PASS, Event.FORBIDDEN, then(UPDATE, List.of(), E, P, false, 2)),
                Arguments.of(From.ERROR_AFTER_PASS, Event.CLOCK_PAST_WINDOW, then(null, List.of(DriftKind.STALE), E, P, true, 1)),

                Arguments.of(From.STALE_PASS, Event.PASSING, then(UPDATE, List.of(DriftKind.STALE_RESOLVED), P, P, false, 0)),
                Arguments.of(From.STALE_PASS, Event.FAILING, then(UPDATE, List.of(DriftKind.REGRESSED, DriftKind.STALE_RESOLVED), F, F, false, 0)),
                Arguments.of(From.STALE_PASS, Event.FORBIDDEN,
                        then(UPDATE, List.of(DriftKind.EVALUATION_ERROR, DriftKind.STALE_RESOLVED), E, P, false, 1)),
                Arguments.of(From.STALE_PASS, Event.CLOCK_PAST_WINDOW, null),
                Arguments.of(From.STALE_PASS, Event.REMOVED, then(CLOSE, List.of(DriftKind.SUBSCRIPTION_REMOVED), null, null, false, 0)));
    }

    @ParameterizedTest(name = "{0} + {1}")
    @MethodSource("transitions")
    void transition(From from, Event event, Then expected) {
        PostureMachine.Outcome outcome = event.apply.apply(from.state);
        if (expected == null) {
            assertThat(outcome).as("nothing happens").isNull();
            return;
        }
        assertThat(outcome.finding() == null ? null : outcome.finding().getActivity()).as("finding").isEqualTo(expected.finding());
        assertThat(outcome.drift()).extracting(DriftEvent::getKind).as("drift").containsExactlyElementsOf(expected.drift());
        for (DriftEvent drift : outcome.drift()) {
            assertThat(drift.getSeverity()).isEqualTo(Drift.severity(drift.getKind()));
            assertThat(drift.getSubscriptionId()).isEqualTo(TestSnapshots.SUB);
        }
        PostureState posture = outcome.posture();
        if (expected.verdict() == null) {
            assertThat(posture).as("posture deleted").isNull();
            assertThat(outcome.emitPosture()).as("a tombstone is emitted only for a known subscription").isEqualTo(from.state != null);
            return;
        }
        assertThat(posture.getVerdict()).as("verdict").isEqualTo(expected.verdict());
        assertThat(posture.getLastGoodVerdict()).as("last good verdict").isEqualTo(expected.lastGood());
        assertThat(posture.getStale()).as("stale").isEqualTo(expected.stale());
        assertThat(posture.getConsecutiveErrors()).as("errors in a row").isEqualTo(expected.errors());
        if (event == Event.LATE) {
            assertThat(outcome.emitPosture()).isFalse();
            assertThat(posture.getLateSnapshots()).isEqualTo(from.state.getLateSnapshots() + 1);
            assertThat(posture.getLastCollectedAt()).isEqualTo(from.state.getLastCollectedAt());
        } else {
            assertThat(outcome.emitPosture()).isTrue();
        }
        if (outcome.finding() != null && outcome.finding().getActivity() != FindingActivity.CLOSE) {
            assertThat(posture.getLastFindingEventId()).isEqualTo(outcome.finding().getEventId());
            assertThat(outcome.finding().getVerdict()).isEqualTo(posture.getVerdict());
        }
    }
}

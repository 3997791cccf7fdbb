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
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every transition of the posture state machine: from each kind of stored state, each kind of event. */
class PostureTransitionsTest {

    static final PostureMachine MACHINE = new PostureMachine(Profile.DEFAULT);
    /** Only changes emit a finding; no refresh falls within these few minutes. */
    static final PostureMachine CHANGES =
            new PostureMachine(Profile.DEFAULT, EvaluateTopology.Emission.CHANGES, Duration.ofDays(3650));

    static final Duration WINDOW = Duration.ofMinutes(45);
    static final Instant AT = T0.plusSeconds(600);
    static final long NOW = AT.toEpochMilli();

    /** The stored states, each reached through the machine itself. */
    enum From {
        NONE(null),
        PASS(MACHINE.onSnapshot(null, TestSnapshots.passing(T0), T0.toEpochMilli())
                .posture()),
        FAIL(MACHINE.onSnapshot(null, TestSnapshots.failing(T0), T0.toEpochMilli())
                .posture()),
        ERROR_FIRST(MACHINE.onSnapshot(null, TestSnapshots.forbidden(T0), T0.toEpochMilli())
                .posture()),
        ERROR_AFTER_PASS(MACHINE.onSnapshot(PASS.state, TestSnapshots.forbidden(T0.plusSeconds(60)), T0.toEpochMilli())
                .posture()),
        STALE_PASS(MACHINE.onClock(
                        PASS.state,
                        T0.plus(WINDOW).toEpochMilli() + 1,
                        T0.plus(WINDOW).toEpochMilli() + 1,
                        WINDOW)
                .posture());

        final PostureState state;

        From(PostureState state) {
            this.state = state;
        }
    }

    /** The events, applied at {@link #AT}. */
    enum Event {
        PASSING((m, s) -> m.onSnapshot(s, TestSnapshots.passing(AT), NOW)),
        PASSING_OTHER_RECIPIENT((m, s) ->
                m.onSnapshot(s, TestSnapshots.ok(TestSnapshots.body(true, "Medium", "soc@contoso.com"), AT), NOW)),
        FAILING((m, s) -> m.onSnapshot(s, TestSnapshots.failing(AT), NOW)),
        FORBIDDEN((m, s) -> m.onSnapshot(s, TestSnapshots.forbidden(AT), NOW)),
        LATE((m, s) -> m.onSnapshot(s, TestSnapshots.failing(T0.minusSeconds(60)), NOW)),
        REMOVED((m, s) -> m.onRemoved(s, NOW, NOW)),
        CLOCK_PAST_WINDOW((m, s) -> m.onClock(
                s, T0.plus(WINDOW).toEpochMilli() + 120_000, T0.plus(WINDOW).toEpochMilli() + 120_000, WINDOW)),
        CLOCK_WITHIN_WINDOW((m, s) ->
                m.onClock(s, T0.plus(WINDOW).toEpochMilli(), T0.plus(WINDOW).toEpochMilli(), WINDOW));

        final BiFunction<PostureMachine, PostureState, PostureMachine.Outcome> apply;

        Event(BiFunction<PostureMachine, PostureState, PostureMachine.Outcome> apply) {
            this.apply = apply;
        }
    }

    /**
     * What follows: the finding's activity (null: none), drift kinds, the stored verdict (null: deleted), last good,
     * stale, errors in a row, and whether the posture topic gets the new state (something its readers see changed).
     * When only changes emit a finding, an evaluation whose posture is not shown emits none.
     */
    record Then(
            FindingActivity finding,
            List<DriftKind> drift,
            Verdict verdict,
            Verdict lastGood,
            boolean stale,
            int errors,
            boolean shown) {}

    static Then then(
            FindingActivity finding,
            List<DriftKind> drift,
            Verdict verdict,
            Verdict lastGood,
            boolean stale,
            int errors) {
        return new Then(finding, drift, verdict, lastGood, stale, errors, true);
    }

    /** An evaluation that changes nothing a reader sees: the state is stored, not shown. */
    static Then unchanged(FindingActivity finding, Verdict verdict, Verdict lastGood, int errors) {
        return new Then(finding, List.of(), verdict, lastGood, false, errors, false);
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
                Arguments.of(From.PASS, Event.PASSING, unchanged(UPDATE, P, P, 0)),
                Arguments.of(
                        From.PASS,
                        Event.PASSING_OTHER_RECIPIENT,
                        then(UPDATE, List.of(DriftKind.CONFIG_CHANGED), P, P, false, 0)),
                Arguments.of(From.PASS, Event.FAILING, then(UPDATE, List.of(DriftKind.REGRESSED), F, F, false, 0)),
                Arguments.of(
                        From.PASS, Event.FORBIDDEN, then(UPDATE, List.of(DriftKind.EVALUATION_ERROR), E, P, false, 1)),
                Arguments.of(From.PASS, Event.LATE, unchanged(null, P, P, 0)),
                Arguments.of(
                        From.PASS,
                        Event.REMOVED,
                        then(CLOSE, List.of(DriftKind.SUBSCRIPTION_REMOVED), null, null, false, 0)),
                Arguments.of(From.PASS, Event.CLOCK_PAST_WINDOW, then(null, List.of(DriftKind.STALE), P, P, true, 0)),
                Arguments.of(From.PASS, Event.CLOCK_WITHIN_WINDOW, null),
                Arguments.of(From.FAIL, Event.PASSING, then(UPDATE, List.of(DriftKind.REMEDIATED), P, P, false, 0)),
                Arguments.of(From.FAIL, Event.FAILING, unchanged(UPDATE, F, F, 0)),
                Arguments.of(
                        From.FAIL, Event.FORBIDDEN, then(UPDATE, List.of(DriftKind.EVALUATION_ERROR), E, F, false, 1)),
                Arguments.of(From.FAIL, Event.CLOCK_PAST_WINDOW, then(null, List.of(DriftKind.STALE), F, F, true, 0)),
                Arguments.of(
                        From.ERROR_FIRST,
                        Event.PASSING,
                        then(UPDATE, List.of(DriftKind.EVALUATION_RECOVERED), P, P, false, 0)),
                Arguments.of(From.ERROR_FIRST, Event.FORBIDDEN, unchanged(UPDATE, E, null, 2)),
                Arguments.of(
                        From.ERROR_FIRST,
                        Event.REMOVED,
                        then(CLOSE, List.of(DriftKind.SUBSCRIPTION_REMOVED), null, null, false, 0)),
                Arguments.of(
                        From.ERROR_AFTER_PASS,
                        Event.PASSING,
                        then(UPDATE, List.of(DriftKind.EVALUATION_RECOVERED), P, P, false, 0)),
                Arguments.of(
                        From.ERROR_AFTER_PASS,
                        Event.FAILING,
                        then(UPDATE, List.of(DriftKind.EVALUATION_RECOVERED, DriftKind.REGRESSED), F, F, false, 0)),
                Arguments.of(
                        From.ERROR_AFTER_PASS,
                        Event.PASSING_OTHER_RECIPIENT,
                        then(
                                UPDATE,
                                List.of(DriftKind.EVALUATION_RECOVERED, DriftKind.CONFIG_CHANGED),
                                P,
                                P,
                                false,
                                0)),
                Arguments.of(From.ERROR_AFTER_PASS, Event.FORBIDDEN, unchanged(UPDATE, E, P, 2)),
                Arguments.of(
                        From.ERROR_AFTER_PASS,
                        Event.CLOCK_PAST_WINDOW,
                        then(null, List.of(DriftKind.STALE), E, P, true, 1)),
                Arguments.of(
                        From.STALE_PASS,
                        Event.PASSING,
                        then(UPDATE, List.of(DriftKind.STALE_RESOLVED), P, P, false, 0)),
                Arguments.of(
                        From.STALE_PASS,
                        Event.FAILING,
                        then(UPDATE, List.of(DriftKind.REGRESSED, DriftKind.STALE_RESOLVED), F, F, false, 0)),
                Arguments.of(
                        From.STALE_PASS,
                        Event.FORBIDDEN,
                        then(UPDATE, List.of(DriftKind.EVALUATION_ERROR, DriftKind.STALE_RESOLVED), E, P, false, 1)),
                Arguments.of(From.STALE_PASS, Event.CLOCK_PAST_WINDOW, null),
                Arguments.of(
                        From.STALE_PASS,
                        Event.REMOVED,
                        then(CLOSE, List.of(DriftKind.SUBSCRIPTION_REMOVED), null, null, false, 0)));
    }

    @ParameterizedTest(name = "{0} + {1}")
    @MethodSource("transitions")
    void transition(From from, Event event, Then expected) {
        check(
                event.apply.apply(MACHINE, from.state),
                from,
                event,
                expected,
                expected == null ? null : expected.finding());
    }

    @ParameterizedTest(name = "{0} + {1}, only changes emit a finding")
    @MethodSource("transitions")
    void transitionWhenOnlyChangesEmitAFinding(From from, Event event, Then expected) {
        check(
                event.apply.apply(CHANGES, from.state),
                from,
                event,
                expected,
                expected == null || !expected.shown() ? null : expected.finding());
    }

    private static void check(
            PostureMachine.Outcome outcome, From from, Event event, Then expected, FindingActivity finding) {
        if (expected == null) {
            assertThat(outcome).as("nothing happens").isNull();
            return;
        }
        assertThat(outcome.finding() == null ? null : outcome.finding().getActivity())
                .as("finding")
                .isEqualTo(finding);
        assertThat(outcome.drift())
                .extracting(DriftEvent::getKind)
                .as("drift")
                .containsExactlyElementsOf(expected.drift());
        for (DriftEvent drift : outcome.drift()) {
            assertThat(drift.getSeverity()).isEqualTo(Drift.severity(drift.getKind()));
            assertThat(drift.getSubscriptionId()).isEqualTo(TestSnapshots.SUB);
        }
        PostureState posture = outcome.posture();
        if (expected.verdict() == null) {
            assertThat(posture).as("posture deleted").isNull();
            assertThat(outcome.emitPosture())
                    .as("a tombstone is emitted only for a known subscription")
                    .isEqualTo(from.state != null);
            return;
        }
        assertThat(posture.getVerdict()).as("verdict").isEqualTo(expected.verdict());
        assertThat(posture.getLastGoodVerdict()).as("last good verdict").isEqualTo(expected.lastGood());
        assertThat(posture.getStale()).as("stale").isEqualTo(expected.stale());
        assertThat(posture.getConsecutiveErrors()).as("errors in a row").isEqualTo(expected.errors());
        assertThat(outcome.emitPosture()).as("the posture topic gets the state").isEqualTo(expected.shown());
        if (event == Event.LATE) {
            assertThat(posture.getLateSnapshots()).isEqualTo(from.state.getLateSnapshots() + 1);
            assertThat(posture.getLastCollectedAt()).isEqualTo(from.state.getLastCollectedAt());
        } else if (from.state != null && event != Event.CLOCK_PAST_WINDOW) {
            assertThat(posture.getLastCollectedAt())
                    .as("the store always holds the latest capture time")
                    .isEqualTo(AT);
        }
        if (outcome.finding() != null && outcome.finding().getActivity() != FindingActivity.CLOSE) {
            assertThat(posture.getLastFindingEventId())
                    .isEqualTo(outcome.finding().getEventId());
            assertThat(outcome.finding().getVerdict()).isEqualTo(posture.getVerdict());
        } else if (from.state != null && outcome.finding() == null) {
            assertThat(posture.getLastFindingEventId())
                    .as("the latest finding emitted")
                    .isEqualTo(from.state.getLastFindingEventId());
        }
    }
}

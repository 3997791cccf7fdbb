package io.contactaudit.evaluate;

import static io.contactaudit.evaluate.TestSnapshots.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.contactaudit.rule.Profile;
import io.contactaudit.schema.DriftEvent;
import io.contactaudit.schema.DriftKind;
import io.contactaudit.schema.DriftSeverity;
import io.contactaudit.schema.PostureState;
import io.contactaudit.schema.SecurityContactSnapshot;
import io.contactaudit.schema.Verdict;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PostureMachineTest {

    final PostureMachine byDefault = new PostureMachine(Profile.DEFAULT);

    PostureState after(PostureMachine detector, io.contactaudit.schema.SecurityContactSnapshot snapshot) {
        return detector.onSnapshot(null, snapshot, T0.toEpochMilli()).posture();
    }

    @Test
    void aNewRuleVersionAloneIsReevaluationNotDrift() {
        PostureState old = PostureState.newBuilder(after(byDefault, TestSnapshots.passing(T0)))
                .setRuleVersion("0.9.0")
                .build();
        PostureMachine.Outcome outcome =
                byDefault.onSnapshot(old, TestSnapshots.passing(T0.plusSeconds(60)), T0.toEpochMilli());
        assertThat(outcome.drift())
                .extracting(DriftEvent::getKind, DriftEvent::getSeverity, DriftEvent::getPreviousRuleVersion)
                .containsExactly(tuple(DriftKind.REEVALUATED, DriftSeverity.INFO, "0.9.0"));
        assertThat(outcome.drift().get(0).getChanges()).isEmpty();
    }

    @Test
    void aProfileChangeThatFlipsTheVerdictIsReevaluationNotRegression() {
        PostureState underDefault = after(byDefault, TestSnapshots.passing(T0));
        PostureMachine.Outcome outcome = new PostureMachine(Profile.STRICT)
                .onSnapshot(underDefault, TestSnapshots.passing(T0.plusSeconds(60)), T0.toEpochMilli());
        assertThat(outcome.finding().getVerdict()).isEqualTo(Verdict.FAIL);
        assertThat(outcome.drift())
                .extracting(DriftEvent::getKind, DriftEvent::getPreviousVerdict, DriftEvent::getCurrentVerdict)
                .containsExactly(tuple(DriftKind.REEVALUATED, Verdict.PASS, Verdict.FAIL));
    }

    @Test
    void aNewRuleVersionWithAConfigurationChangeIsStillDrift() {
        PostureState old = PostureState.newBuilder(after(byDefault, TestSnapshots.passing(T0)))
                .setRuleVersion("0.9.0")
                .build();
        PostureMachine.Outcome outcome =
                byDefault.onSnapshot(old, TestSnapshots.failing(T0.plusSeconds(60)), T0.toEpochMilli());
        assertThat(outcome.drift()).extracting(DriftEvent::getKind).containsExactly(DriftKind.REGRESSED);
    }

    @Test
    void staleOnlyOnceAndOnlyAfterTheWindow() {
        PostureState state = after(byDefault, TestSnapshots.passing(T0));
        Duration window = Duration.ofMinutes(45);
        assertThat(byDefault.onClock(
                        state, T0.plus(window).toEpochMilli(), T0.plus(window).toEpochMilli(), window))
                .isNull();
        PostureMachine.Outcome stale = byDefault.onClock(
                state, T0.plus(window).toEpochMilli() + 1, T0.plus(window).toEpochMilli() + 1, window);
        assertThat(stale.drift()).extracting(DriftEvent::getKind).containsExactly(DriftKind.STALE);
        assertThat(byDefault.onClock(
                        stale.posture(),
                        T0.plus(window.multipliedBy(10)).toEpochMilli(),
                        T0.plus(window.multipliedBy(10)).toEpochMilli(),
                        window))
                .isNull();
    }

    @Test
    void everyKindHasASeverityAndRegressedAndStaleAreHigh() {
        for (DriftKind kind : DriftKind.values()) {
            assertThat(Drift.severity(kind)).isNotNull();
        }
        assertThat(Drift.severity(DriftKind.REGRESSED)).isEqualTo(DriftSeverity.HIGH);
        assertThat(Drift.severity(DriftKind.STALE)).isEqualTo(DriftSeverity.HIGH);
    }

    @Test
    void aSnapshotOfTheSameContentIsNotEvaluatedAgainYetGivesWhatAnEvaluationGives() {
        PostureMachine changes =
                new PostureMachine(Profile.DEFAULT, EvaluateTopology.Emission.CHANGES, Duration.ofDays(3650));
        SecurityContactSnapshot unparseable = TestSnapshots.ok("{\"value\": [", T0);
        for (SecurityContactSnapshot first :
                List.of(TestSnapshots.passing(T0), TestSnapshots.failing(T0), unparseable)) {
            PostureState previous =
                    changes.onSnapshot(null, first, T0.toEpochMilli()).posture();
            SecurityContactSnapshot again =
                    TestSnapshots.ok(first.getRawBodies().get(0), T0.plusSeconds(900));
            again.setCollectionIntervalMs(Duration.ofMinutes(15).toMillis());
            long now = T0.plusSeconds(901).toEpochMilli();
            PostureMachine.Outcome skipped = changes.onSnapshot(previous, again, now, true);
            PostureMachine.Outcome evaluated = changes.onSnapshot(previous, again, now, false);
            assertThat(skipped.finding()).isNull();
            assertThat(skipped.drift()).isEmpty();
            assertThat(skipped.posture()).as(first.getRawBodies().get(0)).isEqualTo(evaluated.posture());
            assertThat(skipped.emitPosture())
                    .isEqualTo(evaluated.emitPosture())
                    .as("the window the snapshot declares is shown")
                    .isTrue();
        }
    }

    @Test
    void theSameContentIsEvaluatedAgainWhenAFindingIsDueOrTheSubscriptionWasStale() {
        PostureMachine changes =
                new PostureMachine(Profile.DEFAULT, EvaluateTopology.Emission.CHANGES, Duration.ofHours(1));
        PostureState previous = changes.onSnapshot(null, TestSnapshots.passing(T0), T0.toEpochMilli())
                .posture();
        // an hour on, a refresh is due: the finding needs its evidence, so the rule runs
        PostureMachine.Outcome refreshed = changes.onSnapshot(
                previous, TestSnapshots.passing(T0.plus(Duration.ofHours(1))), T0.toEpochMilli(), true);
        assertThat(refreshed.finding()).isNotNull();
        assertThat(refreshed.finding().getEvidence()).isNotEmpty();
        // stale: the snapshot resolves it
        PostureState stale = changes.onClock(
                        previous,
                        T0.plus(Duration.ofHours(2)).toEpochMilli(),
                        T0.toEpochMilli(),
                        Duration.ofMinutes(45))
                .posture();
        PostureMachine.Outcome resolved =
                changes.onSnapshot(stale, TestSnapshots.passing(T0.plusSeconds(60)), T0.toEpochMilli(), true);
        assertThat(resolved.drift()).extracting(DriftEvent::getKind).containsExactly(DriftKind.STALE_RESOLVED);
        // with every evaluation emitting a finding, there is nothing to skip
        PostureMachine.Outcome every =
                byDefault.onSnapshot(previous, TestSnapshots.passing(T0.plusSeconds(60)), T0.toEpochMilli(), true);
        assertThat(every.finding()).isNotNull();
    }

    @Test
    void ofWhatNewTimesChangeAReaderOfThePostureTopicSeesOnlyTheWindow() {
        PostureState before = after(byDefault, TestSnapshots.failing(T0));
        before.setStaleAfterMs(Duration.ofMinutes(45).toMillis());
        for (Long window : new Long[] {
            null, Duration.ofMinutes(45).toMillis(), Duration.ofHours(3).toMillis()
        }) {
            PostureMachine.Times times =
                    new PostureMachine.Times(T0.plusSeconds(900), T0.plusSeconds(901), T0.plusSeconds(900), 0, window);
            PostureState after = times.applyTo(PostureState.newBuilder(before).build());
            assertThat(times.shown(PostureMachine.Head.of(before)))
                    .as("window %s", window)
                    .isEqualTo(PostureMachine.shown(before, after));
            assertThat(times.staleAt(Duration.ofHours(1)))
                    .isEqualTo(PostureMachine.staleAt(after, Duration.ofHours(1)));
        }
    }
}

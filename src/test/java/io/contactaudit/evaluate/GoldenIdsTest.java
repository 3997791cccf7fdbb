package io.contactaudit.evaluate;

import static io.contactaudit.evaluate.TestSnapshots.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.contactaudit.rule.Profile;
import io.contactaudit.schema.ComplianceFinding;
import io.contactaudit.schema.PostureState;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Literal ids for a fixed input. SIEMs de-duplicate on {@code findingId} and {@code eventId}: if one of these changes,
 * every finding reaches them again as a new one. Change a value here only with a release note saying so. An
 * evaluation's event id (and the ids of the drift it causes) includes the rule version on purpose: an evaluation by
 * another rule version is another event (rule 1.1.0: 73ad1ba8-… and fc30ff78-… under 1.0.0).
 */
class GoldenIdsTest {

    final PostureMachine machine = new PostureMachine(Profile.DEFAULT);

    @Test
    void findingAndEvaluationIds() {
        ComplianceFinding finding = machine.onSnapshot(null, TestSnapshots.passing(T0), T0.toEpochMilli())
                .finding();
        assertThat(finding.getFindingId()).isEqualTo("653c4cd7-6c15-334c-b9f4-f52c6d5f806f");
        assertThat(finding.getEventId()).isEqualTo("d711ca21-3762-3da9-9f6b-5271c93308b6");
        assertThat(Ids.finding(TestSnapshots.SUB, "cis-azure-1.3.0-2.14", "strict"))
                .isEqualTo("26faa401-958a-3d80-b5f3-4dd92fb0b7d9");
    }

    @Test
    void driftCloseAndStaleIds() {
        PostureState passing = machine.onSnapshot(null, TestSnapshots.passing(T0), T0.toEpochMilli())
                .posture();
        PostureMachine.Outcome regressed =
                machine.onSnapshot(passing, TestSnapshots.failing(T0.plusSeconds(900)), T0.toEpochMilli());
        assertThat(regressed.drift().get(0).getEventId()).isEqualTo("c16e9019-8416-3031-b5d4-542e9c9c6d8e");
        PostureMachine.Outcome removed =
                machine.onRemoved(passing, T0.plusSeconds(1800).toEpochMilli(), T0.toEpochMilli());
        assertThat(removed.finding().getEventId()).isEqualTo("f821b17c-56e7-3654-9f9e-2c17fd38eab0");
        assertThat(removed.drift().get(0).getEventId()).isEqualTo("310a0238-6368-35c4-9bb2-fa89af328849");
        Duration window = Duration.ofMinutes(45);
        PostureMachine.Outcome stale = machine.onClock(
                passing, T0.plus(window).toEpochMilli() + 1, T0.plus(window).toEpochMilli() + 1, window);
        assertThat(stale.drift().get(0).getEventId()).isEqualTo("0da6187e-31e1-3db6-a803-4ae7a5853481");
    }
}

package io.contactaudit.evaluate;

import io.contactaudit.rule.HighSeverityAlertEmailRule;
import io.contactaudit.rule.Profile;
import io.contactaudit.rule.ReasonCode;
import io.contactaudit.rule.RuleResult;
import io.contactaudit.schema.ComplianceFinding;
import io.contactaudit.schema.DriftEvent;
import io.contactaudit.schema.PostureState;
import io.contactaudit.schema.Reason;
import io.contactaudit.schema.SecurityContactSnapshot;
import io.contactaudit.schema.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The posture state machine: from a subscription's stored {@link PostureState} and what just happened to it (a
 * snapshot, its removal, the passing of time), the finding to emit ({@link Findings}), the drift events
 * ({@link Drift}) and the new state. Pure: no Kafka, no clock of its own.
 *
 * <pre>
 * (none) ──snapshot──► PASS | FAIL | ERROR            finding CREATE, no drift
 * state  ──snapshot──► PASS | FAIL | ERROR            finding UPDATE, drift as {@link Drift} decides; stale cleared
 * state  ──older snapshot──► state                     late: nothing but the counter lateSnapshots
 * state  ──tombstone──► (none)                          finding CLOSE, SUBSCRIPTION_REMOVED, posture tombstone
 * state  ──no snapshot within the window──► stale     STALE, once
 * </pre>
 */
public final class PostureMachine {

    /** A subscription is stale after this many collection intervals (as its snapshots declare them) without a snapshot. */
    public static final int MISSED_COLLECTIONS = 3;

    private final Profile profile;

    public PostureMachine(Profile profile) {
        this.profile = profile;
    }

    /**
     * What to emit and store.
     *
     * @param finding     the finding to emit, or null
     * @param drift       drift events to emit, in order
     * @param posture     the new state, to store and emit; null deletes it (a tombstone)
     * @param emitPosture whether the posture is emitted (false for a late snapshot: only the stored counter changes)
     */
    public record Outcome(ComplianceFinding finding, List<DriftEvent> drift, PostureState posture, boolean emitPosture) {
    }

    /** A snapshot arrived for a subscription whose state is {@code previous} (null: first time). */
    public Outcome onSnapshot(PostureState previous, SecurityContactSnapshot snapshot, long now) {
        Instant collectedAt = snapshot.getCollectedAt();
        if (previous != null && collectedAt.isBefore(previous.getLastCollectedAt())) {
            PostureState counted = PostureState.newBuilder(previous)
                    .setLateSnapshots(previous.getLateSnapshots() + 1).build();
            return new Outcome(null, List.of(), counted, false);
        }
        RuleResult result = HighSeverityAlertEmailRule.evaluate(snapshot, profile);
        ComplianceFinding finding = Findings.evaluation(previous, snapshot, result, profile, now);
        List<DriftEvent> drift = previous == null ? List.of() : Drift.afterEvaluation(previous, finding, result.contacts());
        boolean good = finding.getVerdict() != Verdict.ERROR;
        PostureState.Builder posture = PostureState.newBuilder()
                .setSubscriptionId(finding.getSubscriptionId())
                .setTenantId(finding.getTenantId())
                .setFindingId(finding.getFindingId())
                .setVerdict(finding.getVerdict())
                .setLastGoodVerdict(good ? finding.getVerdict() : previous == null ? null : previous.getLastGoodVerdict())
                .setSince(finding.getLastStatusChangeAt())
                .setFirstSeenAt(finding.getFirstSeenAt())
                .setLastCollectedAt(collectedAt)
                .setLastEvaluatedAt(finding.getEvaluatedAt())
                .setRuleId(finding.getRuleId())
                .setRuleVersion(finding.getRuleVersion())
                .setProfile(finding.getProfile())
                .setReasons(finding.getReasons())
                .setStale(false)
                .setContacts(good ? result.contacts() : previous == null ? List.of() : previous.getContacts())
                .setLastGoodCollectedAt(good ? collectedAt : previous == null ? null : previous.getLastGoodCollectedAt())
                .setConsecutiveErrors(good ? 0 : previous == null ? 1 : previous.getConsecutiveErrors() + 1)
                .setLateSnapshots(previous == null ? 0 : previous.getLateSnapshots())
                .setLastFindingEventId(finding.getEventId())
                .setStaleAfterMs(snapshot.getCollectionIntervalMs() == null ? null
                        : snapshot.getCollectionIntervalMs() * MISSED_COLLECTIONS);
        // the summary follows the last good configuration: recomputed only when that changed
        boolean sameContacts = previous != null && (!good || previous.getContacts().equals(result.contacts()));
        posture.setSummary(sameContacts ? previous.getSummary() : ContactChanges.summary(posture.getContacts()));
        return new Outcome(finding, drift, posture.build(), true);
    }

    /** The subscription left the estate (a tombstone on the snapshots topic) at {@code removedAt}. */
    public Outcome onRemoved(PostureState previous, long removedAt, long now) {
        if (previous == null) {
            return new Outcome(null, List.of(), null, false);
        }
        List<Reason> reasons = List.of(new Reason(ReasonCode.SUBSCRIPTION_REMOVED.name(),
                "the subscription is no longer visible to the collector; its finding is closed"));
        return new Outcome(Findings.close(previous, reasons, removedAt, now),
                List.of(Drift.removed(previous, reasons, removedAt, now)), null, true);
    }

    /**
     * The passing of time: flags the subscription STALE once when no snapshot arrived within its window of
     * {@code judgedAt}, the time up to which its partition has been read ({@link StalenessClock}), at wall-clock
     * time {@code now}. The window is {@link #MISSED_COLLECTIONS} of the collection intervals its latest snapshot
     * declared, or {@code fallback} when it declared none.
     */
    public Outcome onClock(PostureState state, long judgedAt, long now, Duration fallback) {
        Duration window = state.getStaleAfterMs() == null ? fallback : Duration.ofMillis(state.getStaleAfterMs());
        if (state.getStale() || judgedAt - state.getLastCollectedAt().toEpochMilli() <= window.toMillis()) {
            return null;
        }
        List<Reason> reasons = List.of(new Reason(ReasonCode.SNAPSHOT_STALE.name(),
                "no snapshot since " + state.getLastCollectedAt() + " (staleness window " + window
                        + "): the collector may be down; the last verdict " + state.getVerdict() + " is not current"));
        PostureState flagged = PostureState.newBuilder(state).setStale(true).build();
        return new Outcome(null, List.of(Drift.stale(state, reasons, now)), flagged, true);
    }
}

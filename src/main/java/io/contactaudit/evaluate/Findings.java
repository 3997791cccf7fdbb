package io.contactaudit.evaluate;

import io.contactaudit.rule.Profile;
import io.contactaudit.rule.RuleResult;
import io.contactaudit.schema.CollectionStatus;
import io.contactaudit.schema.ComplianceFinding;
import io.contactaudit.schema.DriftKind;
import io.contactaudit.schema.ExceptionRef;
import io.contactaudit.schema.FindingActivity;
import io.contactaudit.schema.PostureState;
import io.contactaudit.schema.Reason;
import io.contactaudit.schema.SecurityContactSnapshot;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * Where a {@link ComplianceFinding} is built: one per emitted evaluation (activity CREATE, then UPDATE) and one
 * when the subscription leaves the estate (CLOSE). The ids are deterministic ({@link Ids}): the finding id per
 * subscription, rule and profile; the event id per snapshot, so a duplicate snapshot gives the same event id.
 */
final class Findings {

    private Findings() {}

    /**
     * The finding of one evaluation of {@code snapshot}, whose subscription's state was {@code previous} (null: first
     * time); {@code findingId} is the stored one when the rule and profile are the same, and {@code tenancy} the
     * snapshot's tenant, or the stored one when the snapshot names none; {@code exception} the exception a FAIL is
     * suppressed under (null: not suppressed).
     */
    static ComplianceFinding evaluation(
            PostureState previous,
            SecurityContactSnapshot snapshot,
            RuleResult result,
            Profile profile,
            String findingId,
            Tenancy tenancy,
            ExceptionRef exception,
            long now) {
        String sub = snapshot.getSubscriptionId().toLowerCase(Locale.ROOT);
        Instant collectedAt = snapshot.getCollectedAt();
        return ComplianceFinding.newBuilder()
                .setFindingId(findingId)
                .setEventId(Ids.event(
                        "evaluation",
                        sub,
                        snapshot.getRunId(),
                        String.valueOf(collectedAt.toEpochMilli()),
                        result.ruleId(),
                        result.ruleVersion(),
                        profile.id()))
                .setSubscriptionId(sub)
                .setSubscriptionName(snapshot.getSubscriptionName())
                .setTenantId(tenancy.tenantId())
                .setTenantName(tenancy.tenantName())
                .setReadThroughTenantId(tenancy.readThroughTenantId())
                .setRuleId(result.ruleId())
                .setRuleVersion(result.ruleVersion())
                .setProfile(profile.id())
                .setVerdict(result.verdict())
                .setReasons(result.reasons())
                .setEvidence(result.evidence())
                .setWarnings(result.warnings())
                .setCollectionStatus(snapshot.getStatus())
                .setRunId(snapshot.getRunId())
                .setCollectedAt(collectedAt)
                .setEvaluatedAt(Instant.ofEpochMilli(now))
                .setFirstSeenAt(previous == null ? collectedAt : previous.getFirstSeenAt())
                .setLastStatusChangeAt(
                        previous == null || previous.getVerdict() != result.verdict()
                                ? collectedAt
                                : previous.getSince())
                .setActivity(previous == null ? FindingActivity.CREATE : FindingActivity.UPDATE)
                .setTriggerEventId(snapshot.getTriggerEventId())
                .setTriggerEventTime(snapshot.getTriggerEventTime())
                .setSuppressed(exception != null)
                .setException(exception)
                .build();
    }

    /**
     * The finding of {@code state} again, when only its suppression changed ({@code kind}; null when only the exception
     * it is suppressed under was rewritten): the stored verdict, reasons and times, no evidence (the finding of the
     * evaluation before it has it), suppressed under {@code exception} or not.
     */
    static ComplianceFinding restated(PostureState state, ExceptionRef exception, DriftKind kind, long now) {
        return ComplianceFinding.newBuilder()
                .setFindingId(state.getFindingId())
                .setEventId(Ids.event(
                        "exception",
                        state.getSubscriptionId(),
                        String.valueOf(state.getLastCollectedAt().toEpochMilli()),
                        kind == null ? "REWRITTEN" : kind.name(),
                        state.getException() == null ? "" : state.getException().getExceptionId(),
                        exception == null ? "" : exception.getExceptionId()))
                .setSubscriptionId(state.getSubscriptionId())
                .setTenantId(state.getTenantId())
                .setTenantName(state.getTenantName())
                .setReadThroughTenantId(state.getReadThroughTenantId())
                .setRuleId(state.getRuleId())
                .setRuleVersion(state.getRuleVersion())
                .setProfile(state.getProfile())
                .setVerdict(state.getVerdict())
                .setReasons(state.getReasons())
                .setCollectionStatus(CollectionStatus.OK)
                .setCollectedAt(state.getLastCollectedAt())
                .setEvaluatedAt(Instant.ofEpochMilli(now))
                .setFirstSeenAt(state.getFirstSeenAt())
                .setLastStatusChangeAt(state.getSince())
                .setActivity(FindingActivity.UPDATE)
                .setSuppressed(exception != null)
                .setException(exception)
                .build();
    }

    /** The closing finding of a subscription that left the estate at {@code removedAt}. */
    static ComplianceFinding close(PostureState previous, List<Reason> reasons, long removedAt, long now) {
        return ComplianceFinding.newBuilder()
                .setFindingId(previous.getFindingId())
                .setEventId(Ids.event("close", previous.getSubscriptionId(), String.valueOf(removedAt)))
                .setSubscriptionId(previous.getSubscriptionId())
                .setTenantId(previous.getTenantId())
                .setTenantName(previous.getTenantName())
                .setReadThroughTenantId(previous.getReadThroughTenantId())
                .setRuleId(previous.getRuleId())
                .setRuleVersion(previous.getRuleVersion())
                .setProfile(previous.getProfile())
                .setVerdict(previous.getVerdict())
                .setReasons(reasons)
                .setCollectedAt(previous.getLastCollectedAt())
                .setEvaluatedAt(Instant.ofEpochMilli(now))
                .setFirstSeenAt(previous.getFirstSeenAt())
                .setLastStatusChangeAt(previous.getSince())
                .setActivity(FindingActivity.CLOSE)
                .setSuppressed(previous.getSuppressed())
                .setException(previous.getException())
                .build();
    }
}

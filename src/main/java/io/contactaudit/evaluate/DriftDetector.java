package io.contactaudit.evaluate;

import io.contactaudit.rule.HighSeverityAlertEmailRule;
import io.contactaudit.rule.Profile;
import io.contactaudit.rule.ReasonCode;
import io.contactaudit.rule.RuleResult;
import io.contactaudit.schema.ComplianceFinding;
import io.contactaudit.schema.DriftEvent;
import io.contactaudit.schema.DriftKind;
import io.contactaudit.schema.DriftSeverity;
import io.contactaudit.schema.FieldChange;
import io.contactaudit.schema.FindingActivity;
import io.contactaudit.schema.PostureState;
import io.contactaudit.schema.Reason;
import io.contactaudit.schema.SecurityContactSnapshot;
import io.contactaudit.schema.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides, from a subscription's stored {@link PostureState} and what just happened to it (a snapshot,
 * its removal, the passing of time), which finding, drift events and new posture follow. Pure: no Kafka,
 * no clock of its own.
 *
 * <p>Rules: a snapshot older than the state is late and changes nothing but a counter; an ERROR never
 * erases the last good verdict and configuration, and a recovery is compared against them; a change of
 * rule version or profile alone is re-evaluation, not configuration drift.
 */
public final class DriftDetector {

    private final Profile profile;

    public DriftDetector(Profile profile) {
        this.profile = profile;
    }

    /**
     * What to emit and store.
     *
     * @param finding the finding to emit, or null
     * @param drift   drift events to emit, in order
     * @param posture the new state, to store and emit; null deletes it (a tombstone)
     * @param emitPosture whether the posture is emitted (false for a late snapshot: only the stored counter changes)
     */
    public record Outcome(ComplianceFinding finding, List<DriftEvent> drift, PostureState posture, boolean emitPosture) {
    }

    /** A snapshot arrived for a subscription whose state is {@code previous} (null: first time). */
    public Outcome onSnapshot(PostureState previous, SecurityContactSnapshot snapshot, long now) {
        String sub = snapshot.getSubscriptionId().toLowerCase(java.util.Locale.ROOT);
        Instant collectedAt = snapshot.getCollectedAt();
        if (previous != null && collectedAt.isBefore(previous.getLastCollectedAt())) {
            PostureState counted = PostureState.newBuilder(previous)
                    .setLateSnapshots(previous.getLateSnapshots() + 1).build();
            return new Outcome(null, List.of(), counted, false);
        }
        RuleResult result = HighSeverityAlertEmailRule.evaluate(snapshot, profile);
        Verdict verdict = result.verdict();
        boolean good = verdict != Verdict.ERROR;
        String findingId = Ids.finding(sub, result.ruleId(), profile.id());
        String eventId = Ids.event("evaluation", sub, snapshot.getRunId(), String.valueOf(collectedAt.toEpochMilli()),
                result.ruleId(), result.ruleVersion(), profile.id());
        Instant since = previous == null || previous.getVerdict() != verdict ? collectedAt : previous.getSince();
        Instant firstSeen = previous == null ? collectedAt : previous.getFirstSeenAt();
        String tenant = snapshot.getTenantId() != null ? snapshot.getTenantId()
                : previous == null ? null : previous.getTenantId();

        ComplianceFinding finding = ComplianceFinding.newBuilder()
                .setFindingId(findingId)
                .setEventId(eventId)
                .setSubscriptionId(sub)
                .setTenantId(tenant)
                .setRuleId(result.ruleId())
                .setRuleVersion(result.ruleVersion())
                .setProfile(profile.id())
                .setVerdict(verdict)
                .setReasons(result.reasons())
                .setEvidence(result.evidence())
                .setWarnings(result.warnings())
                .setCollectionStatus(snapshot.getStatus())
                .setRunId(snapshot.getRunId())
                .setCollectedAt(collectedAt)
                .setEvaluatedAt(Instant.ofEpochMilli(now))
                .setFirstSeenAt(firstSeen)
                .setLastStatusChangeAt(since)
                .setActivity(previous == null ? FindingActivity.CREATE : FindingActivity.UPDATE)
                .build();

        List<DriftEvent> drift = new ArrayList<>();
        if (previous != null) {
            DriftEvent.Builder base = DriftEvent.newBuilder()
                    .setEventId(eventId)
                    .setKind(DriftKind.CONFIG_CHANGED)
                    .setSeverity(DriftSeverity.MEDIUM)
                    .setFindingId(findingId)
                    .setSubscriptionId(sub)
                    .setTenantId(tenant)
                    .setRuleId(result.ruleId())
                    .setRuleVersion(result.ruleVersion())
                    .setPreviousRuleVersion(previous.getRuleVersion().equals(result.ruleVersion()) ? null : previous.getRuleVersion())
                    .setProfile(profile.id())
                    .setReasons(result.reasons())
                    .setCollectedAt(collectedAt)
                    .setDetectedAt(Instant.ofEpochMilli(now))
                    .setCurrentVerdict(verdict);
            if (!good) {
                if (previous.getVerdict() != Verdict.ERROR) {
                    drift.add(event(base, eventId, DriftKind.EVALUATION_ERROR, previous.getVerdict(),
                            previous.getLastCollectedAt(), List.of()));
                }
            } else {
                Verdict lastGood = previous.getLastGoodVerdict();
                List<FieldChange> changes = lastGood == null
                        ? List.of() : ConfigurationDiff.between(previous.getContacts(), result.contacts());
                Instant comparedAt = previous.getLastGoodCollectedAt();
                if (previous.getVerdict() == Verdict.ERROR) {
                    drift.add(event(base, eventId, DriftKind.EVALUATION_RECOVERED, lastGood, comparedAt, changes));
                }
                boolean ruleChanged = !previous.getRuleVersion().equals(result.ruleVersion())
                        || !previous.getProfile().equals(profile.id());
                if (lastGood != null) {
                    DriftKind kind = null;
                    if (lastGood != verdict) {
                        kind = changes.isEmpty() && ruleChanged ? DriftKind.REEVALUATED
                                : verdict == Verdict.FAIL ? DriftKind.REGRESSED : DriftKind.REMEDIATED;
                    } else if (!changes.isEmpty()) {
                        kind = DriftKind.CONFIG_CHANGED;
                    } else if (ruleChanged) {
                        kind = DriftKind.REEVALUATED;
                    }
                    if (kind != null) {
                        drift.add(event(base, eventId, kind, lastGood, comparedAt, changes));
                    }
                }
            }
            if (previous.getStale()) {
                drift.add(event(base, eventId, DriftKind.STALE_RESOLVED, previous.getVerdict(),
                        previous.getLastCollectedAt(), List.of()));
            }
        }

        PostureState.Builder posture = PostureState.newBuilder()
                .setSubscriptionId(sub)
                .setTenantId(tenant)
                .setFindingId(findingId)
                .setVerdict(verdict)
                .setLastGoodVerdict(good ? verdict : previous == null ? null : previous.getLastGoodVerdict())
                .setSince(since)
                .setFirstSeenAt(firstSeen)
                .setLastCollectedAt(collectedAt)
                .setLastEvaluatedAt(Instant.ofEpochMilli(now))
                .setRuleId(result.ruleId())
                .setRuleVersion(result.ruleVersion())
                .setProfile(profile.id())
                .setReasons(result.reasons())
                .setStale(false)
                .setContacts(good ? result.contacts() : previous == null ? List.of() : previous.getContacts())
                .setLastGoodCollectedAt(good ? collectedAt : previous == null ? null : previous.getLastGoodCollectedAt())
                .setConsecutiveErrors(good ? 0 : previous == null ? 1 : previous.getConsecutiveErrors() + 1)
                .setLateSnapshots(previous == null ? 0 : previous.getLateSnapshots())
                .setLastFindingEventId(eventId);
        // the summary follows the last good configuration: recomputed only when that changed
        boolean sameContacts = previous != null && (!good || previous.getContacts().equals(result.contacts()));
        posture.setSummary(sameContacts ? previous.getSummary() : ConfigurationDiff.summary(posture.getContacts()));
        return new Outcome(finding, List.copyOf(drift), posture.build(), true);
    }

    /** The subscription left the estate (a tombstone on the snapshots topic) at {@code removedAt}. */
    public Outcome onRemoved(PostureState previous, long removedAt, long now) {
        if (previous == null) {
            return new Outcome(null, List.of(), null, false);
        }
        String sub = previous.getSubscriptionId();
        String at = String.valueOf(removedAt);
        List<Reason> reasons = List.of(new Reason(ReasonCode.SUBSCRIPTION_REMOVED.name(),
                "the subscription is no longer visible to the collector; its finding is closed"));
        ComplianceFinding close = ComplianceFinding.newBuilder()
                .setFindingId(previous.getFindingId())
                .setEventId(Ids.event("close", sub, at))
                .setSubscriptionId(sub)
                .setTenantId(previous.getTenantId())
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
                .build();
        DriftEvent removed = DriftEvent.newBuilder()
                .setEventId(Ids.event("drift", sub, at, DriftKind.SUBSCRIPTION_REMOVED.name()))
                .setFindingId(previous.getFindingId())
                .setSubscriptionId(sub)
                .setTenantId(previous.getTenantId())
                .setKind(DriftKind.SUBSCRIPTION_REMOVED)
                .setSeverity(severity(DriftKind.SUBSCRIPTION_REMOVED))
                .setPreviousVerdict(previous.getVerdict())
                .setCurrentVerdict(null)
                .setRuleId(previous.getRuleId())
                .setRuleVersion(previous.getRuleVersion())
                .setProfile(previous.getProfile())
                .setReasons(reasons)
                .setPreviousCollectedAt(previous.getLastCollectedAt())
                .setCollectedAt(Instant.ofEpochMilli(removedAt))
                .setDetectedAt(Instant.ofEpochMilli(now))
                .build();
        return new Outcome(close, List.of(removed), null, true);
    }

    /** Wall-clock check: flags the subscription STALE once when no snapshot arrived within {@code window}. */
    public Outcome onClock(PostureState state, long now, Duration window) {
        if (state.getStale() || now - state.getLastCollectedAt().toEpochMilli() <= window.toMillis()) {
            return null;
        }
        String sub = state.getSubscriptionId();
        List<Reason> reasons = List.of(new Reason(ReasonCode.SNAPSHOT_STALE.name(),
                "no snapshot since " + state.getLastCollectedAt() + " (staleness window " + window
                        + "): the collector may be down; the last verdict " + state.getVerdict() + " is not current"));
        DriftEvent stale = DriftEvent.newBuilder()
                .setEventId(Ids.event("drift", sub, String.valueOf(state.getLastCollectedAt().toEpochMilli()), DriftKind.STALE.name()))
                .setFindingId(state.getFindingId())
                .setSubscriptionId(sub)
                .setTenantId(state.getTenantId())
                .setKind(DriftKind.STALE)
                .setSeverity(severity(DriftKind.STALE))
                .setPreviousVerdict(state.getVerdict())
                .setCurrentVerdict(null)
                .setRuleId(state.getRuleId())
                .setRuleVersion(state.getRuleVersion())
                .setProfile(state.getProfile())
                .setReasons(reasons)
                .setPreviousCollectedAt(state.getLastCollectedAt())
                .setCollectedAt(null)
                .setDetectedAt(Instant.ofEpochMilli(now))
                .build();
        PostureState flagged = PostureState.newBuilder(state).setStale(true).build();
        return new Outcome(null, List.of(stale), flagged, true);
    }

    /** Routing severity: REGRESSED and STALE are HIGH. */
    public static DriftSeverity severity(DriftKind kind) {
        return switch (kind) {
            case REGRESSED, STALE -> DriftSeverity.HIGH;
            case CONFIG_CHANGED, EVALUATION_ERROR, SUBSCRIPTION_REMOVED -> DriftSeverity.MEDIUM;
            case REMEDIATED, EVALUATION_RECOVERED, STALE_RESOLVED -> DriftSeverity.LOW;
            case REEVALUATED -> DriftSeverity.INFO;
        };
    }

    private static DriftEvent event(DriftEvent.Builder base, String causeId, DriftKind kind, Verdict previous,
                                    Instant previousCollectedAt, List<FieldChange> changes) {
        return DriftEvent.newBuilder(base.build())
                .setEventId(Ids.event("drift", causeId, kind.name()))
                .setKind(kind)
                .setSeverity(severity(kind))
                .setPreviousVerdict(previous)
                .setPreviousCollectedAt(previousCollectedAt)
                .setChanges(changes)
                .build();
    }
}

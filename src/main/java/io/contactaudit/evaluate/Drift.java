package io.contactaudit.evaluate;

import io.contactaudit.exceptions.Exceptions;
import io.contactaudit.schema.ComplianceException;
import io.contactaudit.schema.ComplianceFinding;
import io.contactaudit.schema.DriftEvent;
import io.contactaudit.schema.DriftKind;
import io.contactaudit.schema.DriftSeverity;
import io.contactaudit.schema.ExceptionRef;
import io.contactaudit.schema.FieldChange;
import io.contactaudit.schema.PostureState;
import io.contactaudit.schema.Reason;
import io.contactaudit.schema.Verdict;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Where drift is decided: which {@link DriftEvent}s follow an evaluation, a removal or the passing of time, with
 * their severity and field-level before/after ({@link ContactChanges}).
 *
 * <p>An ERROR never erases the last good verdict and configuration: EVALUATION_ERROR keeps them, and a recovery
 * (EVALUATION_RECOVERED) is compared against them, followed by REGRESSED or REMEDIATED when the verdict differs.
 * A change of rule version or profile alone is REEVALUATED, never configuration drift.
 */
final class Drift {

    private Drift() {}

    /** Routing severity: REGRESSED and STALE are HIGH. */
    static DriftSeverity severity(DriftKind kind) {
        return switch (kind) {
            case REGRESSED, STALE, EXCEPTION_REVOKED, EXCEPTION_EXPIRED -> DriftSeverity.HIGH;
            case CONFIG_CHANGED, EVALUATION_ERROR, SUBSCRIPTION_REMOVED, EXCEPTION_GRANTED -> DriftSeverity.MEDIUM;
            case REMEDIATED, EVALUATION_RECOVERED, STALE_RESOLVED -> DriftSeverity.LOW;
            case REEVALUATED -> DriftSeverity.INFO;
        };
    }

    /**
     * Whether an evaluation to {@code verdict} of a subscription whose state was {@code previous} is followed by drift,
     * given the field changes of its configuration since the last good one and whether the rule version or profile
     * changed: the test {@link #afterEvaluation} makes, without building anything.
     */
    static boolean follows(PostureState previous, Verdict verdict, List<FieldChange> changes, boolean ruleChanged) {
        if (previous.getStale()) {
            return true;
        }
        if (verdict == Verdict.ERROR) {
            return previous.getVerdict() != Verdict.ERROR;
        }
        Verdict lastGood = previous.getLastGoodVerdict();
        return previous.getVerdict() == Verdict.ERROR
                || lastGood != null && (lastGood != verdict || !changes.isEmpty() || ruleChanged);
    }

    /**
     * The drift of the suppression of a subscription's verdict {@code verdict} going from {@code before} to
     * {@code after} (each the exception it is suppressed under, or null), {@code exceptions} being the subscription's
     * exceptions at {@code now}: EXCEPTION_GRANTED when a FAIL becomes suppressed (or under another exception);
     * EXCEPTION_EXPIRED when the one it was suppressed under has expired and none other covers it; EXCEPTION_REVOKED
     * when it was revoked, or no longer covers the failure reasons; null when nothing changed, or when the verdict is no
     * longer a FAIL (REMEDIATED or EVALUATION_ERROR tell that).
     */
    static DriftKind exceptionKind(
            ExceptionRef before,
            ExceptionRef after,
            Verdict verdict,
            Collection<ComplianceException> exceptions,
            long now) {
        if (after != null) {
            return before == null || !before.getExceptionId().equals(after.getExceptionId())
                    ? DriftKind.EXCEPTION_GRANTED
                    : null;
        }
        if (before == null || verdict != Verdict.FAIL) {
            return null;
        }
        for (ComplianceException e : exceptions) {
            if (e.getExceptionId().equals(before.getExceptionId())) {
                return e.getRevokedAt() == null && Exceptions.expired(e, Instant.ofEpochMilli(now))
                        ? DriftKind.EXCEPTION_EXPIRED
                        : DriftKind.EXCEPTION_REVOKED;
            }
        }
        // gone from the exceptions topic (a tombstone): it no longer applies, as if revoked
        return before.getExpiresAt().toEpochMilli() <= now ? DriftKind.EXCEPTION_EXPIRED : DriftKind.EXCEPTION_REVOKED;
    }

    /**
     * An exception drift event ({@code kind}, naming {@code exception}) of the finding {@code finding} that restates
     * the verdict of {@code state}.
     */
    static DriftEvent exception(ComplianceFinding finding, PostureState state, DriftKind kind, ExceptionRef exception) {
        DriftEvent event = event(finding, null, kind, state.getVerdict(), state.getLastCollectedAt(), List.of());
        event.setException(exception);
        return event;
    }

    /**
     * The drift of an evaluation ({@code finding}) of a subscription whose state was {@code previous}: {@code changes}
     * are the field changes from the last good configuration, {@code ruleChanged} whether the rule version or the
     * profile differs from the previous evaluation's; {@code exceptionDrift}, when not null, is the exception drift
     * that follows, naming {@code exception} ({@link #exceptionKind}).
     */
    static List<DriftEvent> afterEvaluation(
            PostureState previous,
            ComplianceFinding finding,
            List<FieldChange> changes,
            boolean ruleChanged,
            DriftKind exceptionDrift,
            ExceptionRef exception) {
        List<DriftEvent> drift = new ArrayList<>(afterEvaluation(previous, finding, changes, ruleChanged));
        if (exceptionDrift != null) {
            DriftEvent event = event(
                    finding,
                    previous.getRuleVersion().equals(finding.getRuleVersion()) ? null : previous.getRuleVersion(),
                    exceptionDrift,
                    previous.getVerdict(),
                    previous.getLastCollectedAt(),
                    List.of());
            event.setException(exception);
            drift.add(event);
        }
        return List.copyOf(drift);
    }

    /**
     * The drift of an evaluation ({@code finding}) of a subscription whose state was {@code previous}: {@code changes}
     * are the field changes from the last good configuration, {@code ruleChanged} whether the rule version or the
     * profile differs from the previous evaluation's.
     */
    static List<DriftEvent> afterEvaluation(
            PostureState previous, ComplianceFinding finding, List<FieldChange> changes, boolean ruleChanged) {
        Verdict verdict = finding.getVerdict();
        String previousRuleVersion =
                previous.getRuleVersion().equals(finding.getRuleVersion()) ? null : previous.getRuleVersion();
        List<DriftEvent> drift = new ArrayList<>(2);
        if (verdict == Verdict.ERROR) {
            if (previous.getVerdict() != Verdict.ERROR) {
                drift.add(event(
                        finding,
                        previousRuleVersion,
                        DriftKind.EVALUATION_ERROR,
                        previous.getVerdict(),
                        previous.getLastCollectedAt(),
                        List.of()));
            }
        } else {
            Verdict lastGood = previous.getLastGoodVerdict();
            Instant comparedAt = previous.getLastGoodCollectedAt();
            if (previous.getVerdict() == Verdict.ERROR) {
                drift.add(event(
                        finding, previousRuleVersion, DriftKind.EVALUATION_RECOVERED, lastGood, comparedAt, changes));
            }
            if (lastGood != null) {
                DriftKind kind = null;
                if (lastGood != verdict) {
                    kind = changes.isEmpty() && ruleChanged
                            ? DriftKind.REEVALUATED
                            : verdict == Verdict.FAIL ? DriftKind.REGRESSED : DriftKind.REMEDIATED;
                } else if (!changes.isEmpty()) {
                    kind = DriftKind.CONFIG_CHANGED;
                } else if (ruleChanged) {
                    kind = DriftKind.REEVALUATED;
                }
                if (kind != null) {
                    drift.add(event(finding, previousRuleVersion, kind, lastGood, comparedAt, changes));
                }
            }
        }
        if (previous.getStale()) {
            drift.add(event(
                    finding,
                    previousRuleVersion,
                    DriftKind.STALE_RESOLVED,
                    previous.getVerdict(),
                    previous.getLastCollectedAt(),
                    List.of()));
        }
        return List.copyOf(drift);
    }

    /** SUBSCRIPTION_REMOVED: the subscription left the estate at {@code removedAt}. */
    static DriftEvent removed(PostureState previous, List<Reason> reasons, long removedAt, long now) {
        return ended(previous, DriftKind.SUBSCRIPTION_REMOVED, String.valueOf(removedAt), reasons)
                .setCollectedAt(Instant.ofEpochMilli(removedAt))
                .setDetectedAt(Instant.ofEpochMilli(now))
                .build();
    }

    /** STALE: no snapshot since the state's last one, for longer than {@code window}. */
    static DriftEvent stale(PostureState state, List<Reason> reasons, long now) {
        return ended(
                        state,
                        DriftKind.STALE,
                        String.valueOf(state.getLastCollectedAt().toEpochMilli()),
                        reasons)
                .setCollectedAt(null)
                .setDetectedAt(Instant.ofEpochMilli(now))
                .build();
    }

    /** A drift event that leaves the subscription without a current verdict (removed or stale). */
    private static DriftEvent.Builder ended(PostureState state, DriftKind kind, String at, List<Reason> reasons) {
        return DriftEvent.newBuilder()
                .setEventId(Ids.event("drift", state.getSubscriptionId(), at, kind.name()))
                .setFindingId(state.getFindingId())
                .setSubscriptionId(state.getSubscriptionId())
                .setTenantId(state.getTenantId())
                .setTenantName(state.getTenantName())
                .setReadThroughTenantId(state.getReadThroughTenantId())
                .setKind(kind)
                .setSeverity(severity(kind))
                .setPreviousVerdict(state.getVerdict())
                .setCurrentVerdict(null)
                .setRuleId(state.getRuleId())
                .setRuleVersion(state.getRuleVersion())
                .setProfile(state.getProfile())
                .setReasons(reasons)
                .setPreviousCollectedAt(state.getLastCollectedAt())
                .setSuppressed(state.getSuppressed())
                .setException(state.getException());
    }

    /** A drift event caused by the evaluation {@code finding}. */
    private static DriftEvent event(
            ComplianceFinding finding,
            String previousRuleVersion,
            DriftKind kind,
            Verdict previous,
            Instant previousCollectedAt,
            List<FieldChange> changes) {
        return DriftEvent.newBuilder()
                .setEventId(Ids.event("drift", finding.getEventId(), kind.name()))
                .setKind(kind)
                .setSeverity(severity(kind))
                .setFindingId(finding.getFindingId())
                .setSubscriptionId(finding.getSubscriptionId())
                .setTenantId(finding.getTenantId())
                .setTenantName(finding.getTenantName())
                .setReadThroughTenantId(finding.getReadThroughTenantId())
                .setRuleId(finding.getRuleId())
                .setRuleVersion(finding.getRuleVersion())
                .setPreviousRuleVersion(previousRuleVersion)
                .setProfile(finding.getProfile())
                .setReasons(finding.getReasons())
                .setCollectedAt(finding.getCollectedAt())
                .setDetectedAt(finding.getEvaluatedAt())
                .setCurrentVerdict(finding.getVerdict())
                .setPreviousVerdict(previous)
                .setPreviousCollectedAt(previousCollectedAt)
                .setChanges(changes)
                .setTriggerEventId(finding.getTriggerEventId())
                .setTriggerEventTime(finding.getTriggerEventTime())
                .setSuppressed(finding.getSuppressed())
                .setException(finding.getException())
                .build();
    }
}

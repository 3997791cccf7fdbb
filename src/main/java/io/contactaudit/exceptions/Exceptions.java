package io.contactaudit.exceptions;

import io.contactaudit.schema.ComplianceException;
import io.contactaudit.schema.ExceptionRef;
import io.contactaudit.schema.Reason;
import io.contactaudit.schema.Verdict;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * What an exception covers, and the key it is kept under. Pure: the evaluator and the {@code exceptions} command
 * decide with the same code.
 *
 * <p>A FAIL is suppressed when one exception to the rule, for its subscription, is active (approved, not revoked, not
 * expired) and lists every reason code of the FAIL. A PASS is simply PASS; an ERROR (state unknown) is never suppressed.
 * When several exceptions cover the same FAIL, the one that ends last is named.
 */
public final class Exceptions {

    /** What the key of a subscription's exceptions starts with, before the subscription id. */
    public static final String SUBSCRIPTION_SCOPE = "/subscriptions/";

    private static final String SEPARATOR = "/exceptions/";

    private Exceptions() {}

    /** The scope of one subscription: {@code /subscriptions/<id>}, lower case. */
    public static String subscriptionScope(String subscriptionId) {
        return SUBSCRIPTION_SCOPE + subscriptionId.toLowerCase(Locale.ROOT);
    }

    /** The key of an exception on its topic: its scope, {@code /exceptions/} and its id. */
    public static String key(ComplianceException e) {
        return e.getScope() + SEPARATOR + e.getExceptionId();
    }

    /** An exception's state at an instant. */
    public enum State {
        ACTIVE,
        EXPIRED,
        REVOKED
    }

    /** The state of {@code e} at {@code now}: REVOKED once revoked, else ACTIVE until it expires, then EXPIRED. */
    public static State state(ComplianceException e, Instant now) {
        return e.getRevokedAt() != null ? State.REVOKED : active(e, now) ? State.ACTIVE : State.EXPIRED;
    }

    /** Whether {@code e} is in force at {@code now}: not revoked and not yet expired. */
    public static boolean active(ComplianceException e, Instant now) {
        return e.getRevokedAt() == null && now.isBefore(e.getExpiresAt());
    }

    /** Whether {@code e} had expired at {@code now} (whether or not it was revoked before). */
    public static boolean expired(ComplianceException e, Instant now) {
        return !now.isBefore(e.getExpiresAt());
    }

    /**
     * The exception a result of {@code verdict} with {@code reasons} under rule {@code ruleId} is suppressed under at
     * {@code now}, among {@code candidates} (the exceptions of its subscription); null when it is not suppressed.
     * Without candidates the reasons are not read (the evaluator does not decode them then: they may be null).
     */
    public static ComplianceException covering(
            Collection<ComplianceException> candidates,
            String ruleId,
            Verdict verdict,
            List<Reason> reasons,
            Instant now) {
        if (verdict != Verdict.FAIL || candidates.isEmpty() || reasons.isEmpty()) {
            return null;
        }
        ComplianceException best = null;
        for (ComplianceException e : candidates) {
            if (e.getRuleId().equals(ruleId)
                    && active(e, now)
                    && covers(e, reasons)
                    && (best == null || e.getExpiresAt().isAfter(best.getExpiresAt()))) {
                best = e;
            }
        }
        return best;
    }

    /**
     * The active exception to rule {@code ruleId} for {@code subscriptionId} among {@code all} at {@code now}, whatever
     * it covers (the one that ends last); null when there is none. Remediation leaves such a subscription alone.
     */
    public static ComplianceException activeFor(
            Collection<ComplianceException> all, String subscriptionId, String ruleId, Instant now) {
        ComplianceException found = null;
        for (ComplianceException e : all) {
            if (subscriptionId.equalsIgnoreCase(e.getSubscriptionId())
                    && e.getRuleId().equals(ruleId)
                    && active(e, now)
                    && (found == null || e.getExpiresAt().isAfter(found.getExpiresAt()))) {
                found = e;
            }
        }
        return found;
    }

    /** Whether {@code e} lists every code among {@code reasons}. */
    public static boolean covers(ComplianceException e, List<Reason> reasons) {
        for (Reason r : reasons) {
            if (!e.getReasonCodes().contains(r.getCode())) {
                return false;
            }
        }
        return true;
    }

    /** How findings, postures and drift events name {@code e}; null for null. */
    public static ExceptionRef ref(ComplianceException e) {
        return e == null
                ? null
                : new ExceptionRef(
                        e.getExceptionId(), e.getCategory(), e.getExpiresAt(), e.getApprovedBy(), e.getTicket());
    }
}

package io.contactaudit.exceptions;

import io.contactaudit.rule.HighSeverityAlertEmailRule;
import io.contactaudit.rule.ReasonCode;
import io.contactaudit.schema.ComplianceException;
import io.contactaudit.schema.ExceptionCategory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What someone asks for when they grant an exception, checked before it is written: {@link #validate} gives every
 * problem at once, in words; {@link #toRecord} the record to write.
 *
 * @param subscriptionId      the subscription
 * @param category            WAIVER or MITIGATED
 * @param reasonCodes         the failure reason codes it covers; null while not known yet (the command fills in the
 *                            subscription's current ones), which {@link #validate} leaves unchecked
 * @param justification       why
 * @param compensatingControl the control that meets the requirement instead (required for MITIGATED)
 * @param ticket              change or risk ticket, may be null
 * @param requestedBy         who asks
 * @param approvedBy          who approves (never the requester)
 * @param approvedAt          when it was approved
 * @param expiresAt           when it ends (required)
 */
public record ExceptionRequest(
        String subscriptionId,
        ExceptionCategory category,
        List<String> reasonCodes,
        String justification,
        String compensatingControl,
        String ticket,
        String requestedBy,
        String approvedBy,
        Instant approvedAt,
        Instant expiresAt) {

    /** The reason codes of a FAIL: what an exception may cover. */
    public static final Set<ReasonCode> FAILURE_CODES = EnumSet.of(
            ReasonCode.NO_CONTACTS,
            ReasonCode.CONTACT_DISABLED,
            ReasonCode.NOT_ENABLED,
            ReasonCode.NO_ALERT_SOURCE,
            ReasonCode.ALERT_NOTIFICATIONS_OFF,
            ReasonCode.SEVERITY_NOT_ACCEPTED,
            ReasonCode.NO_ALERT_SETTING);

    /**
     * Every problem with this request at {@code now}, given the longest an exception may run ({@code maximum}); empty
     * when it can be written.
     */
    public List<String> validate(Instant now, Duration maximum) {
        List<String> problems = new ArrayList<>();
        if (subscriptionId == null || subscriptionId.isBlank()) {
            problems.add("no subscription: give --subscription");
        }
        if (category == null) {
            problems.add("no category: WAIVER (risk accepted) or MITIGATED (met another way)");
        }
        if (blank(justification)) {
            problems.add("no justification: say why the control may fail (--justification)");
        }
        if (category == ExceptionCategory.MITIGATED && blank(compensatingControl)) {
            problems.add("MITIGATED needs the control that meets the requirement instead (--compensating-control)");
        }
        if (blank(requestedBy)) {
            problems.add("no requester (--requested-by)");
        }
        if (blank(approvedBy)) {
            problems.add("no approver (--approved-by)");
        }
        if (!blank(requestedBy) && !blank(approvedBy) && requestedBy.trim().equalsIgnoreCase(approvedBy.trim())) {
            problems.add("the requester cannot approve their own exception (" + approvedBy.trim() + ")");
        }
        if (approvedAt != null && approvedAt.isAfter(now.plus(Duration.ofMinutes(5)))) {
            problems.add("approved at " + approvedAt + ", which is in the future");
        }
        if (expiresAt == null) {
            problems.add("no expiry: every exception ends (--expires 2027-06-30 or --expires P90D, at most "
                    + text(maximum) + " after approval)");
        } else if (!expiresAt.isAfter(now)) {
            problems.add("expiry " + expiresAt + " is in the past");
        } else if (approvedAt != null && expiresAt.isAfter(approvedAt.plus(maximum))) {
            problems.add("expiry " + expiresAt + " is beyond the maximum of " + text(maximum) + " after approval ("
                    + approvedAt.plus(maximum) + "; exceptions.max.duration)");
        }
        if (reasonCodes == null) {
            return problems;
        }
        if (reasonCodes.isEmpty()) {
            problems.add("no reason codes covered: name them (--reasons), one or more of " + failureCodes());
        } else {
            for (String code : reasonCodes) {
                if (FAILURE_CODES.stream().noneMatch(c -> c.name().equals(code))) {
                    problems.add("'" + code + "' is not a failure reason code; one of " + failureCodes());
                }
            }
        }
        return problems;
    }

    /** The record to write, as {@code id}, written at {@code now} by {@code createdBy} from {@code source}. */
    public ComplianceException toRecord(String id, Instant now, String createdBy, String source) {
        String sub = subscriptionId.trim().toLowerCase(Locale.ROOT);
        return ComplianceException.newBuilder()
                .setExceptionId(id)
                .setScope(Exceptions.subscriptionScope(sub))
                .setSubscriptionId(sub)
                .setRuleId(HighSeverityAlertEmailRule.ID)
                .setCategory(category)
                .setReasonCodes(List.copyOf(reasonCodes))
                .setJustification(justification.trim())
                .setCompensatingControl(blank(compensatingControl) ? null : compensatingControl.trim())
                .setTicket(blank(ticket) ? null : ticket.trim())
                .setRequestedBy(requestedBy.trim())
                .setApprovedBy(approvedBy.trim())
                .setApprovedAt(approvedAt)
                .setExpiresAt(expiresAt)
                .setCreatedAt(now)
                .setCreatedBy(createdBy)
                .setSource(source)
                .build();
    }

    private static String failureCodes() {
        return FAILURE_CODES.stream().map(Enum::name).collect(Collectors.joining(", "));
    }

    /** P365D rather than PT8760H. */
    private static String text(Duration d) {
        return d.toSeconds() % 86_400 == 0 ? "P" + d.toDays() + "D" : d.toString();
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}

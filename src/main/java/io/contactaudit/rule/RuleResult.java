package io.contactaudit.rule;

import io.contactaudit.schema.Evidence;
import io.contactaudit.schema.NormalizedContact;
import io.contactaudit.schema.Reason;
import io.contactaudit.schema.Verdict;
import java.util.List;

/**
 * The rule's verdict on one subscription's contacts, with everything needed to explain it.
 *
 * @param ruleId         {@link HighSeverityAlertEmailRule#ID}
 * @param ruleVersion    {@link HighSeverityAlertEmailRule#VERSION}
 * @param profile        the profile evaluated
 * @param verdict        PASS, FAIL or ERROR
 * @param reasons        why this verdict, most important first
 * @param evidence       the values looked at, with their paths and what each contributed
 * @param warnings       what does not change the verdict (no recipients, unknown source types, partial list)
 * @param subscriptionId the subscription, from the snapshot or the contacts' ids; null when unknown
 * @param contacts       the contacts, normalised
 */
public record RuleResult(
        String ruleId,
        String ruleVersion,
        Profile profile,
        Verdict verdict,
        List<Reason> reasons,
        List<Evidence> evidence,
        List<Reason> warnings,
        String subscriptionId,
        List<NormalizedContact> contacts) {

    /** Codes of the reasons, in order. */
    public List<String> reasonCodes() {
        return reasons.stream().map(Reason::getCode).toList();
    }

    /** Codes of the warnings, in order. */
    public List<String> warningCodes() {
        return warnings.stream().map(Reason::getCode).toList();
    }
}

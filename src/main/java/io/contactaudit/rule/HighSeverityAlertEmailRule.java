package io.contactaudit.rule;

import io.contactaudit.schema.CollectionStatus;
import io.contactaudit.schema.Evidence;
import io.contactaudit.schema.Reason;
import io.contactaudit.schema.SecurityContactSnapshot;
import io.contactaudit.schema.Verdict;
import java.util.ArrayList;
import java.util.List;

/**
 * CIS Azure 1.3.0 §2.14 (Datadog {@code mqv-bcv-0kp}): some security contact of the subscription sends
 * e-mail notifications about High-severity Defender for Cloud alerts. A pure function from a
 * securityContacts list response (or a collector snapshot) to a {@link RuleResult}; the semantics are
 * those of {@code RULE.md}:
 *
 * <ul>
 *   <li>PASS when some contact passes (existential: one is enough, even on a partial list);</li>
 *   <li>ERROR when the body cannot be read as a list, some contact is unevaluable, or pages are missing;</li>
 *   <li>FAIL otherwise, including an empty list.</li>
 * </ul>
 */
public final class HighSeverityAlertEmailRule {

    /** Rule id carried on every result. */
    public static final String ID = "cis-azure-1.3.0-2.14";
    /** The source rule's id. */
    public static final String ALIAS = "mqv-bcv-0kp";
    /** Version of this implementation; a change of it alone is re-evaluation, not drift. */
    public static final String VERSION = "1.1.0";
    /** Human title of the control. */
    public static final String TITLE =
            "Defender for Cloud sends e-mail notifications about High-severity security alerts";

    static final String PASSED = "PASSED";
    static final String FAILED = "FAILED";
    static final String UNEVALUABLE = "UNEVALUABLE";

    private HighSeverityAlertEmailRule() {}

    /** Evaluates one securityContacts list-response body. */
    public static RuleResult evaluate(String body, Profile profile) {
        return evaluate(SecurityContactsNormalizer.parse(body), profile);
    }

    /**
     * Evaluates one body as read from a file, standard input or the network (see {@link ResponseBody#read}):
     * larger than {@link ResponseBody#MAX_BYTES} or not UTF-8 is an ERROR, never parsed.
     */
    public static RuleResult evaluate(byte[] body, Profile profile) {
        try {
            return evaluate(ResponseBody.decode(body), profile);
        } catch (ResponseBody.Rejected e) {
            return new RuleResult(
                    ID,
                    VERSION,
                    profile,
                    Verdict.ERROR,
                    List.of(reason(e.code(), e.getMessage())),
                    List.of(evidence(null, new Seen("$", null), UNEVALUABLE)),
                    List.of(),
                    null,
                    List.of());
        }
    }

    /**
     * Evaluates a collector snapshot: a collection failure is an ERROR with its cause, never a PASS;
     * otherwise the rule runs on the raw response pages.
     */
    public static RuleResult evaluate(SecurityContactSnapshot snapshot, Profile profile) {
        if (snapshot.getStatus() != CollectionStatus.OK) {
            return collectionFailed(snapshot, profile);
        }
        RuleResult result = evaluate(SecurityContactsNormalizer.parse(snapshot.getRawBodies()), profile);
        return new RuleResult(
                result.ruleId(),
                result.ruleVersion(),
                profile,
                result.verdict(),
                result.reasons(),
                result.evidence(),
                result.warnings(),
                snapshot.getSubscriptionId(),
                result.contacts());
    }

    /** An ERROR for input that could not be read at all (e.g. a missing file), with its cause. */
    public static RuleResult unreadable(String message, Profile profile) {
        return new RuleResult(
                ID,
                VERSION,
                profile,
                Verdict.ERROR,
                List.of(reason(ReasonCode.INPUT_UNREADABLE, message)),
                List.of(),
                List.of(),
                null,
                List.of());
    }

    /** Evaluates a parsed list. */
    public static RuleResult evaluate(SecurityContactsNormalizer.ParsedList list, Profile profile) {
        List<Reason> passReasons = new ArrayList<>();
        List<Reason> errorReasons = new ArrayList<>();
        List<Reason> failReasons = new ArrayList<>();
        List<Evidence> evidence = new ArrayList<>();
        List<Reason> warnings = new ArrayList<>();

        for (SecurityContactsNormalizer.Problem problem : list.problems()) {
            errorReasons.add(reason(problem.code(), problem.message()));
            evidence.add(evidence(null, problem.seen(), UNEVALUABLE));
        }
        for (Contact contact : list.contacts()) {
            ContactEvaluation e = new ContactEvaluation(contact, profile);
            e.run();
            evidence.addAll(e.evidence);
            warnings.addAll(e.warnings);
            if (e.passReason != null) {
                passReasons.add(e.passReason);
            } else if (contact.unevaluable() != null) {
                errorReasons.add(reason(
                        ReasonCode.CONTACT_UNEVALUABLE,
                        "contact " + contact.label() + " (" + contact.path() + ") cannot be evaluated: "
                                + contact.unevaluable()));
            } else {
                failReasons.addAll(e.failReasons);
            }
        }
        if (list.nextLink() != null) {
            evidence.add(evidence(null, new Seen("$.nextLink", quote(list.nextLink())), UNEVALUABLE));
            Reason incomplete = reason(
                    ReasonCode.INCOMPLETE_LIST,
                    "the list has more pages (nextLink) that were not read: " + list.nextLink());
            if (passReasons.isEmpty()) {
                errorReasons.add(incomplete);
            }
        }
        if (!passReasons.isEmpty()
                && (list.nextLink() != null || !list.problems().isEmpty())) {
            warnings.add(reason(
                    ReasonCode.PARTIAL_LIST,
                    "not every page of the list could be read; one passing contact is enough for PASS"));
        }

        Verdict verdict;
        List<Reason> reasons = new ArrayList<>();
        if (!passReasons.isEmpty()) {
            verdict = Verdict.PASS;
            reasons.addAll(passReasons);
        } else if (!errorReasons.isEmpty()) {
            verdict = Verdict.ERROR;
            reasons.addAll(errorReasons);
            reasons.addAll(failReasons);
        } else {
            verdict = Verdict.FAIL;
            if (list.contacts().isEmpty()) {
                reasons.add(reason(ReasonCode.NO_CONTACTS, "no security contact is configured for the subscription"));
            }
            reasons.addAll(failReasons);
        }
        return new RuleResult(
                ID,
                VERSION,
                profile,
                verdict,
                List.copyOf(reasons),
                List.copyOf(evidence),
                List.copyOf(warnings),
                list.subscriptionId(),
                list.normalized());
    }

    private static RuleResult collectionFailed(SecurityContactSnapshot snapshot, Profile profile) {
        ReasonCode code = switch (snapshot.getStatus()) {
            case FORBIDDEN -> ReasonCode.COLLECTION_FORBIDDEN;
            case NOT_FOUND -> ReasonCode.COLLECTION_NOT_FOUND;
            case THROTTLED -> ReasonCode.COLLECTION_THROTTLED;
            default -> ReasonCode.COLLECTION_ERROR;
        };
        StringBuilder message =
                new StringBuilder("the security contacts could not be read (").append(snapshot.getStatus());
        if (snapshot.getHttpStatus() != null) {
            message.append(", HTTP ").append(snapshot.getHttpStatus());
        }
        message.append(')');
        if (snapshot.getErrorMessage() != null) {
            message.append(": ").append(snapshot.getErrorMessage());
        }
        if (snapshot.getArmRequestId() != null) {
            message.append(" [x-ms-request-id ")
                    .append(snapshot.getArmRequestId())
                    .append(']');
        }
        return new RuleResult(
                ID,
                VERSION,
                profile,
                Verdict.ERROR,
                List.of(reason(code, message.toString())),
                List.of(),
                List.of(),
                snapshot.getSubscriptionId(),
                List.of());
    }

    static Reason reason(ReasonCode code, String message) {
        return new Reason(code.name(), message);
    }

    static Evidence evidence(String contact, Seen seen, String outcome) {
        return new Evidence(contact, seen.path(), seen.json(), outcome);
    }

    private static String quote(String text) {
        return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    /** The evaluation of one contact: every path of every API generation the contact carries. */
    private static final class ContactEvaluation {
        private final Contact c;
        private final Profile profile;
        private final List<Evidence> evidence = new ArrayList<>();
        private final List<Reason> failReasons = new ArrayList<>();
        private final List<Reason> warnings = new ArrayList<>();
        private Reason passReason;

        ContactEvaluation(Contact contact, Profile profile) {
            this.c = contact;
            this.profile = profile;
        }

        void run() {
            String who = "contact " + c.label();
            if (c.unevaluable() != null) {
                evidence.add(evidence(c.label(), new Seen(c.path(), null), UNEVALUABLE));
                return;
            }
            for (Contact.Source source : c.sources()) {
                if (!source.isAlert() && !"AttackPath".equals(source.type())) {
                    warnings.add(reason(
                            ReasonCode.UNKNOWN_SOURCE_TYPE,
                            who + " has a notification source of unknown type "
                                    + (source.type() == null ? "(none)" : "'" + source.type() + "'") + " at "
                                    + source.path() + "; ignored"));
                }
            }
            if (Boolean.FALSE.equals(c.isEnabled())) {
                evidence.add(evidence(c.label(), c.isEnabledSeen(), FAILED));
                failReasons.add(reason(
                        ReasonCode.CONTACT_DISABLED,
                        who + " is disabled (isEnabled: " + c.isEnabledSeen().json() + ")"));
                return;
            }
            if (!c.hasRecipients()) {
                warnings.add(reason(
                        ReasonCode.NO_RECIPIENTS,
                        who + " has no e-mail address and no role notifications:"
                                + " alert e-mails reach nobody (CIS 2.13 and 2.15)"));
            }
            if (c.latestShape()) {
                latest(who);
            }
            if (c.alertSetting() == Contact.AlertSetting.OBJECT) {
                object(who);
            } else if (c.alertSetting() == Contact.AlertSetting.STRING) {
                string(who);
            } else if (!c.latestShape()) {
                evidence.add(evidence(c.label(), new Seen(c.path() + ".properties.alertNotifications", null), FAILED));
                failReasons.add(
                        reason(
                                ReasonCode.NO_ALERT_SETTING,
                                who
                                        + " has no alert notification setting (neither notificationsSources nor alertNotifications)"));
            }
        }

        /** 2023-12-01-preview: isEnabled true and an Alert source with an accepted minimal severity. */
        private void latest(String who) {
            if (!Boolean.TRUE.equals(c.isEnabled())) {
                evidence.add(evidence(c.label(), c.isEnabledSeen(), FAILED));
                failReasons.add(reason(
                        ReasonCode.NOT_ENABLED,
                        who + " has notificationsSources but isEnabled is "
                                + (c.isEnabledSeen().json() == null
                                        ? "absent"
                                        : c.isEnabledSeen().json() + ", not true")));
                return;
            }
            evidence.add(evidence(c.label(), c.isEnabledSeen(), PASSED));
            List<Contact.Source> alerts =
                    c.sources().stream().filter(Contact.Source::isAlert).toList();
            if (alerts.isEmpty()) {
                evidence.add(evidence(c.label(), c.sourcesSeen(), FAILED));
                failReasons.add(reason(ReasonCode.NO_ALERT_SOURCE, who + " has no notification source of type Alert"));
                return;
            }
            for (Contact.Source source : alerts) {
                if (profile.accepts(source.minimalSeverity())) {
                    evidence.add(evidence(c.label(), source.severitySeen(), PASSED));
                    pass(who + " is enabled and e-mails alerts of severity " + source.minimalSeverity()
                            + " or higher, which includes High (" + source.path() + ")");
                } else {
                    evidence.add(evidence(c.label(), source.severitySeen(), FAILED));
                    failReasons.add(severityReason(who, source.minimalSeverity(), source.severitySeen()));
                }
            }
        }

        /** 2020-01-01-preview: alertNotifications {state On, minimalSeverity accepted}. */
        private void object(String who) {
            if (!SecurityContactsNormalizer.same(SecurityContactsNormalizer.ON, c.alertState())) {
                evidence.add(evidence(c.label(), c.alertStateSeen(), FAILED));
                failReasons.add(reason(
                        ReasonCode.ALERT_NOTIFICATIONS_OFF,
                        who + " has alert notifications "
                                + (c.alertState() == null ? "without a state" : "'" + c.alertState() + "'")
                                + " (" + c.alertStateSeen().path() + ")"));
                return;
            }
            evidence.add(evidence(c.label(), c.alertStateSeen(), PASSED));
            if (profile.accepts(c.alertSeverity())) {
                evidence.add(evidence(c.label(), c.alertSeveritySeen(), PASSED));
                pass(who + " has alert notifications On for severity " + c.alertSeverity()
                        + " or higher, which includes High ("
                        + c.alertSeveritySeen().path() + ")");
            } else {
                evidence.add(evidence(c.label(), c.alertSeveritySeen(), FAILED));
                failReasons.add(severityReason(who, c.alertSeverity(), c.alertSeveritySeen()));
            }
        }

        /** 2017-08-01-preview: alertNotifications "On" (every severity). */
        private void string(String who) {
            if (SecurityContactsNormalizer.same(SecurityContactsNormalizer.ON, c.alertState())) {
                evidence.add(evidence(c.label(), c.alertStateSeen(), PASSED));
                pass(who + " has alertNotifications On, which e-mails alerts of every severity ("
                        + c.alertStateSeen().path() + ")");
            } else {
                evidence.add(evidence(c.label(), c.alertStateSeen(), FAILED));
                failReasons.add(reason(
                        ReasonCode.ALERT_NOTIFICATIONS_OFF,
                        who + " has alertNotifications '" + c.alertState() + "' ("
                                + c.alertStateSeen().path() + ")"));
            }
        }

        private Reason severityReason(String who, String severity, Seen seen) {
            String accepted = profile.acceptedSeverities().size() == 1
                    ? profile.acceptedSeverities().get(0) + " only"
                    : String.join(", ", profile.acceptedSeverities());
            return reason(
                    ReasonCode.SEVERITY_NOT_ACCEPTED,
                    who
                            + (severity == null
                                    ? " has no minimal alert severity"
                                    : " e-mails alerts of minimal severity '" + severity + "'")
                            + " at " + seen.path() + "; profile " + profile.id() + " accepts " + accepted);
        }

        private void pass(String message) {
            if (passReason == null) {
                passReason = reason(ReasonCode.ALERT_EMAILS_ENABLED, message);
            }
        }
    }
}

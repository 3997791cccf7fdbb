package io.contactaudit.siem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import io.contactaudit.rule.HighSeverityAlertEmailRule;
import io.contactaudit.schema.ComplianceFinding;
import io.contactaudit.schema.DriftKind;
import io.contactaudit.schema.NormalizedContact;
import io.contactaudit.schema.Reason;
import io.contactaudit.schema.Verdict;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * A {@link ComplianceFinding} as an OCSF 1.8.0 Compliance Finding (class_uid 2003, category_uid 2, Findings),
 * with the cloud profile. Timestamps are epoch milliseconds. What OCSF has no place for (profile, rule
 * version, drift kinds, reason codes, recipients) goes to {@code unmapped}. What the finding does not carry is left
 * out rather than guessed: the subscription's display name ({@code cloud.account.name}), the tenant's name
 * ({@code cloud.org.name}) and a region.
 */
public final class OcsfComplianceFinding {

    /** The OCSF schema version targeted. */
    public static final String OCSF_VERSION = "1.8.0";
    public static final int CLASS_UID = 2003;
    public static final int CATEGORY_UID = 2;
    public static final String STANDARD = "CIS Microsoft Azure Foundations Benchmark v1.3.0";
    public static final String CONTROL = "2.14";
    /** OCSF account type_id of an Azure subscription. */
    public static final int AZURE_SUBSCRIPTION = 13;
    /** {@code metadata.product.uid}: the Maven coordinates, the same for every installation. */
    public static final String PRODUCT_UID = "io.contactaudit:contact-audit";
    /** {@code metadata.log_name} unless told otherwise: the OCSF topic's name under the default prefix. */
    public static final String DEFAULT_LOG_NAME = "contact-audit.findings-ocsf.v1";
    /** Observable type_ids of OCSF 1.8.0 (objects/account.json uid, dictionary types resource_uid_t and email_t). */
    static final int OBSERVABLE_ACCOUNT_UID = 35;
    static final int OBSERVABLE_RESOURCE_UID = 10;
    static final int OBSERVABLE_EMAIL = 5;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final RawValue REMEDIATION = remediation();

    private static RawValue remediation() {
        ObjectNode remediation = JSON.createObjectNode();
        remediation.put("desc", "Set an e-mail notification for alerts of severity High (or a lower minimal severity) on an enabled "
                + "security contact: Defender for Cloud > Environment settings > subscription > Email notifications, or PUT "
                + "/subscriptions/{subscriptionId}/providers/Microsoft.Security/securityContacts/default?api-version=2023-12-01-preview with "
                + "{\"properties\": {\"isEnabled\": true, \"emails\": \"<address>\", "
                + "\"notificationsByRole\": {\"state\": \"On\", \"roles\": [\"Owner\"]}, \"notificationsSources\": "
                + "[{\"sourceType\": \"Alert\", \"minimalSeverity\": \"High\"}]}}");
        remediation.putArray("references")
                .add("https://learn.microsoft.com/en-us/azure/defender-for-cloud/configure-email-notifications")
                .add("https://learn.microsoft.com/en-us/rest/api/defenderforcloud/security-contacts");
        return new RawValue(remediation.toString());
    }

    /** How e-mail recipients appear on the OCSF topic: findings travel to many systems, and addresses are personal data. */
    public enum Redaction {
        /** As collected. */
        NONE,
        /** SHA-256 of the lower-case address, hex. */
        HASH,
        /** Left out. */
        DROP;

        public static Redaction parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("recipient redaction must be none, hash or drop, got '" + text + "'");
            }
        }
    }

    private final String productVersion;
    private final Redaction redaction;
    private final String logName;

    public OcsfComplianceFinding(String productVersion, Redaction redaction) {
        this(productVersion, redaction, DEFAULT_LOG_NAME);
    }

    /**
     * @param productVersion {@code metadata.product.version}
     * @param redaction      how recipients appear
     * @param logName        {@code metadata.log_name}: the name of the OCSF topic the events go to
     */
    public OcsfComplianceFinding(String productVersion, Redaction redaction, String logName) {
        this.productVersion = productVersion;
        this.redaction = redaction;
        this.logName = logName;
    }

    /** {@link #map} as UTF-8 JSON, the value of a record on the OCSF topic. */
    public byte[] encode(ComplianceFinding finding, List<NormalizedContact> contacts, List<DriftKind> drift) {
        try {
            return JSON.writeValueAsBytes(map(finding, contacts, drift));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an OCSF event could not be written as JSON", e);
        }
    }

    /**
     * Maps one finding.
     *
     * @param finding  the finding
     * @param contacts the normalised contacts it was evaluated on (for resources and recipients)
     * @param drift    the drift kinds of the same evaluation, if any
     */
    public ObjectNode map(ComplianceFinding finding, List<NormalizedContact> contacts, List<DriftKind> drift) {
        int activity = switch (finding.getActivity()) {
            case CREATE -> 1;
            case UPDATE -> 2;
            case CLOSE -> 3;
        };
        int complianceStatus = switch (finding.getVerdict()) {
            case PASS -> 1;
            case FAIL -> 3;
            case ERROR -> 2;
        };
        String complianceCaption = switch (complianceStatus) {
            case 1 -> "Pass";
            case 3 -> "Fail";
            default -> "Warning";
        };
        int severity = switch (finding.getVerdict()) {
            case PASS -> 1;
            case ERROR -> 3;
            case FAIL -> 4;
        };
        int findingStatus = activity == 3 ? 5 : finding.getVerdict() == Verdict.PASS ? 4 : 1;
        String message = finding.getVerdict() + ": " + (finding.getReasons().isEmpty() ? HighSeverityAlertEmailRule.TITLE
                : finding.getReasons().get(0).getMessage());
        String statusCode = finding.getReasons().isEmpty() ? finding.getVerdict().name() : finding.getReasons().get(0).getCode();
        List<String> details = finding.getReasons().stream().map(Reason::getMessage).toList();

        ObjectNode event = JSON.createObjectNode();
        event.put("activity_id", activity);
        String activityName = switch (activity) {
            case 1 -> "Create";
            case 2 -> "Update";
            default -> "Close";
        };
        event.put("activity_name", activityName);
        event.put("category_uid", CATEGORY_UID);
        event.put("category_name", "Findings");
        event.put("class_uid", CLASS_UID);
        event.put("class_name", "Compliance Finding");
        event.put("type_uid", CLASS_UID * 100L + activity);
        event.put("type_name", "Compliance Finding: " + activityName);
        event.put("time", millis(finding.getEvaluatedAt()));
        // every time on the event is an epoch instant: UTC
        event.put("timezone_offset", 0);
        event.put("severity_id", severity);
        event.put("severity", switch (severity) {
            case 1 -> "Informational";
            case 3 -> "Medium";
            default -> "High";
        });
        event.put("status_id", findingStatus);
        event.put("status", switch (findingStatus) {
            case 1 -> "New";
            case 4 -> "Resolved";
            default -> "Archived";
        });
        event.put("message", message);
        event.put("status_code", statusCode);
        event.put("status_detail", String.join("; ", details));

        ObjectNode compliance = event.putObject("compliance");
        compliance.put("control", CONTROL);
        compliance.putArray("standards").add(STANDARD);
        compliance.put("status", complianceCaption);
        compliance.put("status_id", complianceStatus);
        compliance.put("status_code", statusCode);
        ArrayNode statusDetails = compliance.putArray("status_details");
        details.forEach(statusDetails::add);
        // deprecated since OCSF 1.4.0 for status_details; kept for one release so that searches on it keep working
        compliance.put("status_detail", String.join("; ", details));

        ObjectNode info = event.putObject("finding_info");
        info.put("uid", finding.getFindingId());
        info.put("title", HighSeverityAlertEmailRule.TITLE);
        info.put("desc", "CIS Azure 1.3.0 2.14 (" + HighSeverityAlertEmailRule.ALIAS + "): security contacts of subscription "
                + finding.getSubscriptionId() + " must e-mail High-severity Defender for Cloud alerts");
        info.put("created_time", millis(finding.getFirstSeenAt() == null ? finding.getCollectedAt() : finding.getFirstSeenAt()));
        info.put("first_seen_time", millis(finding.getFirstSeenAt() == null ? finding.getCollectedAt() : finding.getFirstSeenAt()));
        info.put("last_seen_time", millis(finding.getCollectedAt()));
        info.put("modified_time", millis(finding.getLastStatusChangeAt() == null ? finding.getCollectedAt() : finding.getLastStatusChangeAt()));
        info.putArray("types").add("Security Contact Configuration");
        ObjectNode analytic = info.putObject("analytic");
        analytic.put("uid", finding.getRuleId());
        analytic.put("name", HighSeverityAlertEmailRule.TITLE);
        analytic.put("type_id", 1);
        analytic.put("type", "Rule");
        analytic.put("version", finding.getRuleVersion());

        ObjectNode metadata = event.putObject("metadata");
        metadata.put("version", OCSF_VERSION);
        metadata.put("uid", finding.getEventId());
        metadata.put("log_name", logName);
        if (finding.getTenantId() != null) {
            metadata.put("tenant_uid", finding.getTenantId());
        }
        if (finding.getTriggerEventId() != null) {
            metadata.put("correlation_uid", finding.getTriggerEventId()); // the ARM correlation id of the change that triggered the read
        }
        metadata.putArray("profiles").add("cloud");
        ObjectNode product = metadata.putObject("product");
        product.put("uid", PRODUCT_UID);
        product.put("name", "contact-audit");
        product.put("vendor_name", "contact-audit");
        product.put("version", productVersion);

        ObjectNode cloud = event.putObject("cloud");
        cloud.put("provider", "Azure");
        ObjectNode account = cloud.putObject("account");
        account.put("uid", finding.getSubscriptionId());
        if (finding.getSubscriptionName() != null) {
            account.put("name", finding.getSubscriptionName());
        }
        account.put("type_id", AZURE_SUBSCRIPTION);
        account.put("type", "Azure Subscription");
        if (finding.getTenantId() != null) {
            cloud.putObject("org").put("uid", finding.getTenantId());
        }

        ArrayNode resources = event.putArray("resources");
        String base = "/subscriptions/" + finding.getSubscriptionId() + "/providers/Microsoft.Security/securityContacts";
        if (contacts.isEmpty()) {
            target(resources.addObject().put("uid", base));
        }
        for (NormalizedContact c : contacts) {
            ObjectNode r = resources.addObject();
            r.put("uid", c.getId() != null ? c.getId() : base + "/" + (c.getName() == null ? "" : c.getName()));
            if (c.getName() != null) {
                r.put("name", c.getName());
            }
            target(r);
        }

        ArrayNode observables = event.putArray("observables");
        observable(observables, "cloud.account.uid", OBSERVABLE_ACCOUNT_UID, "Account Object: uid", finding.getSubscriptionId());
        resources.forEach(r -> observable(observables, "resources[].uid", OBSERVABLE_RESOURCE_UID, "Resource UID", r.get("uid").asText()));
        List<String> recipients = contacts.stream().flatMap(c -> c.getEmails().stream()).distinct().toList();
        if (redaction == Redaction.NONE) {
            // no OCSF attribute of a Compliance Finding holds a notification recipient, so these observables have no
            // name (a name must point to a schema attribute; the addresses themselves are in unmapped.recipients)
            recipients.forEach(e -> observable(observables, null, OBSERVABLE_EMAIL, "Email Address", e));
        }

        // the same for every finding: serialised once (escaping this long text was a third of the mapping's cost)
        event.putRawValue("remediation", REMEDIATION);

        ObjectNode unmapped = event.putObject("unmapped");
        unmapped.put("profile", finding.getProfile());
        unmapped.put("rule_id", finding.getRuleId());
        unmapped.put("rule_alias", HighSeverityAlertEmailRule.ALIAS);
        unmapped.put("rule_version", finding.getRuleVersion());
        unmapped.put("verdict", finding.getVerdict().name());
        unmapped.put("collection_status", finding.getCollectionStatus().name());
        unmapped.put("collected_time", millis(finding.getCollectedAt()));
        unmapped.put("trigger", finding.getTriggerEventId() == null ? "poll" : "event");
        if (finding.getTriggerEventTime() != null) {
            unmapped.put("trigger_event_time", millis(finding.getTriggerEventTime()));
        }
        ArrayNode codes = unmapped.putArray("reason_codes");
        finding.getReasons().forEach(r -> codes.add(r.getCode()));
        ArrayNode warnings = unmapped.putArray("warning_codes");
        finding.getWarnings().forEach(w -> warnings.add(w.getCode()));
        ArrayNode kinds = unmapped.putArray("drift_kinds");
        drift.forEach(k -> kinds.add(k.name()));
        if (redaction != Redaction.DROP) {
            ArrayNode shown = unmapped.putArray("recipients");
            recipients.forEach(e -> shown.add(redaction == Redaction.HASH ? sha256(e.toLowerCase(Locale.ROOT)) : e));
        }
        return event;
    }

    /** A securityContacts resource as the subject of the check. */
    private static void target(ObjectNode resource) {
        resource.put("type", "Microsoft.Security/securityContacts");
        resource.put("role_id", 1);
        resource.put("role", "Target");
    }

    private static void observable(ArrayNode observables, String name, int typeId, String type, String value) {
        ObjectNode o = observables.addObject();
        if (name != null) {
            o.put("name", name);
        }
        o.put("type_id", typeId);
        o.put("type", type);
        o.put("value", value);
    }

    private static long millis(Instant instant) {
        return instant.toEpochMilli();
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}

package io.contactaudit.siem;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.contactaudit.Sha256;
import io.contactaudit.rule.HighSeverityAlertEmailRule;
import io.contactaudit.schema.ComplianceFinding;
import io.contactaudit.schema.DriftKind;
import io.contactaudit.schema.ExceptionRef;
import io.contactaudit.schema.NormalizedContact;
import io.contactaudit.schema.Reason;
import io.contactaudit.schema.Verdict;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A {@link ComplianceFinding} as an OCSF 1.8.0 Compliance Finding (class_uid 2003, category_uid 2, Findings),
 * with the cloud profile. Timestamps are epoch milliseconds. What OCSF has no place for (profile, rule
 * version, drift kinds, reason codes, recipients) goes to {@code unmapped}. What the finding does not carry is left
 * out rather than guessed: the subscription's display name ({@code cloud.account.name}), the tenant's name
 * ({@code cloud.org.name}, from the collector's tenants file) and a region. The tenant through which a delegated
 * (Azure Lighthouse) subscription was read goes to {@code unmapped.read_through_tenant_uid}.
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
    private static final String REMEDIATION = remediation();

    private static String remediation() {
        ObjectNode remediation = JSON.createObjectNode();
        remediation.put(
                "desc",
                "Set an e-mail notification for alerts of severity High (or a lower minimal severity) on an enabled "
                        + "security contact: Defender for Cloud > Environment settings > subscription > Email notifications, or PUT "
                        + "/subscriptions/{subscriptionId}/providers/Microsoft.Security/securityContacts/default?api-version=2023-12-01-preview with "
                        + "{\"properties\": {\"isEnabled\": true, \"emails\": \"<address>\", "
                        + "\"notificationsByRole\": {\"state\": \"On\", \"roles\": [\"Owner\"]}, \"notificationsSources\": "
                        + "[{\"sourceType\": \"Alert\", \"minimalSeverity\": \"High\"}]}}");
        remediation
                .putArray("references")
                .add("https://learn.microsoft.com/en-us/azure/defender-for-cloud/configure-email-notifications")
                .add("https://learn.microsoft.com/en-us/rest/api/defenderforcloud/security-contacts");
        return remediation.toString();
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
                throw new IllegalArgumentException(
                        "recipient redaction must be none, hash or drop, got '" + text + "'");
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

    /**
     * One finding as an OCSF event: UTF-8 JSON, the value of a record on the OCSF topic. Written field by field with a
     * streaming generator, in one pass and without a tree (building a tree of ~60 nodes per finding, then writing it,
     * was the mapping's cost).
     *
     * @param finding  the finding
     * @param contacts the normalised contacts it was evaluated on (for resources and recipients)
     * @param drift    the drift kinds of the same evaluation, if any
     */
    public byte[] encode(ComplianceFinding finding, List<NormalizedContact> contacts, List<DriftKind> drift) {
        ByteArrayBuilder out = new ByteArrayBuilder(2048);
        try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
            write(g, finding, contacts, drift);
        } catch (IOException e) {
            throw new IllegalStateException("an OCSF event could not be written as JSON", e);
        }
        byte[] bytes = out.toByteArray();
        out.release();
        return bytes;
    }

    /** {@link #encode} as a tree. */
    public ObjectNode map(ComplianceFinding finding, List<NormalizedContact> contacts, List<DriftKind> drift) {
        try {
            return (ObjectNode) JSON.readTree(encode(finding, contacts, drift));
        } catch (IOException e) {
            throw new IllegalStateException("an OCSF event could not be read back", e);
        }
    }

    private void write(
            JsonGenerator g, ComplianceFinding finding, List<NormalizedContact> contacts, List<DriftKind> drift)
            throws IOException {
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
        // Suppressed (3): a FAIL under an approved exception; it stays a FAIL (compliance.status)
        int findingStatus =
                activity == 3 ? 5 : finding.getVerdict() == Verdict.PASS ? 4 : finding.getSuppressed() ? 3 : 1;
        List<Reason> reasons = finding.getReasons();
        String message = finding.getVerdict() + ": "
                + (reasons.isEmpty()
                        ? HighSeverityAlertEmailRule.TITLE
                        : reasons.get(0).getMessage());
        String statusCode =
                reasons.isEmpty() ? finding.getVerdict().name() : reasons.get(0).getCode();
        String detail = reasons.size() == 1
                ? reasons.get(0).getMessage()
                : String.join("; ", reasons.stream().map(Reason::getMessage).toList());

        g.writeStartObject();
        g.writeNumberField("activity_id", activity);
        String activityName = switch (activity) {
            case 1 -> "Create";
            case 2 -> "Update";
            default -> "Close";
        };
        g.writeStringField("activity_name", activityName);
        g.writeNumberField("category_uid", CATEGORY_UID);
        g.writeStringField("category_name", "Findings");
        g.writeNumberField("class_uid", CLASS_UID);
        g.writeStringField("class_name", "Compliance Finding");
        g.writeNumberField("type_uid", CLASS_UID * 100L + activity);
        g.writeStringField("type_name", "Compliance Finding: " + activityName);
        g.writeNumberField("time", millis(finding.getEvaluatedAt()));
        // every time on the event is an epoch instant: UTC
        g.writeNumberField("timezone_offset", 0);
        g.writeNumberField("severity_id", severity);
        g.writeStringField(
                "severity",
                switch (severity) {
                    case 1 -> "Informational";
                    case 3 -> "Medium";
                    default -> "High";
                });
        g.writeNumberField("status_id", findingStatus);
        g.writeStringField(
                "status",
                switch (findingStatus) {
                    case 1 -> "New";
                    case 3 -> "Suppressed";
                    case 4 -> "Resolved";
                    default -> "Archived";
                });
        g.writeStringField("message", message);
        g.writeStringField("status_code", statusCode);
        g.writeStringField("status_detail", detail);

        g.writeObjectFieldStart("compliance");
        g.writeStringField("control", CONTROL);
        g.writeArrayFieldStart("standards");
        g.writeString(STANDARD);
        g.writeEndArray();
        g.writeStringField("status", complianceCaption);
        g.writeNumberField("status_id", complianceStatus);
        g.writeStringField("status_code", statusCode);
        g.writeArrayFieldStart("status_details");
        for (Reason reason : reasons) {
            g.writeString(reason.getMessage());
        }
        g.writeEndArray();
        // deprecated since OCSF 1.4.0 for status_details; kept for one release so that searches on it keep working
        g.writeStringField("status_detail", detail);
        g.writeEndObject();

        g.writeObjectFieldStart("finding_info");
        g.writeStringField("uid", finding.getFindingId());
        g.writeStringField("title", HighSeverityAlertEmailRule.TITLE);
        g.writeStringField(
                "desc",
                "CIS Azure 1.3.0 2.14 (" + HighSeverityAlertEmailRule.ALIAS + "): security contacts of subscription "
                        + finding.getSubscriptionId() + " must e-mail High-severity Defender for Cloud alerts");
        long firstSeen = millis(finding.getFirstSeenAt() == null ? finding.getCollectedAt() : finding.getFirstSeenAt());
        g.writeNumberField("created_time", firstSeen);
        g.writeNumberField("first_seen_time", firstSeen);
        g.writeNumberField("last_seen_time", millis(finding.getCollectedAt()));
        g.writeNumberField(
                "modified_time",
                millis(
                        finding.getLastStatusChangeAt() == null
                                ? finding.getCollectedAt()
                                : finding.getLastStatusChangeAt()));
        g.writeArrayFieldStart("types");
        g.writeString("Security Contact Configuration");
        g.writeEndArray();
        g.writeObjectFieldStart("analytic");
        g.writeStringField("uid", finding.getRuleId());
        g.writeStringField("name", HighSeverityAlertEmailRule.TITLE);
        g.writeNumberField("type_id", 1);
        g.writeStringField("type", "Rule");
        g.writeStringField("version", finding.getRuleVersion());
        g.writeEndObject();
        g.writeEndObject();

        g.writeObjectFieldStart("metadata");
        g.writeStringField("version", OCSF_VERSION);
        g.writeStringField("uid", finding.getEventId());
        g.writeStringField("log_name", logName);
        if (finding.getTenantId() != null) {
            g.writeStringField("tenant_uid", finding.getTenantId());
        }
        if (finding.getTriggerEventId() != null) {
            g.writeStringField(
                    "correlation_uid", finding.getTriggerEventId()); // the ARM correlation id of the change read
        }
        g.writeArrayFieldStart("profiles");
        g.writeString("cloud");
        g.writeEndArray();
        g.writeObjectFieldStart("product");
        g.writeStringField("uid", PRODUCT_UID);
        g.writeStringField("name", "contact-audit");
        g.writeStringField("vendor_name", "contact-audit");
        g.writeStringField("version", productVersion);
        g.writeEndObject();
        g.writeEndObject();

        g.writeObjectFieldStart("cloud");
        g.writeStringField("provider", "Azure");
        g.writeObjectFieldStart("account");
        g.writeStringField("uid", finding.getSubscriptionId());
        if (finding.getSubscriptionName() != null) {
            g.writeStringField("name", finding.getSubscriptionName());
        }
        g.writeNumberField("type_id", AZURE_SUBSCRIPTION);
        g.writeStringField("type", "Azure Subscription");
        g.writeEndObject();
        if (finding.getTenantId() != null) {
            g.writeObjectFieldStart("org");
            g.writeStringField("uid", finding.getTenantId());
            if (finding.getTenantName() != null) {
                g.writeStringField("name", finding.getTenantName());
            }
            g.writeEndObject();
        }
        g.writeEndObject();

        String base =
                "/subscriptions/" + finding.getSubscriptionId() + "/providers/Microsoft.Security/securityContacts";
        List<String> resourceUids = new ArrayList<>(Math.max(1, contacts.size()));
        g.writeArrayFieldStart("resources");
        if (contacts.isEmpty()) {
            g.writeStartObject();
            g.writeStringField("uid", base);
            target(g);
            g.writeEndObject();
            resourceUids.add(base);
        }
        for (NormalizedContact c : contacts) {
            String uid = c.getId() != null ? c.getId() : base + "/" + (c.getName() == null ? "" : c.getName());
            resourceUids.add(uid);
            g.writeStartObject();
            g.writeStringField("uid", uid);
            if (c.getName() != null) {
                g.writeStringField("name", c.getName());
            }
            target(g);
            g.writeEndObject();
        }
        g.writeEndArray();

        g.writeArrayFieldStart("observables");
        observable(g, "cloud.account.uid", OBSERVABLE_ACCOUNT_UID, "Account Object: uid", finding.getSubscriptionId());
        for (String uid : resourceUids) {
            observable(g, "resources[].uid", OBSERVABLE_RESOURCE_UID, "Resource UID", uid);
        }
        List<String> recipients = recipients(contacts);
        if (redaction == Redaction.NONE) {
            // no OCSF attribute of a Compliance Finding holds a notification recipient, so these observables have no
            // name (a name must point to a schema attribute; the addresses themselves are in unmapped.recipients)
            for (String e : recipients) {
                observable(g, null, OBSERVABLE_EMAIL, "Email Address", e);
            }
        }
        g.writeEndArray();

        // the same for every finding: serialised once (escaping this long text was a third of the mapping's cost)
        g.writeFieldName("remediation");
        g.writeRawValue(REMEDIATION);

        g.writeObjectFieldStart("unmapped");
        g.writeStringField("profile", finding.getProfile());
        g.writeStringField("rule_id", finding.getRuleId());
        g.writeStringField("rule_alias", HighSeverityAlertEmailRule.ALIAS);
        g.writeStringField("rule_version", finding.getRuleVersion());
        g.writeStringField("verdict", finding.getVerdict().name());
        g.writeStringField("collection_status", finding.getCollectionStatus().name());
        g.writeNumberField("collected_time", millis(finding.getCollectedAt()));
        g.writeStringField("trigger", finding.getTriggerEventId() == null ? "poll" : "event");
        if (finding.getReadThroughTenantId() != null) {
            g.writeStringField("read_through_tenant_uid", finding.getReadThroughTenantId());
        }
        if (finding.getTriggerEventTime() != null) {
            g.writeNumberField("trigger_event_time", millis(finding.getTriggerEventTime()));
        }
        g.writeArrayFieldStart("reason_codes");
        for (Reason r : reasons) {
            g.writeString(r.getCode());
        }
        g.writeEndArray();
        g.writeArrayFieldStart("warning_codes");
        for (Reason w : finding.getWarnings()) {
            g.writeString(w.getCode());
        }
        g.writeEndArray();
        ExceptionRef exception = finding.getException();
        if (exception != null) {
            // OCSF 1.8.0 has no attribute for an exception (waiver) to a control: the fields a SIEM needs, here
            g.writeObjectFieldStart("exception");
            g.writeStringField("uid", exception.getExceptionId());
            g.writeStringField("category", exception.getCategory().name());
            g.writeNumberField("expiration_time", millis(exception.getExpiresAt()));
            g.writeStringField("approved_by", exception.getApprovedBy());
            if (exception.getTicket() != null) {
                g.writeStringField("ticket", exception.getTicket());
            }
            g.writeEndObject();
        }
        g.writeArrayFieldStart("drift_kinds");
        for (DriftKind k : drift) {
            g.writeString(k.name());
        }
        g.writeEndArray();
        if (redaction != Redaction.DROP) {
            g.writeArrayFieldStart("recipients");
            for (String e : recipients) {
                g.writeString(redaction == Redaction.HASH ? Sha256.hex(e.toLowerCase(Locale.ROOT)) : e);
            }
            g.writeEndArray();
        }
        g.writeEndObject();
        g.writeEndObject();
    }

    /** The e-mail recipients of the contacts, each once, in order. */
    private static List<String> recipients(List<NormalizedContact> contacts) {
        if (contacts.size() == 1) {
            List<String> emails = contacts.get(0).getEmails();
            return emails.size() < 2 ? emails : emails.stream().distinct().toList();
        }
        return contacts.stream().flatMap(c -> c.getEmails().stream()).distinct().toList();
    }

    /** A securityContacts resource as the subject of the check. */
    private static void target(JsonGenerator g) throws IOException {
        g.writeStringField("type", "Microsoft.Security/securityContacts");
        g.writeNumberField("role_id", 1);
        g.writeStringField("role", "Target");
    }

    private static void observable(JsonGenerator g, String name, int typeId, String type, String value)
            throws IOException {
        g.writeStartObject();
        if (name != null) {
            g.writeStringField("name", name);
        }
        g.writeNumberField("type_id", typeId);
        g.writeStringField("type", type);
        g.writeStringField("value", value);
        g.writeEndObject();
    }

    private static long millis(Instant instant) {
        return instant.toEpochMilli();
    }
}

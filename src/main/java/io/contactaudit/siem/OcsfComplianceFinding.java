package io.contactaudit.siem;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
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
    private static final SerializableString REMEDIATION = new SerializedString(remediation());

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
        ByteArrayBuilder out = new ByteArrayBuilder(4096);
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
        number(g, Key.ACTIVITY_ID, activity);
        String activityName = switch (activity) {
            case 1 -> "Create";
            case 2 -> "Update";
            default -> "Close";
        };
        string(g, Key.ACTIVITY_NAME, activityName);
        number(g, Key.CATEGORY_UID, CATEGORY_UID);
        string(g, Key.CATEGORY_NAME, "Findings");
        number(g, Key.CLASS_UID, CLASS_UID);
        string(g, Key.CLASS_NAME, "Compliance Finding");
        number(g, Key.TYPE_UID, CLASS_UID * 100L + activity);
        string(g, Key.TYPE_NAME, "Compliance Finding: " + activityName);
        number(g, Key.TIME, millis(finding.getEvaluatedAt()));
        // every time on the event is an epoch instant: UTC
        number(g, Key.TIMEZONE_OFFSET, 0);
        number(g, Key.SEVERITY_ID, severity);
        string(
                g,
                Key.SEVERITY,
                switch (severity) {
                    case 1 -> "Informational";
                    case 3 -> "Medium";
                    default -> "High";
                });
        number(g, Key.STATUS_ID, findingStatus);
        string(
                g,
                Key.STATUS,
                switch (findingStatus) {
                    case 1 -> "New";
                    case 3 -> "Suppressed";
                    case 4 -> "Resolved";
                    default -> "Archived";
                });
        string(g, Key.MESSAGE, message);
        string(g, Key.STATUS_CODE, statusCode);
        string(g, Key.STATUS_DETAIL, detail);

        g.writeFieldName(Key.COMPLIANCE);
        g.writeStartObject();
        string(g, Key.CONTROL, CONTROL);
        g.writeFieldName(Key.STANDARDS);
        g.writeStartArray();
        g.writeString(STANDARD);
        g.writeEndArray();
        string(g, Key.STATUS, complianceCaption);
        number(g, Key.STATUS_ID, complianceStatus);
        string(g, Key.STATUS_CODE, statusCode);
        g.writeFieldName(Key.STATUS_DETAILS);
        g.writeStartArray();
        for (Reason reason : reasons) {
            g.writeString(reason.getMessage());
        }
        g.writeEndArray();
        // deprecated since OCSF 1.4.0 for status_details; kept for one release so that searches on it keep working
        string(g, Key.STATUS_DETAIL, detail);
        g.writeEndObject();

        g.writeFieldName(Key.FINDING_INFO);
        g.writeStartObject();
        string(g, Key.UID, finding.getFindingId());
        string(g, Key.TITLE, HighSeverityAlertEmailRule.TITLE);
        string(
                g,
                Key.DESC,
                "CIS Azure 1.3.0 2.14 (" + HighSeverityAlertEmailRule.ALIAS + "): security contacts of subscription "
                        + finding.getSubscriptionId() + " must e-mail High-severity Defender for Cloud alerts");
        long firstSeen = millis(finding.getFirstSeenAt() == null ? finding.getCollectedAt() : finding.getFirstSeenAt());
        number(g, Key.CREATED_TIME, firstSeen);
        number(g, Key.FIRST_SEEN_TIME, firstSeen);
        number(g, Key.LAST_SEEN_TIME, millis(finding.getCollectedAt()));
        number(
                g,
                Key.MODIFIED_TIME,
                millis(
                        finding.getLastStatusChangeAt() == null
                                ? finding.getCollectedAt()
                                : finding.getLastStatusChangeAt()));
        g.writeFieldName(Key.TYPES);
        g.writeStartArray();
        g.writeString("Security Contact Configuration");
        g.writeEndArray();
        g.writeFieldName(Key.ANALYTIC);
        g.writeStartObject();
        string(g, Key.UID, finding.getRuleId());
        string(g, Key.NAME, HighSeverityAlertEmailRule.TITLE);
        number(g, Key.TYPE_ID, 1);
        string(g, Key.TYPE, "Rule");
        string(g, Key.VERSION, finding.getRuleVersion());
        g.writeEndObject();
        g.writeEndObject();

        g.writeFieldName(Key.METADATA);
        g.writeStartObject();
        string(g, Key.VERSION, OCSF_VERSION);
        string(g, Key.UID, finding.getEventId());
        string(g, Key.LOG_NAME, logName);
        if (finding.getTenantId() != null) {
            string(g, Key.TENANT_UID, finding.getTenantId());
        }
        if (finding.getTriggerEventId() != null) {
            string(g, Key.CORRELATION_UID, finding.getTriggerEventId()); // the ARM correlation id of the change read
        }
        g.writeFieldName(Key.PROFILES);
        g.writeStartArray();
        g.writeString("cloud");
        g.writeEndArray();
        g.writeFieldName(Key.PRODUCT);
        g.writeStartObject();
        string(g, Key.UID, PRODUCT_UID);
        string(g, Key.NAME, "contact-audit");
        string(g, Key.VENDOR_NAME, "contact-audit");
        string(g, Key.VERSION, productVersion);
        g.writeEndObject();
        g.writeEndObject();

        g.writeFieldName(Key.CLOUD);
        g.writeStartObject();
        string(g, Key.PROVIDER, "Azure");
        g.writeFieldName(Key.ACCOUNT);
        g.writeStartObject();
        string(g, Key.UID, finding.getSubscriptionId());
        if (finding.getSubscriptionName() != null) {
            string(g, Key.NAME, finding.getSubscriptionName());
        }
        number(g, Key.TYPE_ID, AZURE_SUBSCRIPTION);
        string(g, Key.TYPE, "Azure Subscription");
        g.writeEndObject();
        if (finding.getTenantId() != null) {
            g.writeFieldName(Key.ORG);
            g.writeStartObject();
            string(g, Key.UID, finding.getTenantId());
            if (finding.getTenantName() != null) {
                string(g, Key.NAME, finding.getTenantName());
            }
            g.writeEndObject();
        }
        g.writeEndObject();

        String base =
                "/subscriptions/" + finding.getSubscriptionId() + "/providers/Microsoft.Security/securityContacts";
        List<String> resourceUids = new ArrayList<>(Math.max(1, contacts.size()));
        g.writeFieldName(Key.RESOURCES);
        g.writeStartArray();
        if (contacts.isEmpty()) {
            g.writeStartObject();
            string(g, Key.UID, base);
            target(g);
            g.writeEndObject();
            resourceUids.add(base);
        }
        for (NormalizedContact c : contacts) {
            String uid = c.getId() != null ? c.getId() : base + "/" + (c.getName() == null ? "" : c.getName());
            resourceUids.add(uid);
            g.writeStartObject();
            string(g, Key.UID, uid);
            if (c.getName() != null) {
                string(g, Key.NAME, c.getName());
            }
            target(g);
            g.writeEndObject();
        }
        g.writeEndArray();

        g.writeFieldName(Key.OBSERVABLES);
        g.writeStartArray();
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
        g.writeFieldName(Key.REMEDIATION);
        g.writeRawValue(REMEDIATION);

        g.writeFieldName(Key.UNMAPPED);
        g.writeStartObject();
        string(g, Key.PROFILE, finding.getProfile());
        string(g, Key.RULE_ID, finding.getRuleId());
        string(g, Key.RULE_ALIAS, HighSeverityAlertEmailRule.ALIAS);
        string(g, Key.RULE_VERSION, finding.getRuleVersion());
        string(g, Key.VERDICT, finding.getVerdict().name());
        string(g, Key.COLLECTION_STATUS, finding.getCollectionStatus().name());
        number(g, Key.COLLECTED_TIME, millis(finding.getCollectedAt()));
        string(g, Key.TRIGGER, finding.getTriggerEventId() == null ? "poll" : "event");
        if (finding.getReadThroughTenantId() != null) {
            string(g, Key.READ_THROUGH_TENANT_UID, finding.getReadThroughTenantId());
        }
        if (finding.getTriggerEventTime() != null) {
            number(g, Key.TRIGGER_EVENT_TIME, millis(finding.getTriggerEventTime()));
        }
        g.writeFieldName(Key.REASON_CODES);
        g.writeStartArray();
        for (Reason r : reasons) {
            g.writeString(r.getCode());
        }
        g.writeEndArray();
        g.writeFieldName(Key.WARNING_CODES);
        g.writeStartArray();
        for (Reason w : finding.getWarnings()) {
            g.writeString(w.getCode());
        }
        g.writeEndArray();
        ExceptionRef exception = finding.getException();
        if (exception != null) {
            // OCSF 1.8.0 has no attribute for an exception (waiver) to a control: the fields a SIEM needs, here
            g.writeFieldName(Key.EXCEPTION);
            g.writeStartObject();
            string(g, Key.UID, exception.getExceptionId());
            string(g, Key.CATEGORY, exception.getCategory().name());
            number(g, Key.EXPIRATION_TIME, millis(exception.getExpiresAt()));
            string(g, Key.APPROVED_BY, exception.getApprovedBy());
            if (exception.getTicket() != null) {
                string(g, Key.TICKET, exception.getTicket());
            }
            g.writeEndObject();
        }
        g.writeFieldName(Key.DRIFT_KINDS);
        g.writeStartArray();
        for (DriftKind k : drift) {
            g.writeString(k.name());
        }
        g.writeEndArray();
        if (redaction != Redaction.DROP) {
            g.writeFieldName(Key.RECIPIENTS);
            g.writeStartArray();
            for (String e : recipients) {
                g.writeString(redaction == Redaction.HASH ? Sha256.hex(e.toLowerCase(Locale.ROOT)) : e);
            }
            g.writeEndArray();
        }
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void string(JsonGenerator g, SerializableString name, String value) throws IOException {
        g.writeFieldName(name);
        g.writeString(value);
    }

    private static void number(JsonGenerator g, SerializableString name, long value) throws IOException {
        g.writeFieldName(name);
        g.writeNumber(value);
    }

    /** The event's field names, encoded once (escaping them for every event was a fifth of the mapping's cost). */
    private static final class Key {
        static final SerializableString ACCOUNT = new SerializedString("account");
        static final SerializableString ACTIVITY_ID = new SerializedString("activity_id");
        static final SerializableString ACTIVITY_NAME = new SerializedString("activity_name");
        static final SerializableString ANALYTIC = new SerializedString("analytic");
        static final SerializableString APPROVED_BY = new SerializedString("approved_by");
        static final SerializableString CATEGORY = new SerializedString("category");
        static final SerializableString CATEGORY_NAME = new SerializedString("category_name");
        static final SerializableString CATEGORY_UID = new SerializedString("category_uid");
        static final SerializableString CLASS_NAME = new SerializedString("class_name");
        static final SerializableString CLASS_UID = new SerializedString("class_uid");
        static final SerializableString CLOUD = new SerializedString("cloud");
        static final SerializableString COLLECTED_TIME = new SerializedString("collected_time");
        static final SerializableString COLLECTION_STATUS = new SerializedString("collection_status");
        static final SerializableString COMPLIANCE = new SerializedString("compliance");
        static final SerializableString CONTROL = new SerializedString("control");
        static final SerializableString CORRELATION_UID = new SerializedString("correlation_uid");
        static final SerializableString CREATED_TIME = new SerializedString("created_time");
        static final SerializableString DESC = new SerializedString("desc");
        static final SerializableString DRIFT_KINDS = new SerializedString("drift_kinds");
        static final SerializableString EXCEPTION = new SerializedString("exception");
        static final SerializableString EXPIRATION_TIME = new SerializedString("expiration_time");
        static final SerializableString FINDING_INFO = new SerializedString("finding_info");
        static final SerializableString FIRST_SEEN_TIME = new SerializedString("first_seen_time");
        static final SerializableString LAST_SEEN_TIME = new SerializedString("last_seen_time");
        static final SerializableString LOG_NAME = new SerializedString("log_name");
        static final SerializableString MESSAGE = new SerializedString("message");
        static final SerializableString METADATA = new SerializedString("metadata");
        static final SerializableString MODIFIED_TIME = new SerializedString("modified_time");
        static final SerializableString NAME = new SerializedString("name");
        static final SerializableString OBSERVABLES = new SerializedString("observables");
        static final SerializableString ORG = new SerializedString("org");
        static final SerializableString PRODUCT = new SerializedString("product");
        static final SerializableString PROFILE = new SerializedString("profile");
        static final SerializableString PROFILES = new SerializedString("profiles");
        static final SerializableString PROVIDER = new SerializedString("provider");
        static final SerializableString READ_THROUGH_TENANT_UID = new SerializedString("read_through_tenant_uid");
        static final SerializableString REASON_CODES = new SerializedString("reason_codes");
        static final SerializableString RECIPIENTS = new SerializedString("recipients");
        static final SerializableString REMEDIATION = new SerializedString("remediation");
        static final SerializableString RESOURCES = new SerializedString("resources");
        static final SerializableString ROLE = new SerializedString("role");
        static final SerializableString ROLE_ID = new SerializedString("role_id");
        static final SerializableString RULE_ALIAS = new SerializedString("rule_alias");
        static final SerializableString RULE_ID = new SerializedString("rule_id");
        static final SerializableString RULE_VERSION = new SerializedString("rule_version");
        static final SerializableString SEVERITY = new SerializedString("severity");
        static final SerializableString SEVERITY_ID = new SerializedString("severity_id");
        static final SerializableString STANDARDS = new SerializedString("standards");
        static final SerializableString STATUS = new SerializedString("status");
        static final SerializableString STATUS_CODE = new SerializedString("status_code");
        static final SerializableString STATUS_DETAIL = new SerializedString("status_detail");
        static final SerializableString STATUS_DETAILS = new SerializedString("status_details");
        static final SerializableString STATUS_ID = new SerializedString("status_id");
        static final SerializableString TENANT_UID = new SerializedString("tenant_uid");
        static final SerializableString TICKET = new SerializedString("ticket");
        static final SerializableString TIME = new SerializedString("time");
        static final SerializableString TIMEZONE_OFFSET = new SerializedString("timezone_offset");
        static final SerializableString TITLE = new SerializedString("title");
        static final SerializableString TRIGGER = new SerializedString("trigger");
        static final SerializableString TRIGGER_EVENT_TIME = new SerializedString("trigger_event_time");
        static final SerializableString TYPE = new SerializedString("type");
        static final SerializableString TYPE_ID = new SerializedString("type_id");
        static final SerializableString TYPE_NAME = new SerializedString("type_name");
        static final SerializableString TYPE_UID = new SerializedString("type_uid");
        static final SerializableString TYPES = new SerializedString("types");
        static final SerializableString UID = new SerializedString("uid");
        static final SerializableString UNMAPPED = new SerializedString("unmapped");
        static final SerializableString VALUE = new SerializedString("value");
        static final SerializableString VENDOR_NAME = new SerializedString("vendor_name");
        static final SerializableString VERDICT = new SerializedString("verdict");
        static final SerializableString VERSION = new SerializedString("version");
        static final SerializableString WARNING_CODES = new SerializedString("warning_codes");

        private Key() {}
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
        string(g, Key.TYPE, "Microsoft.Security/securityContacts");
        number(g, Key.ROLE_ID, 1);
        string(g, Key.ROLE, "Target");
    }

    private static void observable(JsonGenerator g, String name, int typeId, String type, String value)
            throws IOException {
        g.writeStartObject();
        if (name != null) {
            string(g, Key.NAME, name);
        }
        number(g, Key.TYPE_ID, typeId);
        string(g, Key.TYPE, type);
        string(g, Key.VALUE, value);
        g.writeEndObject();
    }

    private static long millis(Instant instant) {
        return instant.toEpochMilli();
    }
}

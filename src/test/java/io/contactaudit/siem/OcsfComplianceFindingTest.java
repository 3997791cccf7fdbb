package io.contactaudit.siem;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.contactaudit.Sha256;
import io.contactaudit.schema.CollectionStatus;
import io.contactaudit.schema.ComplianceFinding;
import io.contactaudit.schema.DriftKind;
import io.contactaudit.schema.ExceptionCategory;
import io.contactaudit.schema.ExceptionRef;
import io.contactaudit.schema.FindingActivity;
import io.contactaudit.schema.NormalizedContact;
import io.contactaudit.schema.Reason;
import io.contactaudit.schema.Verdict;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The OCSF 1.8.0 Compliance Finding (class 2003) mapping: which value goes where. That every event is valid OCSF
 * is {@link OcsfConformanceTest}'s job.
 */
class OcsfComplianceFindingTest {

    static final Instant COLLECTED = Instant.parse("2026-03-01T10:00:00Z");

    static ComplianceFinding finding(Verdict verdict, FindingActivity activity) {
        return ComplianceFinding.newBuilder()
                .setFindingId("f-1")
                .setEventId("e-1")
                .setSubscriptionId("sub-1")
                .setSubscriptionName("prod-identity")
                .setTenantId("tenant-1")
                .setTenantName("Woodgrove Bank")
                .setReadThroughTenantId("tenant-0") // delegated to a managing tenant (Lighthouse)
                .setRuleId("cis-azure-1.3.0-2.14")
                .setRuleVersion("1.0.0")
                .setProfile("default")
                .setVerdict(verdict)
                .setReasons(List.of(new Reason("CODE_" + verdict, "because " + verdict)))
                .setWarnings(List.of(new Reason("NO_RECIPIENTS", "nobody")))
                .setCollectionStatus(CollectionStatus.OK)
                .setRunId("run")
                .setCollectedAt(COLLECTED)
                .setEvaluatedAt(COLLECTED.plusSeconds(2))
                .setFirstSeenAt(COLLECTED.minusSeconds(3600))
                .setLastStatusChangeAt(COLLECTED.minusSeconds(60))
                .setActivity(activity)
                .build();
    }

    static final List<NormalizedContact> CONTACTS = List.of(NormalizedContact.newBuilder()
            .setName("default")
            .setId("/subscriptions/sub-1/providers/Microsoft.Security/securityContacts/default")
            .setEmails(List.of("SecOps@Contoso.com"))
            .build());

    /** The event as emitted: serialised, then read back. */
    static JsonNode map(Verdict verdict, FindingActivity activity, OcsfComplianceFinding.Redaction redaction) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(new OcsfComplianceFinding("9.9.9", redaction)
                            .map(finding(verdict, activity), CONTACTS, List.of(DriftKind.REGRESSED))
                            .toString());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }

    @ParameterizedTest
    @CsvSource({"CREATE, 1, Create, 200301", "UPDATE, 2, Update, 200302", "CLOSE, 3, Close, 200303"})
    void activityFromTheLifecycle(FindingActivity activity, int id, String name, long typeUid) {
        JsonNode event = map(Verdict.FAIL, activity, OcsfComplianceFinding.Redaction.NONE);
        assertThat(event.get("activity_id").asInt()).isEqualTo(id);
        assertThat(event.get("activity_name").asText()).isEqualTo(name);
        assertThat(event.get("type_uid").asLong()).isEqualTo(typeUid);
        assertThat(event.get("class_uid").asInt()).isEqualTo(2003);
        assertThat(event.get("category_uid").asInt()).isEqualTo(2);
    }

    @ParameterizedTest
    @CsvSource({"PASS, 1, Pass, 1", "FAIL, 3, Fail, 4", "ERROR, 2, Warning, 3"})
    void complianceStatusAndSeverityFromTheVerdict(Verdict verdict, int statusId, String status, int severity) {
        JsonNode event = map(verdict, FindingActivity.UPDATE, OcsfComplianceFinding.Redaction.NONE);
        assertThat(event.at("/compliance/status_id").asInt()).isEqualTo(statusId);
        assertThat(event.at("/compliance/status").asText()).isEqualTo(status);
        assertThat(event.at("/compliance/status_code").asText()).isEqualTo("CODE_" + verdict);
        assertThat(event.at("/compliance/status_details")).containsExactly(new TextNode("because " + verdict));
        assertThat(event.at("/compliance/status_detail").asText()).isEqualTo("because " + verdict);
        assertThat(event.get("status_code").asText()).isEqualTo("CODE_" + verdict);
        assertThat(event.get("status_detail").asText()).isEqualTo("because " + verdict);
        assertThat(event.get("severity_id").asInt()).isEqualTo(severity);
    }

    @Test
    void identifiersTimesAndCloudProfile() {
        JsonNode event = map(Verdict.FAIL, FindingActivity.UPDATE, OcsfComplianceFinding.Redaction.NONE);
        assertThat(event.at("/finding_info/uid").asText()).isEqualTo("f-1");
        assertThat(event.at("/metadata/uid").asText()).isEqualTo("e-1");
        assertThat(event.at("/metadata/version").asText()).isEqualTo("1.8.0");
        assertThat(event.at("/metadata/product/version").asText()).isEqualTo("9.9.9");
        assertThat(event.at("/metadata/product/uid").asText()).isEqualTo("io.contactaudit:contact-audit");
        assertThat(event.at("/metadata/log_name").asText())
                .isEqualTo("contact-audit.findings-ocsf.v1")
                .isEqualTo(io.contactaudit.kafka.Topics.create(io.contactaudit.kafka.Topics.DEFAULT_PREFIX)
                        .findingsOcsf()
                        .name());
        assertThat(event.get("timezone_offset").asInt()).isZero();
        assertThat(event.get("time").asLong())
                .isEqualTo(COLLECTED.plusSeconds(2).toEpochMilli());
        assertThat(event.at("/finding_info/last_seen_time").asLong()).isEqualTo(COLLECTED.toEpochMilli());
        assertThat(event.at("/finding_info/first_seen_time").asLong())
                .isEqualTo(COLLECTED.minusSeconds(3600).toEpochMilli());
        assertThat(event.at("/cloud/provider").asText()).isEqualTo("Azure");
        assertThat(event.at("/cloud/account/uid").asText()).isEqualTo("sub-1");
        assertThat(event.at("/cloud/account/type_id").asInt()).isEqualTo(13);
        assertThat(event.at("/cloud/org/uid").asText()).isEqualTo("tenant-1");
        assertThat(event.at("/cloud/org/name").asText()).isEqualTo("Woodgrove Bank");
        assertThat(event.at("/metadata/tenant_uid").asText()).isEqualTo("tenant-1");
        assertThat(event.at("/unmapped/read_through_tenant_uid").asText()).isEqualTo("tenant-0");
        assertThat(event.at("/compliance/standards/0").asText())
                .isEqualTo("CIS Microsoft Azure Foundations Benchmark v1.3.0");
        assertThat(event.at("/resources/0/uid").asText())
                .isEqualTo("/subscriptions/sub-1/providers/Microsoft.Security/securityContacts/default");
        assertThat(event.at("/resources/0/name").asText()).isEqualTo("default");
        assertThat(event.at("/resources/0/role_id").asInt()).isEqualTo(1);
        assertThat(event.at("/unmapped/profile").asText()).isEqualTo("default");
        assertThat(event.at("/unmapped/rule_version").asText()).isEqualTo("1.0.0");
        assertThat(event.at("/unmapped/drift_kinds/0").asText()).isEqualTo("REGRESSED");
        assertThat(event.at("/unmapped/warning_codes/0").asText()).isEqualTo("NO_RECIPIENTS");
    }

    @Test
    void observablesAreTheSubscriptionTheContactsAndTheRecipientsUnlessRedacted() {
        JsonNode event = map(Verdict.FAIL, FindingActivity.UPDATE, OcsfComplianceFinding.Redaction.NONE);
        assertThat(event.get("observables").findValuesAsText("value"))
                .containsExactly(
                        "sub-1",
                        "/subscriptions/sub-1/providers/Microsoft.Security/securityContacts/default",
                        "SecOps@Contoso.com");
        assertThat(event.get("observables").findValuesAsText("name"))
                .containsExactly("cloud.account.uid", "resources[].uid");
        for (OcsfComplianceFinding.Redaction redacted :
                List.of(OcsfComplianceFinding.Redaction.HASH, OcsfComplianceFinding.Redaction.DROP)) {
            assertThat(map(Verdict.FAIL, FindingActivity.UPDATE, redacted)
                            .get("observables")
                            .findValuesAsText("type_id"))
                    .as(redacted.name())
                    .containsExactly("35", "10");
        }
        assertThat(new OcsfComplianceFinding("1", OcsfComplianceFinding.Redaction.NONE, "prod.findings-ocsf.v1")
                        .map(finding(Verdict.PASS, FindingActivity.UPDATE), CONTACTS, List.of())
                        .at("/metadata/log_name")
                        .asText())
                .isEqualTo("prod.findings-ocsf.v1");
    }

    @Test
    void recipientsCanBeHashedOrDropped() {
        assertThat(map(Verdict.PASS, FindingActivity.UPDATE, OcsfComplianceFinding.Redaction.NONE)
                        .at("/unmapped/recipients/0")
                        .asText())
                .isEqualTo("SecOps@Contoso.com");
        String hashed = map(Verdict.PASS, FindingActivity.UPDATE, OcsfComplianceFinding.Redaction.HASH)
                .at("/unmapped/recipients/0")
                .asText();
        assertThat(hashed).hasSize(64).isEqualTo(Sha256.hex("secops@contoso.com"));
        JsonNode dropped = map(Verdict.PASS, FindingActivity.UPDATE, OcsfComplianceFinding.Redaction.DROP);
        assertThat(dropped.at("/unmapped").has("recipients")).isFalse();
        assertThat(dropped.toString()).doesNotContainIgnoringCase("contoso");
    }

    /**
     * The bytes of the events, for every verdict, activity and redaction, with text that must be escaped, are those
     * the mapping wrote before its field names were encoded once ({@code ocsf/events-0.1.0.jsonl}, written by the
     * code of 18d2f0c): a change of the writer changes no event.
     */
    @Test
    void theEventsBytesAreThoseOfThePreviousWriter() throws Exception {
        Instant at = Instant.parse("2026-03-01T10:00:00Z");
        StringBuilder events = new StringBuilder();
        for (Verdict verdict : Verdict.values()) {
            for (FindingActivity activity : FindingActivity.values()) {
                for (OcsfComplianceFinding.Redaction redaction : OcsfComplianceFinding.Redaction.values()) {
                    ComplianceFinding finding = ComplianceFinding.newBuilder()
                            .setFindingId("f\"1")
                            .setEventId("e-1")
                            .setSubscriptionName("n\u00e9")
                            .setSubscriptionId("sub\"<1")
                            .setTenantId("t")
                            .setTenantName("Wood")
                            .setReadThroughTenantId("t0")
                            .setTriggerEventId("trig")
                            .setTriggerEventTime(at)
                            .setRuleId("cis-azure-1.3.0-2.14")
                            .setRuleVersion("1.0.0")
                            .setProfile("default")
                            .setVerdict(verdict)
                            .setReasons(List.of(new Reason("A", "x \"y\" \u2028"), new Reason("B", "z")))
                            .setSuppressed(verdict == Verdict.FAIL)
                            .setException(
                                    verdict == Verdict.FAIL
                                            ? new ExceptionRef("ex1", ExceptionCategory.values()[0], at, "bob", "T-1")
                                            : null)
                            .setWarnings(List.of(new Reason("W", "w")))
                            .setCollectionStatus(CollectionStatus.OK)
                            .setRunId("run")
                            .setCollectedAt(at)
                            .setEvaluatedAt(at.plusSeconds(2))
                            .setFirstSeenAt(at.minusSeconds(3600))
                            .setLastStatusChangeAt(at.minusSeconds(60))
                            .setActivity(activity)
                            .build();
                    List<NormalizedContact> contacts = List.of(
                            NormalizedContact.newBuilder()
                                    .setName("default")
                                    .setId("/x/default")
                                    .setEmails(List.of("a@b.c", "A@b.c"))
                                    .build(),
                            NormalizedContact.newBuilder()
                                    .setEmails(List.of("z@b.c"))
                                    .build());
                    events.append(new String(
                                    new OcsfComplianceFinding("0.1.0", redaction)
                                            .encode(finding, contacts, List.of(DriftKind.REGRESSED)),
                                    StandardCharsets.UTF_8))
                            .append('\n');
                    events.append(new String(
                                    new OcsfComplianceFinding("0.1.0", redaction, "log")
                                            .encode(finding, List.of(), List.of()),
                                    StandardCharsets.UTF_8))
                            .append('\n');
                }
            }
        }
        try (InputStream previous = getClass().getResourceAsStream("/ocsf/events-0.1.0.jsonl")) {
            assertThat(events.toString()).isEqualTo(new String(previous.readAllBytes(), StandardCharsets.UTF_8));
        }
    }
}

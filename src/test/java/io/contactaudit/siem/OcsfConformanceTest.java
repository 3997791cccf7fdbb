package io.contactaudit.siem;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.contactaudit.schema.CollectionStatus;
import io.contactaudit.schema.ComplianceFinding;
import io.contactaudit.schema.DriftKind;
import io.contactaudit.schema.FindingActivity;
import io.contactaudit.schema.NormalizedContact;
import io.contactaudit.schema.Reason;
import io.contactaudit.schema.Verdict;
import io.contactaudit.siem.OcsfComplianceFinding.Redaction;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every shape of event the mapping emits, validated against the OCSF 1.8.0 schema files in
 * {@code src/test/resources/ocsf/1.8.0/} ({@link OcsfSchema}): no unknown attribute outside {@code unmapped}, every
 * required attribute, types, enum values and their captions, observables; every recommended attribute left out
 * is listed with the reason why.
 * <p>
 * To add a shape (a suppressed finding, an event-triggered evaluation, when the mapping has them), add a line to
 * {@link #shapes()}; list what it leaves out that the others map in its {@code alsoOmitted}.
 */
class OcsfConformanceTest {

    static final String CLASS = "events/findings/compliance_finding.json";
    static final OcsfSchema SCHEMA = OcsfSchema.version(OcsfComplianceFinding.OCSF_VERSION);
    static final ObjectMapper JSON = new ObjectMapper();

    /** Recommended attributes no event maps, and why. */
    static final Map<String, String> NOT_MAPPED = Map.ofEntries(
            Map.entry("cloud.org.ou_name", "nor the management group of a subscription"),
            Map.entry("cloud.region", "security contacts are set per subscription, not per region"),
            Map.entry("confidence_id", "a rule's verdict on a configuration, not a detection with a confidence"),
            Map.entry("metadata.original_time", "events are generated, not read from a source log"),
            Map.entry("metadata.reporter", "the product reports its own findings: metadata.product"),
            Map.entry("resources[].hostname", "a securityContacts resource has no host name"),
            Map.entry("resources[].ip", "nor an IP address"),
            Map.entry("resources[].owner", "nor an owner that ARM reports"));

    /** How an event is made, and the recommended attributes it leaves out beyond {@link #NOT_MAPPED}. */
    record Shape(
            String name,
            ComplianceFinding finding,
            List<NormalizedContact> contacts,
            List<DriftKind> drift,
            Redaction redaction,
            Set<String> alsoOmitted) {

        JsonNode event() {
            try {
                return JSON.readTree(new OcsfComplianceFinding("1.2.3", redaction).encode(finding, contacts, drift));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static final String NO_EMAIL_NAME = "observables[].name";

    static Stream<Arguments> shapes() {
        List<NormalizedContact> contacts = OcsfComplianceFindingTest.CONTACTS;
        return Stream.of(
                        new Shape(
                                "PASS, update",
                                finding(Verdict.PASS, FindingActivity.UPDATE),
                                contacts,
                                List.of(DriftKind.REMEDIATED),
                                Redaction.NONE,
                                Set.of(NO_EMAIL_NAME)),
                        new Shape(
                                "FAIL, first finding",
                                finding(Verdict.FAIL, FindingActivity.CREATE),
                                contacts,
                                List.of(),
                                Redaction.NONE,
                                Set.of(NO_EMAIL_NAME)),
                        new Shape(
                                "FAIL, regressed, recipients hashed",
                                finding(Verdict.FAIL, FindingActivity.UPDATE),
                                contacts,
                                List.of(DriftKind.REGRESSED),
                                Redaction.HASH,
                                Set.of()),
                        new Shape(
                                "FAIL, stale, recipients dropped",
                                finding(Verdict.FAIL, FindingActivity.UPDATE),
                                contacts,
                                List.of(DriftKind.STALE),
                                Redaction.DROP,
                                Set.of()),
                        new Shape(
                                "ERROR, never read",
                                error(),
                                List.of(),
                                List.of(DriftKind.EVALUATION_ERROR),
                                Redaction.NONE,
                                Set.of("resources[].name")),
                        new Shape(
                                "ERROR, last good contacts",
                                error(),
                                contacts,
                                List.of(),
                                Redaction.NONE,
                                Set.of(NO_EMAIL_NAME)),
                        new Shape(
                                "closed",
                                finding(Verdict.FAIL, FindingActivity.CLOSE),
                                List.of(),
                                List.of(DriftKind.SUBSCRIPTION_REMOVED),
                                Redaction.NONE,
                                Set.of("resources[].name")),
                        new Shape(
                                "FAIL, regressed, event-triggered",
                                ComplianceFinding.newBuilder(finding(Verdict.FAIL, FindingActivity.UPDATE))
                                        .setTriggerEventId("7c3e1f0a-55b2-4a41-9e0e-3b9d2c1a0f11")
                                        .setTriggerEventTime(Instant.parse("2026-03-01T10:00:00.987Z"))
                                        .build(),
                                contacts,
                                List.of(DriftKind.REGRESSED),
                                Redaction.NONE,
                                Set.of(NO_EMAIL_NAME)),
                        new Shape(
                                "PASS, tenant unknown",
                                ComplianceFinding.newBuilder(finding(Verdict.PASS, FindingActivity.UPDATE))
                                        .setTenantId(null)
                                        .setTenantName(null)
                                        .setReadThroughTenantId(null)
                                        .build(),
                                contacts,
                                List.of(),
                                Redaction.DROP,
                                Set.of("metadata.tenant_uid")), // no cloud.org at all
                        new Shape(
                                "FAIL, tenant not in the tenants file (no display name)",
                                ComplianceFinding.newBuilder(finding(Verdict.FAIL, FindingActivity.UPDATE))
                                        .setTenantName(null)
                                        .build(),
                                contacts,
                                List.of(),
                                Redaction.NONE,
                                Set.of("cloud.org.name", NO_EMAIL_NAME)))
                .map(Arguments::of);
    }

    static ComplianceFinding finding(Verdict verdict, FindingActivity activity) {
        return OcsfComplianceFindingTest.finding(verdict, activity);
    }

    static ComplianceFinding error() {
        return ComplianceFinding.newBuilder(finding(Verdict.ERROR, FindingActivity.UPDATE))
                .setCollectionStatus(CollectionStatus.FORBIDDEN)
                .setReasons(List.of(new Reason("COLLECTION_FORBIDDEN", "403 AuthorizationFailed")))
                .setWarnings(List.of())
                .build();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void everyShapeIsAValidComplianceFinding(Shape shape) {
        OcsfSchema.Report report = SCHEMA.validate(shape.event(), CLASS);

        assertThat(report.errors()).as("schema violations").isEmpty();
        Set<String> documented = new TreeSet<>(NOT_MAPPED.keySet());
        documented.addAll(shape.alsoOmitted());
        assertThat(report.missingRecommended())
                .as("recommended attributes left out")
                .isSubsetOf(documented)
                .containsAll(shape.alsoOmitted());
        assertThat(report.deprecated())
                .as("deprecated attributes, kept for one release (README)")
                .containsExactly("compliance.status_detail");
    }

    // ---- the validator can fail: a valid event with one thing planted

    static JsonNode valid() {
        return new Shape(
                        "valid",
                        finding(Verdict.FAIL, FindingActivity.UPDATE),
                        OcsfComplianceFindingTest.CONTACTS,
                        List.of(),
                        Redaction.NONE,
                        Set.of())
                .event();
    }

    static List<String> errorsAfter(Consumer<ObjectNode> plant) {
        ObjectNode event = (ObjectNode) valid().deepCopy();
        plant.accept(event);
        return SCHEMA.validate(event, CLASS).errors();
    }

    @Test
    void theValidEventIsValid() {
        assertThat(errorsAfter(e -> {})).isEmpty();
    }

    @Test
    void aWrongTypeFails() {
        assertThat(errorsAfter(e -> e.put("severity_id", "4")))
                .anyMatch(m -> m.startsWith("severity_id: \"4\" is not a integer_t"));
        assertThat(errorsAfter(e -> e.put("time", "2026-03-01T10:00:00Z")))
                .anyMatch(m -> m.startsWith("time: ") && m.contains("long_t"));
        assertThat(errorsAfter(e -> e.withObjectProperty("compliance").put("standards", "CIS")))
                .contains("compliance.standards: must be an array");
        assertThat(errorsAfter(e -> e.withObjectProperty("cloud").put("account", "sub-1")))
                .anyMatch(m -> m.startsWith("cloud.account: must be an object"));
    }

    @Test
    void anUnknownAttributeFailsExceptInUnmapped() {
        assertThat(errorsAfter(e -> e.withObjectProperty("cloud").put("acount", "sub-1")))
                .anyMatch(m -> m.startsWith("cloud.acount: not an attribute"));
        assertThat(errorsAfter(e -> ((ObjectNode) e.withArray("resources").get(0)).put("emails", "x@y.z")))
                .anyMatch(m -> m.startsWith("resources[0].emails: not an attribute"));
        assertThat(errorsAfter(e -> e.withObjectProperty("unmapped").put("anything", "goes")))
                .isEmpty();
    }

    @Test
    void profileAttributesCountOnlyWithTheirProfile() {
        assertThat(errorsAfter(e -> e.put("impact_id", 1))).anyMatch(m -> m.startsWith("impact_id: not an attribute"));
        assertThat(errorsAfter(e -> e.withObjectProperty("metadata").putArray("profiles")))
                .anyMatch(m -> m.startsWith("cloud: not an attribute"));
    }

    @Test
    void aMissingRequiredAttributeFails() {
        assertThat(errorsAfter(e -> e.withObjectProperty("finding_info").remove("uid")))
                .anyMatch(m -> m.startsWith("finding_info.uid: required"));
        assertThat(errorsAfter(e -> e.withObjectProperty("remediation").remove("desc")))
                .anyMatch(m -> m.startsWith("remediation.desc: required"));
    }

    @Test
    void enumValuesAndCaptionsAreChecked() {
        assertThat(errorsAfter(e -> e.put("status_id", 7))).anyMatch(m -> m.startsWith("status_id: 7 is not one of"));
        assertThat(errorsAfter(e -> e.put("severity", "Critical")))
                .anyMatch(m -> m.startsWith("severity: 'Critical' is not the caption of 4"));
        assertThat(errorsAfter(e -> e.withObjectProperty("compliance").put("status", "Passed")))
                .anyMatch(m -> m.startsWith("compliance.status: 'Passed'"));
        assertThat(errorsAfter(e -> e.put("type_uid", 200304)))
                .anyMatch(m -> m.startsWith("type_uid: 200304 is not one of"));
        assertThat(errorsAfter(e -> e.put("class_uid", 2004)))
                .anyMatch(m -> m.startsWith("class_uid: 2004 is not one of"));
        assertThat(errorsAfter(e -> e.put("activity_name", "Created")))
                .anyMatch(m -> m.startsWith("activity_name: 'Created'"));
        assertThat(errorsAfter(e -> e.withObjectProperty("cloud")
                        .withObjectProperty("account")
                        .put("type_id", 10)))
                .anyMatch(m -> m.startsWith("cloud.account.type: "));
    }

    @Test
    void observablesAreChecked() {
        assertThat(errorsAfter(e -> ((ObjectNode) e.withArray("observables").get(0)).put("type_id", 12345)))
                .anyMatch(m -> m.startsWith("observables[0].type_id: 12345 is not one of"));
        assertThat(errorsAfter(e -> ((ObjectNode) e.withArray("observables").get(0)).put("type", "Account")))
                .anyMatch(m -> m.startsWith("observables[0].type: 'Account' is not the caption of 35"));
        assertThat(errorsAfter(
                        e -> ((ObjectNode) e.withArray("observables").get(0)).put("name", "unmapped.recipients")))
                .anyMatch(m -> m.startsWith("observables[0]: unmapped.recipients is not an attribute path"));
        assertThat(errorsAfter(e -> ((ObjectNode) e.withArray("observables").get(0)).put("value", "sub-2")))
                .anyMatch(m -> m.startsWith("observables[0]: cloud.account.uid does not hold"));
        ArrayNode observables = (ArrayNode) valid().get("observables");
        assertThat(observables.findValuesAsText("type_id")).containsExactly("35", "10", "5");
    }
}

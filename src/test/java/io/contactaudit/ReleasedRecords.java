package io.contactaudit;

import static org.assertj.core.api.Assertions.assertThat;

import io.contactaudit.kafka.SingleObjectAvroSerde;
import io.contactaudit.schema.CollectionStatus;
import io.contactaudit.schema.ComplianceException;
import io.contactaudit.schema.ComplianceFinding;
import io.contactaudit.schema.DeadLetter;
import io.contactaudit.schema.DriftEvent;
import io.contactaudit.schema.DriftKind;
import io.contactaudit.schema.DriftSeverity;
import io.contactaudit.schema.Evidence;
import io.contactaudit.schema.ExceptionCategory;
import io.contactaudit.schema.FieldChange;
import io.contactaudit.schema.FindingActivity;
import io.contactaudit.schema.NormalizedContact;
import io.contactaudit.schema.NotificationSource;
import io.contactaudit.schema.PostureState;
import io.contactaudit.schema.Reason;
import io.contactaudit.schema.SecurityContactSnapshot;
import io.contactaudit.schema.Verdict;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificRecord;

/**
 * Records written by released versions of the contracts, committed as bytes under
 * {@code src/test/resources/released-records/<release>/<encoding>/<dataset>.hex} (see the README there): one
 * realistic record per Avro topic — a subscription whose only contact was switched off, its FAIL finding, the
 * REGRESSED drift event, the posture, and the dead letter of a garbage snapshot — and what a reader of today
 * must read back from them. Only fields every release has are checked, so the checks hold for every release.
 */
public final class ReleasedRecords {

    /** Where the fixtures live. */
    public static final Path DIR = Path.of("src/test/resources/released-records");
    /** Set to {@code true} to (re)write the newest release's fixtures with today's code (see the README). */
    public static final String WRITE_SWITCH = "released.records.write";

    public static final String EMBEDDED = "embedded";
    public static final String REGISTRY = "registry";

    static final String SUB = "20ff7fc3-e762-44dd-bd96-b71116dcdc23";
    static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    static final String FINDING_ID = "942f0776-af70-31a9-82cb-0de154a08479";
    static final String CONTACT_ID = "/subscriptions/" + SUB + "/providers/Microsoft.Security/securityContacts/default";
    static final Instant PREVIOUS = Instant.parse("2026-03-01T12:00:00.123Z");
    static final Instant COLLECTED = Instant.parse("2026-03-01T12:15:00.456Z");
    static final Instant EVALUATED = Instant.parse("2026-03-01T12:15:01.789Z");
    static final String BODY = "{\"value\":[{\"id\":\"" + CONTACT_ID + "\",\"name\":\"default\","
            + "\"type\":\"Microsoft.Security/securityContacts\",\"properties\":{\"isEnabled\":false,"
            + "\"emails\":\"secops@contoso.com;jane@contoso.com\",\"phone\":\"(214)275-4038\","
            + "\"notificationsByRole\":{\"state\":\"On\",\"roles\":[\"Owner\"]},"
            + "\"notificationsSources\":[{\"sourceType\":\"Alert\",\"minimalSeverity\":\"High\"}]}}]}";
    static final String REASON = "contact default is disabled (isEnabled false) at $.value[0].properties.isEnabled";

    /**
     * One Avro topic's fixture.
     *
     * @param dataset the topic's dataset ({@code <prefix>.<dataset>.v1}), the fixture's file name
     * @param type    the record class
     * @param record  the record today's code writes for the newest release's fixture
     * @param check   what a reader of today must read back from every release's fixture
     */
    public record Fixture<T extends SpecificRecord>(String dataset, Class<T> type, T record, Consumer<T> check) {

        /** The record's full schema name. */
        public String schemaName() {
            return record.getSchema().getFullName();
        }

        /** The record's topic under a prefix. */
        public String topic(String prefix) {
            return prefix + "." + dataset + ".v1";
        }

        @Override
        public String toString() {
            return dataset;
        }

        /** Checks a decoded record. */
        public void verify(Object decoded) {
            assertThat(decoded).as(dataset).isInstanceOf(type);
            check.accept(type.cast(decoded));
        }
    }

    private ReleasedRecords() {}

    /** The fixture of every Avro topic. */
    public static List<Fixture<?>> all() {
        return List.of(
                new Fixture<>("snapshots", SecurityContactSnapshot.class, snapshot(), ReleasedRecords::checkSnapshot),
                new Fixture<>("findings", ComplianceFinding.class, finding(), ReleasedRecords::checkFinding),
                new Fixture<>("drift", DriftEvent.class, drift(), ReleasedRecords::checkDrift),
                new Fixture<>("posture", PostureState.class, posture(), ReleasedRecords::checkPosture),
                new Fixture<>("dlq", DeadLetter.class, deadLetter(), ReleasedRecords::checkDeadLetter),
                // first written by release 3
                new Fixture<>("exceptions", ComplianceException.class, exception(), ReleasedRecords::checkException));
    }

    /**
     * The newest release, which the fixtures being (re)written belong to; fails when today's schema of some record is
     * not that release's (release the schemas first, schemas/README.md).
     */
    public static String newestRelease() {
        List<String> releases = SingleObjectAvroSerde.releases();
        String newest = releases.get(releases.size() - 1);
        for (Fixture<?> fixture : all()) {
            Schema released =
                    SingleObjectAvroSerde.released(fixture.schemaName()).get(newest);
            assertThat(released)
                    .as(fixture.schemaName() + " in release " + newest)
                    .isNotNull();
            assertThat(SchemaNormalization.parsingFingerprint64(released))
                    .as("today's " + fixture.schemaName() + " is release " + newest + "'s")
                    .isEqualTo(SchemaNormalization.parsingFingerprint64(
                            fixture.record().getSchema()));
        }
        return newest;
    }

    /** The committed bytes a release wrote for one topic in one encoding. */
    public static byte[] read(String release, String encoding, String dataset) {
        try {
            return HexFormat.of()
                    .parseHex(Files.readString(file(release, encoding, dataset)).replaceAll("\\s", ""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a fixture, 64 hex digits a line. */
    public static void write(String release, String encoding, String dataset, byte[] bytes) {
        String hex = HexFormat.of().formatHex(bytes);
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < hex.length(); i += 64) {
            lines.append(hex, i, Math.min(hex.length(), i + 64)).append('\n');
        }
        try {
            Path file = file(release, encoding, dataset);
            Files.createDirectories(file.getParent());
            Files.writeString(file, lines);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path file(String release, String encoding, String dataset) {
        return DIR.resolve(release).resolve(encoding).resolve(dataset + ".hex");
    }

    static NormalizedContact contact() {
        return NormalizedContact.newBuilder()
                .setName("default")
                .setId(CONTACT_ID)
                .setApiGeneration("2023-12-01-preview")
                .setIsEnabled(false)
                .setNotificationSources(List.of(NotificationSource.newBuilder()
                        .setSourceType("Alert")
                        .setMinimalSeverity("High")
                        .build()))
                .setEmails(List.of("secops@contoso.com", "jane@contoso.com"))
                .setPhone("(214)275-4038")
                .setRoleNotificationsState("On")
                .setRoles(List.of("Owner"))
                .build();
    }

    static Reason reason() {
        return new Reason("CONTACT_DISABLED", REASON);
    }

    static SecurityContactSnapshot snapshot() {
        return SecurityContactSnapshot.newBuilder()
                .setSubscriptionId(SUB)
                .setTenantId(TENANT)
                .setSubscriptionName("contoso-prod")
                .setSubscriptionState("Enabled")
                .setRunId("0f8e2c1a-5b7d-4e36-9a41-3c2d1e0f9b87")
                .setCollectedAt(COLLECTED)
                .setApiVersion("2023-12-01-preview")
                .setStatus(CollectionStatus.OK)
                .setHttpStatus(200)
                .setArmRequestId("b6b3c2e4-1f0a-4d7e-8c9b-2a1e3f4d5c6b")
                .setRawBodies(List.of(BODY))
                .setContacts(List.of(contact()))
                .build();
    }

    static void checkSnapshot(SecurityContactSnapshot s) {
        assertThat(s.getSubscriptionId()).isEqualTo(SUB);
        assertThat(s.getTenantId()).isEqualTo(TENANT);
        assertThat(s.getSubscriptionName()).isEqualTo("contoso-prod");
        assertThat(s.getSubscriptionState()).isEqualTo("Enabled");
        assertThat(s.getRunId()).isEqualTo("0f8e2c1a-5b7d-4e36-9a41-3c2d1e0f9b87");
        assertThat(s.getCollectedAt()).isEqualTo(COLLECTED);
        assertThat(s.getApiVersion()).isEqualTo("2023-12-01-preview");
        assertThat(s.getStatus()).isEqualTo(CollectionStatus.OK);
        assertThat(s.getHttpStatus()).isEqualTo(200);
        assertThat(s.getErrorMessage()).isNull();
        assertThat(s.getArmRequestId()).isEqualTo("b6b3c2e4-1f0a-4d7e-8c9b-2a1e3f4d5c6b");
        assertThat(s.getRawBodies()).containsExactly(BODY);
        assertThat(s.getContacts()).hasSize(1);
        checkContact(s.getContacts().get(0));
    }

    static void checkContact(NormalizedContact c) {
        assertThat(c.getName()).isEqualTo("default");
        assertThat(c.getId()).isEqualTo(CONTACT_ID);
        assertThat(c.getApiGeneration()).isEqualTo("2023-12-01-preview");
        assertThat(c.getIsEnabled()).isFalse();
        assertThat(c.getAlertNotificationsState()).isNull();
        assertThat(c.getAlertMinimalSeverity()).isNull();
        assertThat(c.getNotificationSources()).hasSize(1);
        assertThat(c.getNotificationSources().get(0).getSourceType()).isEqualTo("Alert");
        assertThat(c.getNotificationSources().get(0).getMinimalSeverity()).isEqualTo("High");
        assertThat(c.getNotificationSources().get(0).getMinimalRiskLevel()).isNull();
        assertThat(c.getEmails()).containsExactly("secops@contoso.com", "jane@contoso.com");
        assertThat(c.getPhone()).isEqualTo("(214)275-4038");
        assertThat(c.getAlertsToAdmins()).isNull();
        assertThat(c.getRoleNotificationsState()).isEqualTo("On");
        assertThat(c.getRoles()).containsExactly("Owner");
    }

    static void checkReasons(List<Reason> reasons) {
        assertThat(reasons).hasSize(1);
        assertThat(reasons.get(0).getCode()).isEqualTo("CONTACT_DISABLED");
        assertThat(reasons.get(0).getMessage()).isEqualTo(REASON);
    }

    static ComplianceFinding finding() {
        return ComplianceFinding.newBuilder()
                .setFindingId(FINDING_ID)
                .setEventId("f483ebac-857e-3755-a081-5a4046254f03")
                .setSubscriptionId(SUB)
                .setTenantId(TENANT)
                .setRuleId("cis-azure-1.3.0-2.14")
                .setRuleVersion("1.0.0")
                .setProfile("default")
                .setVerdict(Verdict.FAIL)
                .setReasons(List.of(reason()))
                .setEvidence(List.of(new Evidence("default", "$.value[0].properties.isEnabled", "false", "FAILED")))
                .setWarnings(List.of())
                .setCollectionStatus(CollectionStatus.OK)
                .setRunId("0f8e2c1a-5b7d-4e36-9a41-3c2d1e0f9b87")
                .setCollectedAt(COLLECTED)
                .setEvaluatedAt(EVALUATED)
                .setFirstSeenAt(Instant.parse("2026-01-05T08:00:00Z"))
                .setLastStatusChangeAt(EVALUATED)
                .setActivity(FindingActivity.UPDATE)
                .build();
    }

    static void checkFinding(ComplianceFinding f) {
        assertThat(f.getFindingId()).isEqualTo(FINDING_ID);
        assertThat(f.getEventId()).isEqualTo("f483ebac-857e-3755-a081-5a4046254f03");
        assertThat(f.getSubscriptionId()).isEqualTo(SUB);
        assertThat(f.getTenantId()).isEqualTo(TENANT);
        assertThat(f.getRuleId()).isEqualTo("cis-azure-1.3.0-2.14");
        assertThat(f.getRuleVersion()).isEqualTo("1.0.0");
        assertThat(f.getProfile()).isEqualTo("default");
        assertThat(f.getVerdict()).isEqualTo(Verdict.FAIL);
        checkReasons(f.getReasons());
        assertThat(f.getEvidence()).hasSize(1);
        assertThat(f.getEvidence().get(0).getContact()).isEqualTo("default");
        assertThat(f.getEvidence().get(0).getPath()).isEqualTo("$.value[0].properties.isEnabled");
        assertThat(f.getEvidence().get(0).getValue()).isEqualTo("false");
        assertThat(f.getEvidence().get(0).getOutcome()).isEqualTo("FAILED");
        assertThat(f.getWarnings()).isEmpty();
        assertThat(f.getCollectionStatus()).isEqualTo(CollectionStatus.OK);
        assertThat(f.getRunId()).isEqualTo("0f8e2c1a-5b7d-4e36-9a41-3c2d1e0f9b87");
        assertThat(f.getCollectedAt()).isEqualTo(COLLECTED);
        assertThat(f.getEvaluatedAt()).isEqualTo(EVALUATED);
        assertThat(f.getFirstSeenAt()).isEqualTo(Instant.parse("2026-01-05T08:00:00Z"));
        assertThat(f.getLastStatusChangeAt()).isEqualTo(EVALUATED);
        assertThat(f.getActivity()).isEqualTo(FindingActivity.UPDATE);
    }

    static DriftEvent drift() {
        return DriftEvent.newBuilder()
                .setEventId("6518530a-dc47-32e2-a305-3203cfb9114a")
                .setFindingId(FINDING_ID)
                .setSubscriptionId(SUB)
                .setTenantId(TENANT)
                .setKind(DriftKind.REGRESSED)
                .setSeverity(DriftSeverity.HIGH)
                .setPreviousVerdict(Verdict.PASS)
                .setCurrentVerdict(Verdict.FAIL)
                .setChanges(List.of(new FieldChange("contacts[default].isEnabled", "true", "false")))
                .setRuleId("cis-azure-1.3.0-2.14")
                .setRuleVersion("1.0.0")
                .setProfile("default")
                .setReasons(List.of(reason()))
                .setPreviousCollectedAt(PREVIOUS)
                .setCollectedAt(COLLECTED)
                .setDetectedAt(EVALUATED)
                .build();
    }

    static void checkDrift(DriftEvent d) {
        assertThat(d.getEventId()).isEqualTo("6518530a-dc47-32e2-a305-3203cfb9114a");
        assertThat(d.getFindingId()).isEqualTo(FINDING_ID);
        assertThat(d.getSubscriptionId()).isEqualTo(SUB);
        assertThat(d.getTenantId()).isEqualTo(TENANT);
        assertThat(d.getKind()).isEqualTo(DriftKind.REGRESSED);
        assertThat(d.getSeverity()).isEqualTo(DriftSeverity.HIGH);
        assertThat(d.getPreviousVerdict()).isEqualTo(Verdict.PASS);
        assertThat(d.getCurrentVerdict()).isEqualTo(Verdict.FAIL);
        assertThat(d.getChanges()).hasSize(1);
        assertThat(d.getChanges().get(0).getPath()).isEqualTo("contacts[default].isEnabled");
        assertThat(d.getChanges().get(0).getBefore()).isEqualTo("true");
        assertThat(d.getChanges().get(0).getAfter()).isEqualTo("false");
        assertThat(d.getRuleId()).isEqualTo("cis-azure-1.3.0-2.14");
        assertThat(d.getRuleVersion()).isEqualTo("1.0.0");
        assertThat(d.getPreviousRuleVersion()).isNull();
        assertThat(d.getProfile()).isEqualTo("default");
        checkReasons(d.getReasons());
        assertThat(d.getPreviousCollectedAt()).isEqualTo(PREVIOUS);
        assertThat(d.getCollectedAt()).isEqualTo(COLLECTED);
        assertThat(d.getDetectedAt()).isEqualTo(EVALUATED);
    }

    static PostureState posture() {
        return PostureState.newBuilder()
                .setSubscriptionId(SUB)
                .setTenantId(TENANT)
                .setFindingId(FINDING_ID)
                .setVerdict(Verdict.FAIL)
                .setLastGoodVerdict(Verdict.FAIL)
                .setSince(COLLECTED)
                .setFirstSeenAt(Instant.parse("2026-01-05T08:00:00Z"))
                .setLastCollectedAt(COLLECTED)
                .setLastEvaluatedAt(EVALUATED)
                .setRuleId("cis-azure-1.3.0-2.14")
                .setRuleVersion("1.0.0")
                .setProfile("default")
                .setReasons(List.of(reason()))
                .setStale(false)
                .setContacts(List.of(contact()))
                .setSummary("FAIL: CONTACT_DISABLED")
                .setLastGoodCollectedAt(COLLECTED)
                .setConsecutiveErrors(0)
                .setLateSnapshots(2L)
                .setLastFindingEventId("f483ebac-857e-3755-a081-5a4046254f03")
                .build();
    }

    static void checkPosture(PostureState p) {
        assertThat(p.getSubscriptionId()).isEqualTo(SUB);
        assertThat(p.getTenantId()).isEqualTo(TENANT);
        assertThat(p.getFindingId()).isEqualTo(FINDING_ID);
        assertThat(p.getVerdict()).isEqualTo(Verdict.FAIL);
        assertThat(p.getLastGoodVerdict()).isEqualTo(Verdict.FAIL);
        assertThat(p.getSince()).isEqualTo(COLLECTED);
        assertThat(p.getFirstSeenAt()).isEqualTo(Instant.parse("2026-01-05T08:00:00Z"));
        assertThat(p.getLastCollectedAt()).isEqualTo(COLLECTED);
        assertThat(p.getLastEvaluatedAt()).isEqualTo(EVALUATED);
        assertThat(p.getRuleId()).isEqualTo("cis-azure-1.3.0-2.14");
        assertThat(p.getRuleVersion()).isEqualTo("1.0.0");
        assertThat(p.getProfile()).isEqualTo("default");
        checkReasons(p.getReasons());
        assertThat(p.getStale()).isFalse();
        assertThat(p.getContacts()).hasSize(1);
        checkContact(p.getContacts().get(0));
        assertThat(p.getSummary()).isEqualTo("FAIL: CONTACT_DISABLED");
        assertThat(p.getLastGoodCollectedAt()).isEqualTo(COLLECTED);
        assertThat(p.getConsecutiveErrors()).isZero();
        assertThat(p.getLateSnapshots()).isEqualTo(2L);
        assertThat(p.getLastFindingEventId()).isEqualTo("f483ebac-857e-3755-a081-5a4046254f03");
    }

    /** A waiver of the subscription's failure, approved and later revoked. */
    static ComplianceException exception() {
        return ComplianceException.newBuilder()
                .setExceptionId("5c2e4c1a-7f0e-4d5b-9a51-3f1b2a6c9d10")
                .setScope("/subscriptions/" + SUB)
                .setSubscriptionId(SUB)
                .setRuleId("cis-azure-1.3.0-2.14")
                .setCategory(ExceptionCategory.WAIVER)
                .setReasonCodes(List.of("CONTACT_DISABLED"))
                .setJustification("sandbox without production data, decommissioned in Q3")
                .setTicket("RISK-1042")
                .setRequestedBy("app-owner@contoso.com")
                .setApprovedBy("ciso@contoso.com")
                .setApprovedAt(Instant.parse("2026-01-06T09:00:00Z"))
                .setExpiresAt(Instant.parse("2026-07-01T00:00:00Z"))
                .setCreatedAt(Instant.parse("2026-01-06T09:05:00Z"))
                .setCreatedBy("secops@jump-host")
                .setRevokedAt(Instant.parse("2026-02-01T10:00:00Z"))
                .setRevokedBy("ciso@contoso.com")
                .setRevocationReason("production data found in the sandbox")
                .setSource("cli")
                .build();
    }

    static void checkException(ComplianceException e) {
        assertThat(e.getExceptionId()).isEqualTo("5c2e4c1a-7f0e-4d5b-9a51-3f1b2a6c9d10");
        assertThat(e.getScope()).isEqualTo("/subscriptions/" + SUB);
        assertThat(e.getSubscriptionId()).isEqualTo(SUB);
        assertThat(e.getCategory()).isEqualTo(ExceptionCategory.WAIVER);
        assertThat(e.getReasonCodes()).containsExactly("CONTACT_DISABLED");
        assertThat(e.getRequestedBy()).isEqualTo("app-owner@contoso.com");
        assertThat(e.getApprovedBy()).isEqualTo("ciso@contoso.com");
        assertThat(e.getExpiresAt()).isEqualTo(Instant.parse("2026-07-01T00:00:00Z"));
        assertThat(e.getRevokedAt()).isEqualTo(Instant.parse("2026-02-01T10:00:00Z"));
        assertThat(e.getRevocationReason()).isEqualTo("production data found in the sandbox");
    }

    static DeadLetter deadLetter() {
        return DeadLetter.newBuilder()
                .setSourceTopic("contact-audit.snapshots.v1")
                .setSourcePartition(3)
                .setSourceOffset(48213L)
                .setSourceTimestamp(COLLECTED)
                .setKey(ByteBuffer.wrap(SUB.getBytes(StandardCharsets.UTF_8)))
                .setValue(ByteBuffer.wrap("garbage".getBytes(StandardCharsets.UTF_8)))
                .setStage("DESERIALIZATION")
                .setErrorClass("org.apache.kafka.common.errors.SerializationException")
                .setErrorMessage(
                        "cannot decode SecurityContactSnapshot from topic contact-audit.snapshots.v1 (7 bytes): "
                                + "Not enough header bytes")
                .setStackTrace(null)
                .setApplicationId("contact-audit-evaluate-v1")
                .setFailedAt(EVALUATED)
                .build();
    }

    static void checkDeadLetter(DeadLetter d) {
        assertThat(d.getSourceTopic()).isEqualTo("contact-audit.snapshots.v1");
        assertThat(d.getSourcePartition()).isEqualTo(3);
        assertThat(d.getSourceOffset()).isEqualTo(48213L);
        assertThat(d.getSourceTimestamp()).isEqualTo(COLLECTED);
        assertThat(StandardCharsets.UTF_8.decode(d.getKey().duplicate()).toString())
                .isEqualTo(SUB);
        assertThat(StandardCharsets.UTF_8.decode(d.getValue().duplicate()).toString())
                .isEqualTo("garbage");
        assertThat(d.getStage()).isEqualTo("DESERIALIZATION");
        assertThat(d.getErrorClass()).isEqualTo("org.apache.kafka.common.errors.SerializationException");
        assertThat(d.getErrorMessage())
                .isEqualTo("cannot decode SecurityContactSnapshot from topic contact-audit.snapshots.v1 "
                        + "(7 bytes): Not enough header bytes");
        assertThat(d.getStackTrace()).isNull();
        assertThat(d.getApplicationId()).isEqualTo("contact-audit-evaluate-v1");
        assertThat(d.getFailedAt()).isEqualTo(EVALUATED);
    }
}

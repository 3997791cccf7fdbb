package io.contactaudit.replay;

import static io.contactaudit.replay.ContactSnapshots.withContact;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.contactaudit.evaluate.EvaluateTopology;
import io.contactaudit.kafka.Topics;
import io.contactaudit.rule.Profile;
import io.contactaudit.schema.CollectionStatus;
import io.contactaudit.schema.ComplianceFinding;
import io.contactaudit.schema.DriftEvent;
import io.contactaudit.schema.DriftKind;
import io.contactaudit.schema.DriftSeverity;
import io.contactaudit.schema.ExceptionCategory;
import io.contactaudit.schema.ExceptionRef;
import io.contactaudit.schema.FindingActivity;
import io.contactaudit.schema.Reason;
import io.contactaudit.schema.SecurityContactSnapshot;
import io.contactaudit.schema.Verdict;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The replays over an in-memory log: the posture fold, filters, skip-and-report, OCSF fidelity, re-evaluation. */
class ReplaysTest {

    @TempDir
    Path stateDir;

    static final ObjectMapper JSON = new ObjectMapper();
    static final String A = "a0000000-0000-0000-0000-00000000000a";
    static final String B = "b0000000-0000-0000-0000-00000000000b";
    static final String C = "c0000000-0000-0000-0000-00000000000c";
    static final Instant T1 = FakeLog.NOW.minus(Duration.ofDays(40));
    static final Instant T2 = FakeLog.NOW.minus(Duration.ofDays(30));
    static final Instant T3 = FakeLog.NOW.minus(Duration.ofDays(20));
    static final Instant T4 = FakeLog.NOW.minus(Duration.ofDays(10));
    static final Replays.Filter ALL = new Replays.Filter(Set.of(), null, null);

    final Topics topics = Topics.create("t");
    final FakeLog log = new FakeLog();
    final Skipped skipped = new Skipped();
    Replays replays;

    @BeforeEach
    void topics() {
        topics.all().forEach(t -> log.create(t.name(), 2));
        replays = new Replays(log.reader(), topics);
    }

    static int partition(String sub) {
        return sub.equals(B) ? 1 : 0;
    }

    static ComplianceFinding finding(String sub, Verdict verdict, FindingActivity activity, Instant at) {
        return ComplianceFinding.newBuilder()
                .setFindingId("f-" + sub)
                .setEventId("e-" + sub + "-" + at.toEpochMilli())
                .setSubscriptionId(sub)
                .setTenantId("t")
                .setRuleId("cis-azure-1.3.0-2.14")
                .setRuleVersion("1.0.0")
                .setProfile("default")
                .setVerdict(verdict)
                .setReasons(List.of(new Reason("R_" + verdict, "why")))
                .setCollectionStatus(CollectionStatus.OK)
                .setRunId("run")
                .setCollectedAt(at)
                .setEvaluatedAt(at)
                .setFirstSeenAt(at)
                .setLastStatusChangeAt(at)
                .setActivity(activity)
                .build();
    }

    static DriftEvent drift(String sub, DriftKind kind, Instant at) {
        return DriftEvent.newBuilder()
                .setEventId("d-" + sub + at.toEpochMilli())
                .setFindingId("f-" + sub)
                .setSubscriptionId(sub)
                .setKind(kind)
                .setSeverity(DriftSeverity.HIGH)
                .setPreviousVerdict(Verdict.PASS)
                .setCurrentVerdict(null)
                .setRuleId("r")
                .setRuleVersion("1.0.0")
                .setProfile("default")
                .setCollectedAt(at)
                .setDetectedAt(at)
                .build();
    }

    void append(ComplianceFinding f) {
        log.append(
                topics.findings().name(),
                partition(f.getSubscriptionId()),
                f.getSubscriptionId(),
                topics.findings()
                        .value()
                        .serializer()
                        .serialize(topics.findings().name(), f),
                f.getCollectedAt());
    }

    void append(DriftEvent d) {
        log.append(
                topics.drift().name(),
                partition(d.getSubscriptionId()),
                d.getSubscriptionId(),
                topics.drift().value().serializer().serialize(topics.drift().name(), d),
                d.getDetectedAt());
    }

    void history() {
        append(finding(A, Verdict.PASS, FindingActivity.CREATE, T1));
        append(finding(B, Verdict.FAIL, FindingActivity.CREATE, T1));
        append(finding(A, Verdict.FAIL, FindingActivity.UPDATE, T2));
        append(finding(B, Verdict.PASS, FindingActivity.UPDATE, T2));
        append(finding(C, Verdict.PASS, FindingActivity.CREATE, T3));
        append(finding(B, Verdict.PASS, FindingActivity.CLOSE, T4));
        append(drift(C, DriftKind.STALE, T4));
    }

    static <T> List<T> all(Stream<T> stream) {
        try (stream) {
            return stream.toList();
        }
    }

    @Test
    void thePostureAsOfAnInstantIsTheLatestFindingPerSubscription() {
        history();
        assertThat(replays.postureAsOf(T1.plus(Duration.ofDays(1)), ALL, skipped, n -> {}))
                .extracting(Replays.PostureRow::subscriptionId, Replays.PostureRow::verdict, Replays.PostureRow::stale)
                .containsExactly(tuple(A, Verdict.PASS, false), tuple(B, Verdict.FAIL, false));
        assertThat(replays.postureAsOf(T3, ALL, skipped, n -> {}))
                .extracting(Replays.PostureRow::subscriptionId, Replays.PostureRow::verdict)
                .containsExactly(tuple(A, Verdict.FAIL), tuple(B, Verdict.PASS), tuple(C, Verdict.PASS));
        // B closed, C stale after its last finding
        assertThat(replays.postureAsOf(FakeLog.NOW, ALL, skipped, n -> {}))
                .extracting(Replays.PostureRow::subscriptionId, Replays.PostureRow::verdict, Replays.PostureRow::stale)
                .containsExactly(tuple(A, Verdict.FAIL, false), tuple(C, Verdict.PASS, true));
        assertThat(skipped.count()).isZero();
    }

    @Test
    void thePostureAsOfAnInstantShowsTheSuppressionInForceThen() {
        ComplianceFinding open = finding(A, Verdict.FAIL, FindingActivity.CREATE, T1);
        append(open);
        // granted at T2: the finding restated suppressed (captured at T1, written at T2); it expires at T3 while the
        // evaluator is down, so no finding says so until later
        ComplianceFinding suppressed = ComplianceFinding.newBuilder(open)
                .setEventId("e-granted")
                .setActivity(FindingActivity.UPDATE)
                .setEvaluatedAt(T2)
                .setSuppressed(true)
                .setException(new ExceptionRef("ex-1", ExceptionCategory.WAIVER, T3, "bob", "RISK-1"))
                .build();
        log.append(
                topics.findings().name(),
                partition(A),
                A,
                topics.findings()
                        .value()
                        .serializer()
                        .serialize(topics.findings().name(), suppressed),
                T2);
        assertThat(replays.postureAsOf(T2.minusMillis(1), ALL, skipped, n -> {}))
                .extracting(Replays.PostureRow::verdict, Replays.PostureRow::suppressedBy)
                .containsExactly(tuple(Verdict.FAIL, null));
        assertThat(replays.postureAsOf(T2.plus(Duration.ofDays(1)), ALL, skipped, n -> {}))
                .extracting(Replays.PostureRow::verdict, Replays.PostureRow::suppressedBy)
                .containsExactly(tuple(Verdict.FAIL, "ex-1"));
        assertThat(replays.postureAsOf(T3, ALL, skipped, n -> {}))
                .extracting(Replays.PostureRow::verdict, Replays.PostureRow::suppressed)
                .containsExactly(tuple(Verdict.FAIL, false));
    }

    @Test
    void filtersBySubscriptionKeyAndVerdictAndKind() {
        history();
        append(drift(A, DriftKind.REGRESSED, T2));
        // a record of another subscription that would not decode: never decoded, never reported
        log.append(topics.findings().name(), 1, B, "not avro".getBytes(StandardCharsets.UTF_8), T3);
        Replays.Filter onlyA = new Replays.Filter(Set.of(A), null, null);

        assertThat(all(replays.findings(T1, FakeLog.NOW, onlyA, skipped, n -> {})))
                .extracting(ComplianceFinding::getVerdict)
                .containsExactly(Verdict.PASS, Verdict.FAIL);
        assertThat(all(replays.findings(
                        T1, FakeLog.NOW, new Replays.Filter(Set.of(), Verdict.PASS, null), skipped, n -> {})))
                .extracting(ComplianceFinding::getSubscriptionId)
                .containsExactly(A, B, C, B);
        assertThat(all(replays.drift(
                        T1, FakeLog.NOW, new Replays.Filter(Set.of(), null, DriftKind.STALE), skipped, n -> {})))
                .extracting(DriftEvent::getSubscriptionId)
                .containsExactly(C);
        assertThat(replays.postureAsOf(FakeLog.NOW, onlyA, skipped, n -> {}))
                .extracting(Replays.PostureRow::subscriptionId)
                .containsExactly(A);
        assertThat(skipped.count())
                .as("the B record is only decoded by the unfiltered read")
                .isEqualTo(1);
    }

    @Test
    void filtersByTenantIdOrNameAndThePostureNamesEachSubscriptionsTenant() {
        append(ComplianceFinding.newBuilder(finding(A, Verdict.PASS, FindingActivity.CREATE, T1))
                .setTenantId("tenant-a")
                .setTenantName("Contoso")
                .build());
        append(ComplianceFinding.newBuilder(finding(B, Verdict.FAIL, FindingActivity.CREATE, T1))
                .setTenantId("tenant-b")
                .setTenantName("Fabrikam")
                .setReadThroughTenantId("tenant-a")
                .build());
        append(ComplianceFinding.newBuilder(finding(C, Verdict.FAIL, FindingActivity.CREATE, T2))
                .setTenantId("tenant-a")
                .setTenantName("Contoso")
                .build());
        DriftEvent regressed = DriftEvent.newBuilder(drift(C, DriftKind.REGRESSED, T2))
                .setTenantId("tenant-a")
                .setTenantName("Contoso")
                .build();
        append(regressed);
        append(drift(B, DriftKind.STALE, T3)); // of release 3: no tenant on it

        Replays.Filter contoso = new Replays.Filter(Set.of(), null, null, Set.of("CONTOSO"));
        assertThat(replays.postureAsOf(FakeLog.NOW, contoso, skipped, n -> {}))
                .extracting(Replays.PostureRow::subscriptionId, Replays.PostureRow::tenantName)
                .containsExactly(tuple(A, "Contoso"), tuple(C, "Contoso"));
        Replays.Filter fabrikam = new Replays.Filter(Set.of(), null, null, Set.of("tenant-b"));
        assertThat(all(replays.findings(T1, FakeLog.NOW, fabrikam, skipped, n -> {})))
                .extracting(ComplianceFinding::getSubscriptionId, ComplianceFinding::getReadThroughTenantId)
                .containsExactly(tuple(B, "tenant-a"));
        assertThat(all(replays.drift(T1, FakeLog.NOW, contoso, skipped, n -> {})))
                .extracting(DriftEvent::getSubscriptionId)
                .containsExactly(C);
        assertThat(all(replays.drift(T1, FakeLog.NOW, fabrikam, skipped, n -> {})))
                .as("a drift event that names no tenant is not any tenant's")
                .isEmpty();
        assertThat(Replays.tenantTotals(replays.postureAsOf(FakeLog.NOW, ALL, skipped, n -> {})))
                .isEqualTo(
                        System.lineSeparator()
                                + "  tenant Contoso (tenant-a): 2 subscriptions: 1 PASS, 1 FAIL, 0 ERROR, 0 STALE, 0 suppressed"
                                + System.lineSeparator()
                                + "  tenant Fabrikam (tenant-b): 1 subscriptions: 0 PASS, 1 FAIL, 0 ERROR, 1 STALE, 0 suppressed");
    }

    @Test
    void anUndecodableSnapshotIsSkippedAndTheRestIsReplayed() {
        SecurityContactSnapshot good = withContact(A, "Medium", T1);
        log.append(
                topics.snapshots().name(),
                0,
                A,
                "{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8),
                T1.minusSeconds(60));
        log.append(
                topics.snapshots().name(),
                0,
                A,
                topics.snapshots().value().serializer().serialize("", good),
                T1);

        assertThat(all(replays.snapshots(T1.minus(Duration.ofDays(1)), FakeLog.NOW, ALL, skipped, n -> {})))
                .containsExactly(good);
        assertThat(skipped.entries()).singleElement().satisfies(e -> {
            assertThat(e.topic()).isEqualTo("t.snapshots.v1");
            assertThat(e.partition()).isZero();
            assertThat(e.offset()).isZero();
            assertThat(e.cause()).isNotBlank();
        });
    }

    /**
     * Runs the production topology over snapshots and appends what it wrote to findings.v1 and findings-ocsf.v1 to the
     * log, with the record timestamps it gave them; returns the OCSF events as written, byte for byte.
     */
    List<String> evaluate(SecurityContactSnapshot... snapshots) {
        return evaluate(
                new EvaluateTopology.Settings(Profile.DEFAULT, Duration.ofDays(365), Duration.ofDays(1)), snapshots);
    }

    List<String> evaluate(EvaluateTopology.Settings settings, SecurityContactSnapshot... snapshots) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "replays-test");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        // the evaluator's clock at the newest snapshot: a snapshot dated ahead of the clock is refused
        Instant clock = Arrays.stream(snapshots)
                .map(SecurityContactSnapshot::getCollectedAt)
                .max(Instant::compareTo)
                .orElse(T1);
        try (TopologyTestDriver driver =
                new TopologyTestDriver(EvaluateTopology.build(topics, settings), props, clock)) {
            TestInputTopic<String, byte[]> in = driver.createInputTopic(
                    topics.snapshots().name(),
                    Serdes.String().serializer(),
                    Serdes.ByteArray().serializer());
            for (SecurityContactSnapshot s : snapshots) {
                byte[] value = topics.snapshots()
                        .value()
                        .serializer()
                        .serialize(topics.snapshots().name(), s);
                in.pipeInput(s.getSubscriptionId(), value, s.getCollectedAt());
                log.append(topics.snapshots().name(), 0, s.getSubscriptionId(), value, s.getCollectedAt());
            }
            TestOutputTopic<String, byte[]> findings = driver.createOutputTopic(
                    topics.findings().name(),
                    Serdes.String().deserializer(),
                    Serdes.ByteArray().deserializer());
            for (TestRecord<String, byte[]> r : findings.readRecordsToList()) {
                log.append(topics.findings().name(), 0, r.key(), r.value(), r.getRecordTime());
            }
            TestOutputTopic<String, byte[]> ocsf = driver.createOutputTopic(
                    topics.findingsOcsf().name(),
                    Serdes.String().deserializer(),
                    Serdes.ByteArray().deserializer());
            return ocsf.readRecordsToList().stream()
                    .map(r -> {
                        // the OCSF topic is keyed by finding id: another partition than the finding's
                        log.append(topics.findingsOcsf().name(), 1, r.key(), r.value(), r.getRecordTime());
                        return new String(r.value(), StandardCharsets.UTF_8);
                    })
                    .toList();
        }
    }

    @Test
    void ocsfEventsAreTheOnesTheLiveTopicCarriedWithContactsAndDrift() throws Exception {
        List<String> live =
                evaluate(withContact(A, "Medium", T1), withContact(C, "High", T1), withContact(A, "Critical", T2));
        assertThat(live).hasSize(3);
        JsonNode regressed = JSON.readTree(live.get(2));
        assertThat(regressed.at("/unmapped/drift_kinds").toString()).contains("REGRESSED");
        assertThat(regressed.at("/unmapped/recipients").toString()).contains("jane@contoso.com");
        assertThat(regressed.at("/resources/0/name").asText()).isEqualTo("default");

        List<Replays.OcsfFinding> replayed =
                all(replays.findingsOcsf(T1, FakeLog.NOW, ALL, f -> "mapped " + f.getEventId(), skipped, n -> {}));

        assertThat(replayed).extracting(Replays.OcsfFinding::event).containsExactlyElementsOf(live);
        assertThat(replayed).allMatch(Replays.OcsfFinding::live);
        assertThat(all(replays.findingsOcsf(
                        T1, FakeLog.NOW, new Replays.Filter(Set.of(C), null, null), f -> "mapped", skipped, n -> {})))
                .extracting(Replays.OcsfFinding::event)
                .containsExactly(live.get(1));
        assertThat(skipped.count()).isZero();
    }

    @Test
    void aFindingWithoutItsLiveEventIsMappedAgainAndAnUndecodableEventIsReported() {
        List<String> live = evaluate(withContact(A, "Medium", T1), withContact(C, "High", T2));
        append(finding(B, Verdict.FAIL, FindingActivity.CREATE, T2));
        log.append(topics.findingsOcsf().name(), 0, "f-x", "{\"metadata\":{}".getBytes(StandardCharsets.UTF_8), T2);

        List<Replays.OcsfFinding> replayed = all(
                replays.findingsOcsf(T1, FakeLog.NOW, ALL, f -> "mapped " + f.getSubscriptionId(), skipped, n -> {}));

        assertThat(replayed)
                .extracting(Replays.OcsfFinding::event, Replays.OcsfFinding::live)
                .containsExactly(tuple(live.get(0), true), tuple(live.get(1), true), tuple("mapped " + B, false));
        assertThat(skipped.entries()).singleElement().satisfies(e -> {
            assertThat(e.topic()).isEqualTo("t.findings-ocsf.v1");
            assertThat(e.cause()).startsWith("not an OCSF event (not JSON)");
        });
    }

    @Test
    void reevaluationPairsEachSnapshotWithItsFinding() {
        evaluate(withContact(A, "Medium", T1), withContact(C, "High", T1), withContact(A, "Low", T2));
        assertThat(all(replays.reevaluate(T1, FakeLog.NOW, Profile.DEFAULT, ALL, skipped, n -> {})))
                .isEmpty();
        assertThat(all(replays.reevaluate(T1, FakeLog.NOW, Profile.STRICT, ALL, skipped, n -> {})))
                .extracting(
                        Replays.Reevaluation::subscriptionId,
                        Replays.Reevaluation::collectedAt,
                        Replays.Reevaluation::recorded,
                        Replays.Reevaluation::today)
                .containsExactly(tuple(A, T1, Verdict.PASS, Verdict.FAIL), tuple(A, T2, Verdict.PASS, Verdict.FAIL));
    }

    /** Only changes emit a finding, and no refresh falls within the test. */
    static final EvaluateTopology.Settings CHANGES = new EvaluateTopology.Settings(
                    Profile.DEFAULT, Duration.ofDays(365), Duration.ofDays(1))
            .withEmission(EvaluateTopology.Emission.CHANGES, Duration.ofDays(3650));

    @Test
    void whenOnlyChangesEmitAFindingAnUnchangedSnapshotIsComparedWithTheFindingInForce() {
        Instant t1 = T1.plusSeconds(900);
        Instant t2 = T1.plusSeconds(1800);
        List<String> live = evaluate(
                CHANGES, withContact(A, "Medium", T1), withContact(A, "Medium", t1), withContact(A, "Medium", t2));
        assertThat(live)
                .as("one finding: the two later snapshots changed nothing")
                .hasSize(1);

        assertThat(all(replays.reevaluate(T1, FakeLog.NOW, Profile.DEFAULT, ALL, skipped, n -> {})))
                .isEmpty();
        assertThat(all(replays.reevaluate(T1, FakeLog.NOW, Profile.STRICT, ALL, skipped, n -> {})))
                .extracting(
                        Replays.Reevaluation::collectedAt, Replays.Reevaluation::recorded, Replays.Reevaluation::today)
                .containsExactly(
                        tuple(T1, Verdict.PASS, Verdict.FAIL),
                        tuple(t1, Verdict.PASS, Verdict.FAIL),
                        tuple(t2, Verdict.PASS, Verdict.FAIL));

        // a range that starts after the finding: found by looking back, else reported as unknown
        assertThat(all(replays.reevaluate(
                        t1, FakeLog.NOW, Profile.DEFAULT, Duration.ofHours(1), ALL, skipped, n -> {})))
                .isEmpty();
        assertThat(all(replays.reevaluate(t1, FakeLog.NOW, Profile.DEFAULT, ALL, skipped, n -> {})))
                .extracting(Replays.Reevaluation::recordedRule)
                .containsOnly("(no finding recorded)");

        // the posture as of the last snapshot is the finding in force
        assertThat(replays.postureAsOf(t2, ALL, skipped, n -> {}))
                .extracting(
                        Replays.PostureRow::subscriptionId, Replays.PostureRow::verdict, Replays.PostureRow::lastSeen)
                .containsExactly(tuple(A, Verdict.PASS, T1));
        assertThat(skipped.count()).isZero();
    }
}

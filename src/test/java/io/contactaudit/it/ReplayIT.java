package io.contactaudit.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.contactaudit.app.EvaluatorApp;
import io.contactaudit.app.KafkaSetup;
import io.contactaudit.cli.CliRunner;
import io.contactaudit.config.ContactAuditConfig;
import io.contactaudit.evaluate.StreamsRunner;
import io.contactaudit.kafka.Topics;
import io.contactaudit.replay.ContactSnapshots;
import io.contactaudit.schema.CollectionStatus;
import io.contactaudit.schema.ComplianceFinding;
import io.contactaudit.schema.DriftEvent;
import io.contactaudit.schema.DriftKind;
import io.contactaudit.schema.DriftSeverity;
import io.contactaudit.schema.FindingActivity;
import io.contactaudit.schema.Reason;
import io.contactaudit.schema.SecurityContactSnapshot;
import io.contactaudit.schema.Verdict;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code replay} against a real broker, with a history whose record timestamps are set explicitly. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ReplayIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String A = "80000000-0000-0000-0000-00000000000a";
    static final String B = "80000000-0000-0000-0000-00000000000b";
    static final String C = "80000000-0000-0000-0000-00000000000c";
    static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.DAYS);
    static final Instant T1 = NOW.minus(Duration.ofDays(90)).plus(Duration.ofHours(9));
    static final Instant T2 = NOW.minus(Duration.ofDays(60)).plus(Duration.ofHours(9));
    static final Instant T3 = NOW.minus(Duration.ofDays(30)).plus(Duration.ofHours(9));
    static final Instant T4 = NOW.minus(Duration.ofDays(20)).plus(Duration.ofHours(9));

    final String prefix = TestKafka.uniquePrefix("replay");
    final Topics topics = Topics.create(prefix);

    @TempDir
    Path dir;

    static ComplianceFinding finding(String sub, Verdict verdict, FindingActivity activity, Instant at, String runId) {
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
                .setRunId(runId)
                .setCollectedAt(at)
                .setEvaluatedAt(at)
                .setFirstSeenAt(at)
                .setLastStatusChangeAt(at)
                .setActivity(activity)
                .build();
    }

    static DriftEvent drift(String sub, DriftKind kind, Verdict before, Verdict after, Instant at) {
        return DriftEvent.newBuilder()
                .setEventId("d-" + sub + at.toEpochMilli())
                .setFindingId("f-" + sub)
                .setSubscriptionId(sub)
                .setKind(kind)
                .setSeverity(DriftSeverity.HIGH)
                .setPreviousVerdict(before)
                .setCurrentVerdict(after)
                .setRuleId("r")
                .setRuleVersion("1.0.0")
                .setProfile("default")
                .setCollectedAt(at)
                .setDetectedAt(at)
                .build();
    }

    @BeforeAll
    void history() throws Exception {
        String bootstrap = TestKafka.bootstrapServers();
        KafkaSetup.prepare(
                ContactAuditConfig.of(Map.of(
                        ContactAuditConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrap,
                        ContactAuditConfig.TOPIC_PREFIX_CONFIG,
                        prefix,
                        ContactAuditConfig.TOPICS_PARTITIONS_CONFIG,
                        "2")),
                topics);
        String body = "{\"value\":[{\"name\":\"default\",\"properties\":{\"isEnabled\":true,\"emails\":\"a@x.com\","
                + "\"notificationsSources\":[{\"sourceType\":\"Alert\",\"minimalSeverity\":\"Medium\"}]}}]}";
        try (KafkaProducer<String, ComplianceFinding> findings = TestKafka.producer(
                        Serdes.String().serializer(), topics.findings().value().serializer());
                KafkaProducer<String, DriftEvent> drift = TestKafka.producer(
                        Serdes.String().serializer(), topics.drift().value().serializer());
                KafkaProducer<String, SecurityContactSnapshot> snapshots = TestKafka.producer(
                        Serdes.String().serializer(), topics.snapshots().value().serializer())) {
            send(
                    findings,
                    topics.findings().name(),
                    A,
                    finding(A, Verdict.PASS, FindingActivity.CREATE, T1, "run-1"),
                    T1);
            send(
                    findings,
                    topics.findings().name(),
                    B,
                    finding(B, Verdict.FAIL, FindingActivity.CREATE, T1, "run-1"),
                    T1);
            send(
                    findings,
                    topics.findings().name(),
                    A,
                    finding(A, Verdict.FAIL, FindingActivity.UPDATE, T2, "run-2"),
                    T2);
            send(
                    findings,
                    topics.findings().name(),
                    B,
                    finding(B, Verdict.PASS, FindingActivity.UPDATE, T2, "run-2"),
                    T2);
            send(
                    findings,
                    topics.findings().name(),
                    C,
                    finding(C, Verdict.PASS, FindingActivity.CREATE, T3, "run-3"),
                    T3);
            send(
                    findings,
                    topics.findings().name(),
                    B,
                    finding(B, Verdict.PASS, FindingActivity.CLOSE, T4, "run-4"),
                    T4);
            send(drift, topics.drift().name(), A, drift(A, DriftKind.REGRESSED, Verdict.PASS, Verdict.FAIL, T2), T2);
            send(drift, topics.drift().name(), B, drift(B, DriftKind.REMEDIATED, Verdict.FAIL, Verdict.PASS, T2), T2);
            send(drift, topics.drift().name(), C, drift(C, DriftKind.STALE, Verdict.PASS, null, T4), T4);
            SecurityContactSnapshot snapshot = SecurityContactSnapshot.newBuilder()
                    .setSubscriptionId(A)
                    .setRunId("run-1")
                    .setCollectedAt(T1)
                    .setApiVersion("2023-12-01-preview")
                    .setStatus(CollectionStatus.OK)
                    .setRawBodies(List.of(body))
                    .build();
            send(snapshots, topics.snapshots().name(), A, snapshot, T1);
        }
    }

    static <V> void send(KafkaProducer<String, V> producer, String topic, String key, V value, Instant at)
            throws Exception {
        producer.send(new ProducerRecord<>(topic, null, at.toEpochMilli(), key, value))
                .get();
    }

    CliRunner.Run replay(String... args) {
        String[] all = new String[args.length + 5];
        all[0] = "replay";
        System.arraycopy(args, 0, all, 1, args.length);
        System.arraycopy(
                new String[] {"--bootstrap-servers", TestKafka.bootstrapServers(), "--topic-prefix", prefix},
                0,
                all,
                args.length + 1,
                4);
        return CliRunner.run(all);
    }

    @Test
    void postureAsOfAnInstantIsReconstructedFromHistory() throws Exception {
        CliRunner.Run early =
                replay("posture", "--as-of", T1.plus(Duration.ofDays(1)).toString(), "--format", "jsonl");
        assertThat(early.exitCode()).as(early.err()).isZero();
        assertThat(early.lines()).hasSize(2);
        assertThat(JSON.readTree(early.lines().get(0)).get("subscriptionId").asText())
                .isEqualTo(A);
        assertThat(JSON.readTree(early.lines().get(0)).get("verdict").asText()).isEqualTo("PASS");
        assertThat(JSON.readTree(early.lines().get(1)).get("verdict").asText()).isEqualTo("FAIL");

        // between the two changes: a date means the end of that day
        CliRunner.Run between = replay("posture", "--as-of", T2.toString().substring(0, 10));
        assertThat(between.out())
                .contains(A, B)
                .doesNotContain(C)
                .contains("2 subscriptions: 1 PASS, 1 FAIL, 0 ERROR, 0 STALE");

        CliRunner.Run today = replay("posture", "--as-of", Instant.now().toString());
        assertThat(today.out())
                .contains(A, C)
                .doesNotContain(B)
                .contains("2 subscriptions: 1 PASS, 1 FAIL, 0 ERROR, 1 STALE");
    }

    @Test
    void rangesWithFiltersInEveryFormat() throws Exception {
        CliRunner.Run fails = replay(
                "findings",
                "--from",
                T2.minus(Duration.ofDays(1)).toString(),
                "--verdict",
                "FAIL",
                "--format",
                "jsonl");
        assertThat(fails.exitCode()).isZero();
        assertThat(fails.lines()).hasSize(1);
        JsonNode only = JSON.readTree(fails.lines().get(0));
        assertThat(only.get("subscriptionId").asText()).isEqualTo(A);
        assertThat(only.get("collectedAt").asText()).isEqualTo(T2.toString());

        CliRunner.Run csv = replay(
                "findings",
                "--from",
                T1.toString().substring(0, 10),
                "--to",
                T2.toString().substring(0, 10),
                "--subscription",
                B.toUpperCase(),
                "--format",
                "csv");
        assertThat(csv.lines()).hasSize(3);
        assertThat(csv.lines().get(0)).startsWith("collectedAt,subscriptionId,verdict,activity");
        assertThat(csv.lines().get(1)).contains(B, "FAIL", "CREATE");
        assertThat(csv.lines().get(2)).contains(B, "PASS", "UPDATE");

        CliRunner.Run ocsf = replay("findings", "--from", T3.toString().substring(0, 10), "--format", "ocsf");
        assertThat(ocsf.lines()).hasSize(2);
        assertThat(JSON.readTree(ocsf.lines().get(0)).get("class_uid").asInt()).isEqualTo(2003);
        assertThat(JSON.readTree(ocsf.lines().get(1)).get("activity_id").asInt())
                .isEqualTo(3);
        // these findings were written without their OCSF events: mapped from the finding alone, and said so
        assertThat(ocsf.err())
                .contains("contact-audit: 2 of 2 findings had no event on " + prefix + ".findings-ocsf.v1");

        CliRunner.Run table = replay("drift", "--from", T1.toString(), "--kind", "REGRESSED");
        assertThat(table.exitCode()).isZero();
        assertThat(table.lines().get(0)).startsWith("detectedAt").contains("kind", "severity");
        assertThat(table.out())
                .contains("REGRESSED", A)
                .doesNotContain("REMEDIATED")
                .contains("1 drift events");

        Path file = dir.resolve("snapshots.jsonl");
        CliRunner.Run toFile = replay(
                "snapshots",
                "--from",
                T1.toString().substring(0, 10),
                "--format",
                "jsonl",
                "--output",
                file.toString());
        assertThat(toFile.err()).contains("wrote 1 records to " + file);
        assertThat(JSON.readTree(Files.readAllLines(file).get(0))
                        .get("rawBodies")
                        .get(0)
                        .asText())
                .contains("Medium");

        assertThat(replay("drift", "--from", T1.toString(), "--format", "ocsf").exitCode())
                .isEqualTo(2);
        assertThat(replay("findings", "--from", "yesterday").exitCode()).isEqualTo(2);
    }

    @Test
    void anUndecodableRecordIsSkippedAndReportedWithExitCode3() throws Exception {
        Instant t0 = T1.minus(Duration.ofDays(5));
        RecordMetadata bad;
        try (KafkaProducer<String, byte[]> raw = TestKafka.producer(
                        Serdes.String().serializer(), Serdes.ByteArray().serializer());
                KafkaProducer<String, SecurityContactSnapshot> snapshots = TestKafka.producer(
                        Serdes.String().serializer(), topics.snapshots().value().serializer())) {
            bad = raw.send(new ProducerRecord<>(
                            topics.snapshots().name(),
                            null,
                            t0.toEpochMilli(),
                            C,
                            "{\"not\": \"avro\"}".getBytes(StandardCharsets.UTF_8)))
                    .get();
            send(
                    snapshots,
                    topics.snapshots().name(),
                    B,
                    SecurityContactSnapshot.newBuilder()
                            .setSubscriptionId(B)
                            .setRunId("run-0")
                            .setCollectedAt(t0.plusSeconds(60))
                            .setApiVersion("2023-12-01-preview")
                            .setStatus(CollectionStatus.OK)
                            .setRawBodies(List.of("[]"))
                            .build(),
                    t0.plusSeconds(60));
        }

        CliRunner.Run run = replay("snapshots", "--from", t0.toString(), "--to", T1.toString(), "--format", "jsonl");

        assertThat(run.exitCode()).as(run.err()).isEqualTo(3);
        assertThat(run.lines())
                .singleElement()
                .satisfies(line -> assertThat(
                                JSON.readTree(line).get("subscriptionId").asText())
                        .isEqualTo(B));
        assertThat(run.err().lines().toList())
                .contains("contact-audit: skipped 1 undecodable record (" + prefix
                        + ".snapshots.v1: 1); the output leaves them out");
        assertThat(run.err())
                .contains("contact-audit: skipped " + prefix + ".snapshots.v1 partition " + bad.partition() + " offset "
                        + bad.offset() + ": ");
    }

    @Test
    void ocsfEventsAreTheOnesTheLiveTopicCarried() throws Exception {
        String live = TestKafka.uniquePrefix("replay-ocsf");
        Topics liveTopics = Topics.create(live);
        ContactAuditConfig config = ContactAuditConfig.of(Map.of(
                ContactAuditConfig.BOOTSTRAP_SERVERS_CONFIG,
                TestKafka.bootstrapServers(),
                ContactAuditConfig.TOPIC_PREFIX_CONFIG,
                live,
                ContactAuditConfig.TOPICS_PARTITIONS_CONFIG,
                "2",
                ContactAuditConfig.STATE_DIR_CONFIG,
                dir.resolve("state").toString()));
        KafkaSetup.prepare(config, liveTopics);
        List<ConsumerRecord<String, String>> events;
        try (StreamsRunner runner = EvaluatorApp.create(config, liveTopics).runner();
                KafkaProducer<String, SecurityContactSnapshot> snapshots = TestKafka.producer(
                        Serdes.String().serializer(),
                        liveTopics.snapshots().value().serializer())) {
            runner.start();
            send(snapshots, liveTopics.snapshots().name(), A, ContactSnapshots.withContact(A, "Medium", T1), T1);
            send(snapshots, liveTopics.snapshots().name(), A, ContactSnapshots.withContact(A, "Critical", T2), T2);
            events = TestKafka.readCommitted(
                    liveTopics.findingsOcsf().name(),
                    Serdes.String().deserializer(),
                    Serdes.String().deserializer(),
                    2,
                    Duration.ofSeconds(90));
        }
        assertThat(events).hasSize(2);
        List<String> written = events.stream()
                .sorted(java.util.Comparator.comparingLong(ConsumerRecord::timestamp))
                .map(ConsumerRecord::value)
                .toList();
        JsonNode regressed = JSON.readTree(written.get(1));
        assertThat(regressed.at("/unmapped/drift_kinds").toString()).contains("REGRESSED");
        assertThat(regressed.at("/unmapped/recipients").toString()).contains("jane@contoso.com");
        assertThat(regressed.at("/resources/0/uid").asText()).endsWith("/securityContacts/default");

        String[] args = {
            "replay",
            "findings",
            "--from",
            T1.minus(Duration.ofDays(1)).toString(),
            "--format",
            "ocsf",
            "--bootstrap-servers",
            TestKafka.bootstrapServers(),
            "--topic-prefix",
            live
        };
        CliRunner.Run run = CliRunner.run(args);

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.lines()).containsExactlyElementsOf(written);
        assertThat(run.err()).doesNotContain("had no event");
    }

    @Test
    void reevaluationWithTodaysStrictProfileListsWhatWouldDiffer() throws Exception {
        CliRunner.Run same = replay("reevaluate", "--from", T1.toString().substring(0, 10), "--format", "jsonl");
        assertThat(same.exitCode()).isZero();
        assertThat(same.lines()).isEmpty();
        CliRunner.Run strict = replay(
                "reevaluate", "--from", T1.toString().substring(0, 10), "--profile", "strict", "--format", "jsonl");
        assertThat(strict.lines()).hasSize(1);
        JsonNode row = JSON.readTree(strict.lines().get(0));
        assertThat(row.get("subscriptionId").asText()).isEqualTo(A);
        assertThat(row.get("recorded").asText()).isEqualTo("PASS");
        assertThat(row.get("today").asText()).isEqualTo("FAIL");
        assertThat(row.get("reasons").asText()).isEqualTo("SEVERITY_NOT_ACCEPTED");
    }

    @Test
    void aRangeBeyondRetentionSaysWhatTheTopicKeeps() {
        CliRunner.Run old =
                replay("findings", "--from", NOW.minus(Duration.ofDays(500)).toString());
        assertThat(old.exitCode()).isEqualTo(4);
        assertThat(old.err())
                .contains(
                        prefix + ".findings.v1 keeps 400 days of history (retention.ms=34560000000)",
                        "outside retention");
    }
}

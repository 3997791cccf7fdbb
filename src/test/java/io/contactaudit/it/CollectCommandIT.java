package io.contactaudit.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.contactaudit.kafka.Topics;
import io.contactaudit.schema.CollectionStatus;
import io.contactaudit.schema.PostureState;
import io.contactaudit.schema.SecurityContactSnapshot;
import io.contactaudit.schema.Verdict;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The packaged {@code collect} command against a scenario served by FakeArm and a real broker. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CollectCommandIT {

    @TempDir
    Path dir;

    static final String SCENARIO = """
        tenantId: 11111111-2222-3333-4444-555555555555
        subscriptionPageSize: 2
        subscriptions:
          - id: 30000000-0000-0000-0000-000000000001
            name: prod-2017
            generation: 2017-08-01-preview
            contacts: [{name: default1, emails: [a@contoso.com], alerts: High}]
          - id: 30000000-0000-0000-0000-000000000002
            name: prod-2020
            generation: 2020-01-01-preview
            contacts: [{emails: [a@contoso.com], alerts: Low, roles: [Owner]}]
          - id: 30000000-0000-0000-0000-000000000003
            name: prod-2023
            contacts: [{emails: [a@contoso.com], alerts: Medium}]
          - id: 30000000-0000-0000-0000-000000000004
            name: locked
            faults: [{status: 403, times: -1, code: AuthorizationFailed, message: no Security Reader role}]
        """;

    @Test
    void publishesOneSnapshotPerSubscriptionAndClosesVanishedOnes() throws Exception {
        String prefix = TestKafka.uniquePrefix("collect");
        Topics topics = Topics.create(prefix);
        Path scenario = Files.writeString(dir.resolve("tenant.yaml"), SCENARIO);

        // the pipeline already tracks a subscription that is no longer in the tenant
        String gone = "30000000-0000-0000-0000-000000000099";
        Jar first = new Jar(dir, "first");
        assertThat(first.run(
                        Map.of(),
                        "collect",
                        "--bootstrap-servers",
                        TestKafka.bootstrapServers(),
                        "--topic-prefix",
                        prefix,
                        "--scenario",
                        scenario.toString(),
                        "--subscriptions",
                        "30000000-0000-0000-0000-000000000001"))
                .isZero();
        PostureState known = PostureState.newBuilder()
                .setSubscriptionId(gone)
                .setTenantId("11111111-2222-3333-4444-555555555555")
                .setFindingId("f")
                .setVerdict(Verdict.PASS)
                .setSince(Instant.EPOCH)
                .setFirstSeenAt(Instant.EPOCH)
                .setLastCollectedAt(Instant.EPOCH)
                .setLastEvaluatedAt(Instant.EPOCH)
                .setRuleId("r")
                .setRuleVersion("1")
                .setProfile("default")
                .build();
        try (KafkaProducer<String, PostureState> producer = TestKafka.producer(
                Serdes.String().serializer(), topics.posture().value().serializer())) {
            producer.send(new ProducerRecord<>(topics.posture().name(), gone, known))
                    .get();
        }

        Jar jar = new Jar(dir, "collect");
        int code = jar.run(
                Map.of(),
                "collect",
                "--once",
                "--bootstrap-servers",
                TestKafka.bootstrapServers(),
                "--topic-prefix",
                prefix,
                "--scenario",
                scenario.toString(),
                "--concurrency",
                "2");
        assertThat(code).as(jar.err()).isZero();
        assertThat(jar.out()).contains("4 subscriptions", "OK 3", "FORBIDDEN 1", "removed 1", "published 5, failed 0");

        List<ConsumerRecord<String, byte[]>> records = TestKafka.readCommitted(
                topics.snapshots().name(),
                Serdes.String().deserializer(),
                Serdes.ByteArray().deserializer(),
                6,
                Duration.ofSeconds(30));
        // the first run (one subscription) and the second (all four, and the vanished one), over several partitions
        List<ConsumerRecord<String, byte[]>> secondRun = records;
        assertThat(records)
                .extracting(ConsumerRecord::key)
                .containsExactlyInAnyOrder(
                        "30000000-0000-0000-0000-000000000001",
                        "30000000-0000-0000-0000-000000000001",
                        "30000000-0000-0000-0000-000000000002",
                        "30000000-0000-0000-0000-000000000003",
                        "30000000-0000-0000-0000-000000000004",
                        gone);
        ConsumerRecord<String, byte[]> tombstone =
                secondRun.stream().filter(r -> r.key().equals(gone)).findFirst().orElseThrow();
        assertThat(tombstone.value()).isNull();
        Map<String, SecurityContactSnapshot> snapshots = secondRun.stream()
                .filter(r -> r.value() != null)
                .collect(Collectors.toMap(
                        ConsumerRecord::key,
                        r -> topics.snapshots().value().deserializer().deserialize(r.topic(), r.value()),
                        (a, b) -> b));
        SecurityContactSnapshot locked = snapshots.get("30000000-0000-0000-0000-000000000004");
        assertThat(locked.getStatus()).isEqualTo(CollectionStatus.FORBIDDEN);
        assertThat(locked.getErrorMessage()).isEqualTo("AuthorizationFailed: no Security Reader role");
        assertThat(locked.getTenantId()).isEqualTo("11111111-2222-3333-4444-555555555555");
        ConsumerRecord<String, byte[]> one =
                secondRun.stream().filter(r -> r.value() != null).findFirst().orElseThrow();
        SecurityContactSnapshot decoded =
                topics.snapshots().value().deserializer().deserialize(one.topic(), one.value());
        assertThat(new String(one.headers().lastHeader("contact-audit-run-id").value(), StandardCharsets.UTF_8))
                .isEqualTo(decoded.getRunId());
        assertThat(new String(
                        one.headers().lastHeader("contact-audit-api-version").value(), StandardCharsets.UTF_8))
                .isEqualTo("2023-12-01-preview");
        assertThat(one.timestamp()).isEqualTo(decoded.getCollectedAt().toEpochMilli());
    }

    @Test
    void aCollectorLoopWhoseRunsPublishNothingExitsAfterTheConfiguredNumberWithOneLine() throws Exception {
        String prefix = TestKafka.uniquePrefix("nopublish");
        Path scenario = Files.writeString(dir.resolve("tenant.yaml"), SCENARIO);
        Jar jar = new Jar(dir, "nopublish");
        // the brokers answer, the topics exist, and every snapshot is refused: larger than the producer may send
        int code = jar.run(
                Map.of("CONTACT_AUDIT_COLLECTOR_MAX_FAILED_CYCLES", "2", "CONTACT_AUDIT_MAX_REQUEST_SIZE", "200"),
                "collect",
                "--interval",
                "PT1S",
                "--bootstrap-servers",
                TestKafka.bootstrapServers(),
                "--topic-prefix",
                prefix,
                "--scenario",
                scenario.toString(),
                "--no-progress");
        assertThat(code).as(jar.err()).isEqualTo(4);
        assertThat(jar.out().lines().filter(l -> l.startsWith("run ")))
                .hasSize(2)
                .allSatisfy(l -> assertThat(l).contains("published 0, failed 4"));
        List<String> errors =
                jar.err().lines().filter(l -> l.startsWith("contact-audit:")).toList();
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0))
                .startsWith(
                        "contact-audit: error: 2 collection runs in a row published nothing; the last run failed to publish 4 of 4 records: ");
        assertThat(errors.get(0)).contains("max.request.size");
        assertThat(jar.err()).contains("CollectorLoop - 2 collection runs in a row published nothing; ");
    }

    @Test
    void aMissingScenarioIsAUsageError() throws Exception {
        Jar jar = new Jar(dir, "missing");
        int code = jar.run(
                Map.of(),
                "collect",
                "--bootstrap-servers",
                TestKafka.bootstrapServers(),
                "--topic-prefix",
                TestKafka.uniquePrefix("noscenario"),
                "--scenario",
                dir.resolve("nope.yaml").toString());
        assertThat(code).isEqualTo(2);
        assertThat(jar.err()).contains("scenario file not found");
    }
}

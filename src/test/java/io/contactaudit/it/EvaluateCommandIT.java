package io.contactaudit.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.contactaudit.demo.ContactRenderer;
import io.contactaudit.demo.Scenario;
import io.contactaudit.kafka.Topics;
import io.contactaudit.schema.ComplianceFinding;
import io.contactaudit.schema.DeadLetter;
import io.contactaudit.schema.DriftEvent;
import io.contactaudit.schema.DriftKind;
import io.contactaudit.schema.PostureState;
import io.contactaudit.schema.SecurityContactSnapshot;
import io.contactaudit.schema.Verdict;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The packaged {@code evaluate} command, as a process, against a real KRaft broker. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class EvaluateCommandIT {

    static final String SUB = "7c0e2b1a-1d2e-4f5a-8b9c-0d1e2f3a4b5c";

    @TempDir
    Path dir;

    static String body(String severity) {
        return ContactRenderer.body(
                SUB,
                ContactRenderer.V2023,
                new Scenario.Contact(null, true, List.of("sec@contoso.com"), severity, List.of(), null));
    }

    static SecurityContactSnapshot snapshot(String severity, Instant at) {
        return SecurityContactSnapshot.newBuilder()
                .setSubscriptionId(SUB)
                .setRunId("run-" + at.toEpochMilli())
                .setCollectedAt(at)
                .setApiVersion("2023-12-01-preview")
                .setStatus(io.contactaudit.schema.CollectionStatus.OK)
                .setRawBodies(List.of(body(severity)))
                .build();
    }

    static final String PLANTED = "planted-s3cret-do-not-log";

    Process evaluate(Jar jar, String prefix, int httpPort) throws IOException {
        return jar.start(
                Map.of(
                        "CONTACT_AUDIT_HTTP_PORT",
                        String.valueOf(httpPort),
                        "CONTACT_AUDIT_SSL_TRUSTSTORE_PASSWORD",
                        PLANTED),
                "evaluate",
                "--bootstrap-servers",
                TestKafka.bootstrapServers(),
                "--topic-prefix",
                prefix,
                "--state-dir",
                dir.resolve("state").toString());
    }

    @Test
    void evaluatesSnapshotsExactlyOnceIntoFindingsDriftPostureAndDeadLetters() throws Exception {
        String prefix = TestKafka.uniquePrefix("evaluate");
        Topics topics = Topics.create(prefix);
        Jar jar = new Jar(dir, "evaluate");
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Process process = evaluate(jar, prefix, port);
        try {
            await().atMost(Duration.ofSeconds(90))
                    .until(() -> jar.out().contains("evaluating " + prefix + ".snapshots.v1"));

            Instant t0 = Instant.parse("2026-03-01T00:00:00Z");
            try (KafkaProducer<String, byte[]> producer = TestKafka.producer(
                    Serdes.String().serializer(), Serdes.ByteArray().serializer())) {
                var serializer = topics.snapshots().value().serializer();
                String topic = topics.snapshots().name();
                producer.send(new ProducerRecord<>(
                                topic,
                                null,
                                t0.toEpochMilli(),
                                SUB,
                                serializer.serialize(topic, snapshot("Medium", t0))))
                        .get();
                producer.send(new ProducerRecord<>(
                                topic, null, t0.toEpochMilli() + 1, SUB, "poison".getBytes(StandardCharsets.UTF_8)))
                        .get();
                producer.send(new ProducerRecord<>(
                                topic,
                                null,
                                t0.plusSeconds(900).toEpochMilli(),
                                SUB,
                                serializer.serialize(topic, snapshot("Critical", t0.plusSeconds(900)))))
                        .get();
            }

            List<ConsumerRecord<String, ComplianceFinding>> findings = TestKafka.readCommitted(
                    topics.findings().name(),
                    Serdes.String().deserializer(),
                    topics.findings().value().deserializer(),
                    2,
                    Duration.ofSeconds(60));
            assertThat(findings).extracting(r -> r.value().getVerdict()).containsExactly(Verdict.PASS, Verdict.FAIL);
            assertThat(findings).extracting(ConsumerRecord::key).containsOnly(SUB);

            List<ConsumerRecord<String, DriftEvent>> drift = TestKafka.readCommitted(
                    topics.drift().name(),
                    Serdes.String().deserializer(),
                    topics.drift().value().deserializer(),
                    1,
                    Duration.ofSeconds(90));
            assertThat(drift).extracting(r -> r.value().getKind()).containsExactly(DriftKind.REGRESSED);
            assertThat(drift.get(0).value().getChanges().get(0).getAfter()).isEqualTo("Critical");

            List<ConsumerRecord<String, PostureState>> posture = TestKafka.readCommitted(
                    topics.posture().name(),
                    Serdes.String().deserializer(),
                    topics.posture().value().deserializer(),
                    2,
                    Duration.ofSeconds(90));
            assertThat(posture.get(posture.size() - 1).value().getVerdict()).isEqualTo(Verdict.FAIL);

            List<ConsumerRecord<byte[], DeadLetter>> dlq = TestKafka.readCommitted(
                    topics.dlq().name(),
                    Serdes.ByteArray().deserializer(),
                    topics.dlq().value().deserializer(),
                    1,
                    Duration.ofSeconds(90));
            assertThat(dlq.get(0).value().getStage()).isEqualTo("DESERIALIZATION");
            assertThat(dlq.get(0).value().getSourceOffset()).isEqualTo(1L);

            HttpClient http = HttpClient.newHttpClient();
            assertThat(http.send(
                                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/live"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .statusCode())
                    .isEqualTo(200);
            assertThat(http.send(
                                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .statusCode())
                    .isEqualTo(200);
            String metrics = http.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            assertThat(metrics)
                    .containsPattern("contact_audit_findings_pass_total\\{[^}]*\\} 1\\.0")
                    .containsPattern("contact_audit_findings_fail_total\\{[^}]*\\} 1\\.0")
                    .containsPattern("contact_audit_drift_regressed_total\\{[^}]*\\} 1\\.0")
                    .containsPattern("contact_audit_dead_letters_total\\{[^}]*\\} 1\\.0")
                    .contains("kafka_stream_thread_process_total");
        } finally {
            process.destroy();
            assertThat(process.waitFor(60, TimeUnit.SECONDS))
                    .as("stops on SIGTERM")
                    .isTrue();
        }
        assertThat(jar.err()).contains("-> NOT_RUNNING");
        assertThat(jar.out() + jar.err()).as("no secret in any log line").doesNotContain(PLANTED);
    }

    @Test
    void failsFastWhenTheBrokerIsUnreachable() throws Exception {
        Jar jar = new Jar(dir, "unreachable");
        int code = jar.run(
                Map.of("CONTACT_AUDIT_KAFKA_TIMEOUT", "PT3S"),
                "evaluate",
                "--bootstrap-servers",
                "127.0.0.1:1",
                "--state-dir",
                dir.resolve("s").toString());
        assertThat(code).isEqualTo(4);
        assertThat(jar.err()).contains("contact-audit: error: cannot reach Kafka at 127.0.0.1:1 within 3 s");
    }

    @Test
    void failsWithTheListOfMissingTopicsWhenItMayNotCreateThem() throws Exception {
        String prefix = TestKafka.uniquePrefix("missing");
        Jar jar = new Jar(dir, "missing");
        int code = jar.run(
                Map.of("CONTACT_AUDIT_TOPICS_CREATE", "false"),
                "evaluate",
                "--bootstrap-servers",
                TestKafka.bootstrapServers(),
                "--topic-prefix",
                prefix,
                "--state-dir",
                dir.resolve("s").toString());
        assertThat(code).isEqualTo(4);
        assertThat(jar.err()).contains("missing topics: " + prefix + ".snapshots.v1, " + prefix + ".findings.v1");
    }
}

package io.contactaudit.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.contactaudit.app.EvaluatorApp;
import io.contactaudit.app.KafkaSetup;
import io.contactaudit.config.ContactAuditConfig;
import io.contactaudit.evaluate.StreamsRunner;
import io.contactaudit.kafka.Topics;
import io.contactaudit.schema.CollectionStatus;
import io.contactaudit.schema.SecurityContactSnapshot;
import io.contactaudit.siem.OcsfSchema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A consumer that is not ours reads the OCSF topic: ops/siem/kafkajs/consume.js (kafkajs, Node.js), installed with npm
 * into target/siem-kafkajs. It reads every event, is rewound to the beginning once (a redelivery, as at-least-once
 * sinks see after a crash) and prints each event once by {@code metadata.uid}; what it prints must be what the topic
 * holds, byte for byte, and valid OCSF 1.8.0. The evaluator runs with its defaults (lz4 producers): the broker stores
 * the topic in gzip (topics.siem.compression.type), the one codec kafkajs has of its own (ops/siem/README.md).
 * Skipped, with the reason, where node or npm (or npm's registry) is missing.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OcsfKafkajsIT {

    static final Path CONSUMER = Path.of("ops/siem/kafkajs");
    static final Path INSTALL = Path.of("target/siem-kafkajs");
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path state;

    @BeforeAll
    static void installKafkajs() throws Exception {
        Assumptions.assumeTrue(
                runs("node", "--version"), "node is not installed: the kafkajs consumer test is skipped");
        Assumptions.assumeTrue(runs("npm", "--version"), "npm is not installed: the kafkajs consumer test is skipped");
        Files.createDirectories(INSTALL);
        for (String file : List.of("package.json", "kafka.js", "consume.js", "consume-avro.js")) {
            Files.copy(CONSUMER.resolve(file), INSTALL.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        if (!Files.isDirectory(INSTALL.resolve("node_modules/kafkajs"))
                || !Files.isDirectory(INSTALL.resolve("node_modules/@kafkajs/confluent-schema-registry"))) {
            Process npm = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund", "--loglevel=error")
                    .directory(INSTALL.toFile())
                    .redirectErrorStream(true)
                    .start();
            boolean done = npm.waitFor(90, TimeUnit.SECONDS);
            String output = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            Assumptions.assumeTrue(
                    done && npm.exitValue() == 0,
                    "npm could not install kafkajs (registry unreachable?): the kafkajs consumer test is skipped\n"
                            + output);
        }
    }

    static boolean runs(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Test
    void kafkajsReadsValidEventsAndDeduplicatesARedeliveryByMetadataUid() throws Exception {
        String prefix = TestKafka.uniquePrefix("kafkajs");
        Topics topics = Topics.create(prefix);
        KafkaSetup.prepare(
                ContactAuditConfig.of(Map.of(
                        ContactAuditConfig.BOOTSTRAP_SERVERS_CONFIG,
                        TestKafka.bootstrapServers(),
                        ContactAuditConfig.TOPIC_PREFIX_CONFIG,
                        prefix,
                        ContactAuditConfig.TOPICS_PARTITIONS_CONFIG,
                        "1")),
                topics);
        publishPassFailErrorAndClose(topics);

        List<String> onTopic;
        try (StreamsRunner evaluator = EvaluatorApp.create(
                        ContactAuditConfig.of(Map.of(
                                ContactAuditConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers(),
                                ContactAuditConfig.TOPIC_PREFIX_CONFIG, prefix,
                                ContactAuditConfig.STATE_DIR_CONFIG, state.toString())),
                        topics)
                .runner()) {
            evaluator.start();
            onTopic = awaitEvents(topics.findingsOcsf().name(), 5);
        }

        List<String> printed = runConsumer(topics.findingsOcsf().name(), onTopic.size());
        assertThat(printed).as("each event once, as the topic holds it").containsExactlyInAnyOrderElementsOf(onTopic);
        OcsfSchema schema = OcsfSchema.version("1.8.0");
        List<String> activities = new ArrayList<>();
        for (String event : printed) {
            JsonNode json = JSON.readTree(event);
            assertThat(schema.validate(json, "events/findings/compliance_finding.json")
                            .errors())
                    .as(event)
                    .isEmpty();
            activities.add(json.get("activity_name").asText() + " "
                    + json.at("/compliance/status").asText());
        }
        assertThat(activities)
                .containsExactlyInAnyOrder("Create Pass", "Update Fail", "Create Fail", "Close Fail", "Create Warning");
    }

    /** The evaluator's events: a subscription that passes then regresses, one that fails then leaves, one unreadable. */
    static void publishPassFailErrorAndClose(Topics topics) {
        Instant t0 = Instant.parse("2026-03-01T00:00:00Z");
        String a = "60000000-0000-0000-0000-00000000000a";
        String b = "60000000-0000-0000-0000-00000000000b";
        String c = "60000000-0000-0000-0000-00000000000c";
        try (KafkaProducer<String, SecurityContactSnapshot> producer = TestKafka.producer(
                Serdes.String().serializer(), topics.snapshots().value().serializer())) {
            String name = topics.snapshots().name();
            producer.send(new ProducerRecord<>(name, null, t0.toEpochMilli(), a, snapshot(a, t0, "High")));
            producer.send(new ProducerRecord<>(name, null, t0.toEpochMilli(), b, snapshot(b, t0, "Off")));
            producer.send(new ProducerRecord<>(
                    name,
                    null,
                    t0.toEpochMilli(),
                    c,
                    SecurityContactSnapshot.newBuilder(snapshot(c, t0, "High"))
                            .setStatus(CollectionStatus.FORBIDDEN)
                            .setHttpStatus(403)
                            .setErrorMessage("AuthorizationFailed")
                            .setRawBodies(List.of())
                            .build()));
            Instant t1 = t0.plus(Duration.ofMinutes(15));
            producer.send(new ProducerRecord<>(name, null, t1.toEpochMilli(), a, snapshot(a, t1, "Off")));
            producer.send(new ProducerRecord<>(name, null, t1.toEpochMilli(), b, (SecurityContactSnapshot) null));
            producer.flush();
        }
    }

    static SecurityContactSnapshot snapshot(String sub, Instant at, String alerts) {
        return SecurityContactSnapshot.newBuilder()
                .setSubscriptionId(sub)
                .setTenantId("tenant-1")
                .setRunId("run-" + at)
                .setCollectedAt(at)
                .setApiVersion("2023-12-01-preview")
                .setStatus(CollectionStatus.OK)
                .setRawBodies(List.of(CrashRecoveryIT.body(sub, alerts)))
                .build();
    }

    /** The committed values of the OCSF topic, once it holds {@code count}. */
    static List<String> awaitEvents(String topic, int count) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        TestKafka.bootstrapServers(),
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                        "read_committed",
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        false),
                Serdes.String().deserializer(),
                Serdes.ByteArray().deserializer())) {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            consumer.seekToBeginning(List.of(new TopicPartition(topic, 0)));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(200))
                        .forEach(r -> values.add(new String(r.value(), StandardCharsets.UTF_8)));
                return values.size() >= count;
            });
        }
        return values;
    }

    /** consume.js, rewound once after reading everything, stopped after reading everything twice: what it printed. */
    static List<String> runConsumer(String topic, int events) throws Exception {
        Path stderr = INSTALL.resolve("consume.err");
        ProcessBuilder builder = new ProcessBuilder("node", "consume.js")
                .directory(INSTALL.toFile())
                .redirectError(stderr.toFile());
        builder.environment()
                .putAll(Map.of(
                        "KAFKA_BROKERS",
                        TestKafka.bootstrapServers(),
                        "TOPIC",
                        topic,
                        "GROUP_ID",
                        topic + "-kafkajs",
                        "REWIND_AFTER",
                        String.valueOf(events),
                        "STOP_AFTER",
                        String.valueOf(2 * events),
                        "TIMEOUT_MS",
                        "40000"));
        Process node = builder.start();
        node.getOutputStream().close();
        String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(node.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String err = Files.readString(stderr);
        assertThat(node.exitValue()).as("consume.js: " + err).isZero();
        assertThat(err).contains("received " + 2 * events + " records, " + events + " distinct events");
        return out.lines().filter(l -> !l.isBlank()).toList();
    }
}

package io.contactaudit.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.contactaudit.app.EvaluatorApp;
import io.contactaudit.app.KafkaSetup;
import io.contactaudit.config.ContactAuditConfig;
import io.contactaudit.evaluate.StreamsRunner;
import io.contactaudit.kafka.SchemaRegistration;
import io.contactaudit.kafka.Topics;
import io.contactaudit.schema.ComplianceFinding;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A consumer that is not ours reads registry mode: ops/siem/kafkajs/consume-avro.js (kafkajs and
 * {@code @kafkajs/confluent-schema-registry}, Node.js) decodes the findings by schema id through Apicurio's
 * Confluent-compatible API, from a topic the evaluator wrote with its defaults (lz4 producers, the topic stored in
 * gzip). Skipped, with the reason, where node or npm (or npm's registry) is missing.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RegistryKafkajsIT {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path state;

    @BeforeAll
    static void install() throws Exception {
        OcsfKafkajsIT.installKafkajs();
    }

    @Test
    void kafkajsDecodesTheFindingsThroughTheConfluentCompatibleApi() throws Exception {
        String registry = TestRegistry.url();
        String prefix = TestKafka.uniquePrefix("kafkajs-avro");
        ContactAuditConfig config = ContactAuditConfig.of(Map.of(
                ContactAuditConfig.BOOTSTRAP_SERVERS_CONFIG,
                TestKafka.bootstrapServers(),
                ContactAuditConfig.TOPIC_PREFIX_CONFIG,
                prefix,
                ContactAuditConfig.TOPICS_PARTITIONS_CONFIG,
                "1",
                ContactAuditConfig.STATE_DIR_CONFIG,
                state.toString(),
                ContactAuditConfig.REGISTRY_URL_CONFIG,
                registry));
        Topics topics = KafkaSetup.topics(config);
        new SchemaRegistration(registry, null).register(SchemaRegistration.subjects(topics), "BACKWARD");
        KafkaSetup.prepare(config, topics);
        OcsfKafkajsIT.publishPassFailErrorAndClose(topics);

        List<ConsumerRecord<String, byte[]>> written;
        try (StreamsRunner evaluator = EvaluatorApp.create(config, topics).runner()) {
            evaluator.start();
            written = TestKafka.readCommitted(
                    topics.findings().name(),
                    Serdes.String().deserializer(),
                    Serdes.ByteArray().deserializer(),
                    5,
                    Duration.ofSeconds(90));
        }

        Path stderr = OcsfKafkajsIT.INSTALL.resolve("consume-avro.err");
        ProcessBuilder builder = new ProcessBuilder("node", "consume-avro.js")
                .directory(OcsfKafkajsIT.INSTALL.toFile())
                .redirectError(stderr.toFile());
        builder.environment()
                .putAll(Map.of(
                        "KAFKA_BROKERS",
                        TestKafka.bootstrapServers(),
                        "TOPIC",
                        topics.findings().name(),
                        "GROUP_ID",
                        prefix + "-kafkajs",
                        "SCHEMA_REGISTRY_URL",
                        registry + "/apis/ccompat/v7",
                        "STOP_AFTER",
                        String.valueOf(written.size()),
                        "TIMEOUT_MS",
                        "60000"));
        Process node = builder.start();
        node.getOutputStream().close();
        String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(node.waitFor(90, TimeUnit.SECONDS)).isTrue();
        assertThat(node.exitValue())
                .as("consume-avro.js: " + Files.readString(stderr))
                .isZero();

        List<JsonNode> printed = out.lines()
                .filter(l -> !l.isBlank())
                .map(l -> {
                    try {
                        return JSON.readTree(l);
                    } catch (Exception e) {
                        throw new AssertionError(l, e);
                    }
                })
                .toList();
        assertThat(printed).hasSameSizeAs(written);
        for (int i = 0; i < written.size(); i++) {
            ComplianceFinding ours = topics.findings()
                    .value()
                    .deserializer()
                    .deserialize(topics.findings().name(), written.get(i).value());
            JsonNode theirs = printed.get(i).get("value");
            assertThat(printed.get(i).get("key").asText())
                    .isEqualTo(written.get(i).key());
            assertThat(theirs.get("findingId").asText()).isEqualTo(ours.getFindingId());
            assertThat(theirs.get("verdict").asText())
                    .isEqualTo(ours.getVerdict().name());
            assertThat(theirs.get("subscriptionId").asText()).isEqualTo(ours.getSubscriptionId());
        }
        assertThat(printed)
                .extracting(p -> p.get("value").get("verdict").asText())
                .contains("PASS", "FAIL", "ERROR");
    }
}

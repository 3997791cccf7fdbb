package io.contactaudit.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.contactaudit.app.EvaluatorApp;
import io.contactaudit.app.KafkaSetup;
import io.contactaudit.cli.CliRunner;
import io.contactaudit.collector.ArmClient;
import io.contactaudit.collector.Collector;
import io.contactaudit.collector.CollectorLoop;
import io.contactaudit.collector.Credentials;
import io.contactaudit.collector.SnapshotPublisher;
import io.contactaudit.config.ContactAuditConfig;
import io.contactaudit.demo.FakeArm;
import io.contactaudit.demo.Scenario;
import io.contactaudit.evaluate.StreamsRunner;
import io.contactaudit.kafka.SchemaRegistration;
import io.contactaudit.kafka.Topics;
import io.contactaudit.schema.ComplianceFinding;
import io.contactaudit.schema.PostureState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Registry mode end to end: a real broker and a real registry (Apicurio 3.3.3), the Confluent wire format on every Avro topic. */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class RegistryModeIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String SUB = "b0000000-0000-0000-0000-000000000001";

    @TempDir
    Path dir;

    ContactAuditConfig config(String prefix, String registry) {
        return ContactAuditConfig.of(Map.of(
                ContactAuditConfig.BOOTSTRAP_SERVERS_CONFIG,
                TestKafka.bootstrapServers(),
                ContactAuditConfig.TOPIC_PREFIX_CONFIG,
                prefix,
                ContactAuditConfig.STATE_DIR_CONFIG,
                dir.resolve("state").toString(),
                ContactAuditConfig.TOPICS_PARTITIONS_CONFIG,
                "1",
                // a finding per snapshot, so that "each snapshot evaluated exactly once" can be counted
                ContactAuditConfig.FINDINGS_EMIT_CONFIG,
                "every",
                ContactAuditConfig.REGISTRY_URL_CONFIG,
                registry));
    }

    /** Decodes a Confluent-framed record with nothing but the registry's API and plain Apache Avro. */
    static GenericRecord decodeLikeAConfluentConsumer(String registry, byte[] value) throws Exception {
        assertThat(value[0]).as("magic byte").isEqualTo((byte) 0);
        int id = ByteBuffer.wrap(value, 1, 4).getInt();
        HttpResponse<String> schema = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(registry + "/apis/ccompat/v7/schemas/ids/" + id))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(schema.statusCode()).as("schema id " + id + " resolves").isEqualTo(200);
        Schema writer = new Schema.Parser()
                .parse(JSON.readTree(schema.body()).get("schema").asText());
        return new GenericDatumReader<GenericRecord>(writer)
                .read(null, DecoderFactory.get().binaryDecoder(value, 5, value.length - 5, null));
    }

    @Test
    void everyAvroTopicCarriesTheConfluentWireFormat() throws Exception {
        String registry = TestRegistry.url();
        String prefix = TestKafka.uniquePrefix("registry");
        ContactAuditConfig config = config(prefix, registry);

        CliRunner.Run register = CliRunner.withEnv(
                Map.of("CONTACT_AUDIT_SCHEMA_REGISTRY_URL", registry), "schemas", "register", "--topic-prefix", prefix);
        assertThat(register.exitCode()).as(register.err()).isZero();
        assertThat(register.out()).contains(prefix + ".findings.v1-value", prefix + ".posture.v1-value");

        Topics topics = KafkaSetup.topics(config);
        KafkaSetup.prepare(config, topics);
        Scenario tenant = new Scenario(
                "t",
                10,
                0,
                List.of(new Scenario.Subscription(
                        SUB,
                        "s",
                        null,
                        null,
                        List.of(new Scenario.Contact(null, true, List.of("a@contoso.com"), "High", List.of(), null)),
                        null,
                        null,
                        null,
                        null)));
        try (FakeArm arm = FakeArm.start(tenant);
                SnapshotPublisher publisher =
                        SnapshotPublisher.create(config.kafkaClientProperties(), topics.snapshots());
                StreamsRunner runner = EvaluatorApp.create(config, topics).runner()) {
            runner.start();
            ArmClient client = new ArmClient(
                    ArmClient.Settings.defaults().withEndpoint(arm.endpoint()),
                    Credentials.fixed("it"),
                    arm.clientSslContext(),
                    Clock.systemUTC());
            CollectorLoop loop = new CollectorLoop(
                    new Collector(client, Collector.Settings.defaults(), Clock.systemUTC()),
                    publisher,
                    config.kafkaClientProperties(),
                    topics.posture(),
                    config.kafkaTimeout(),
                    Collector.Progress.NONE);
            loop.once();
            TestKafka.readCommitted(
                    topics.posture().name(),
                    Serdes.String().deserializer(),
                    Serdes.ByteArray().deserializer(),
                    1,
                    Duration.ofSeconds(90));
            arm.scenario(new Scenario(
                    "t",
                    10,
                    0,
                    List.of(tenant.subscriptions()
                            .get(0)
                            .withContacts(List.of(new Scenario.Contact(
                                    null, true, List.of("a@contoso.com"), "Off", List.of(), null))))));
            loop.once();
            try (KafkaProducer<String, byte[]> producer = TestKafka.producer(
                    Serdes.String().serializer(), Serdes.ByteArray().serializer())) {
                producer.send(new ProducerRecord<>(
                                topics.snapshots().name(), SUB, "garbage".getBytes(StandardCharsets.UTF_8)))
                        .get();
            }

            Map<String, String> expected = new HashMap<>();
            expected.put(topics.findings().name(), "subscriptionId");
            expected.put(topics.posture().name(), "subscriptionId");
            expected.put(topics.dlq().name(), "sourceTopic");
            expected.put(topics.drift().name(), "kind");
            for (Map.Entry<String, String> topic : expected.entrySet()) {
                List<ConsumerRecord<String, byte[]>> records = TestKafka.readCommitted(
                        topic.getKey(),
                        Serdes.String().deserializer(),
                        Serdes.ByteArray().deserializer(),
                        1,
                        Duration.ofSeconds(90));
                GenericRecord decoded =
                        decodeLikeAConfluentConsumer(registry, records.get(0).value());
                assertThat(decoded.get(topic.getValue())).as(topic.getKey()).isNotNull();
            }
            List<ConsumerRecord<String, byte[]>> snapshots = TestKafka.readCommitted(
                    topics.snapshots().name(),
                    Serdes.String().deserializer(),
                    Serdes.ByteArray().deserializer(),
                    2,
                    Duration.ofSeconds(30));
            ConsumerRecord<String, byte[]> framed = snapshots.stream()
                    .filter(r -> r.value()[0] == 0)
                    .findFirst()
                    .orElseThrow();
            assertThat(decodeLikeAConfluentConsumer(registry, framed.value())
                            .get("subscriptionId")
                            .toString())
                    .isEqualTo(SUB);

            // and our own deserializer reads them back as specific records
            ComplianceFinding finding = topics.findings()
                    .value()
                    .deserializer()
                    .deserialize(
                            topics.findings().name(),
                            TestKafka.readCommitted(
                                            topics.findings().name(),
                                            Serdes.String().deserializer(),
                                            Serdes.ByteArray().deserializer(),
                                            1,
                                            Duration.ofSeconds(30))
                                    .get(0)
                                    .value());
            assertThat(finding.getSubscriptionId()).isEqualTo(SUB);
        }
    }

    @Test
    void theConfluentCompatibleUrlNamesTheSameRegistryAndUnregisteredSchemasFailTheStartNotEveryPublish()
            throws Exception {
        String registry = TestRegistry.url();
        String ccompat = registry + "/apis/ccompat/v7";
        String prefix = TestKafka.uniquePrefix("ccompat");
        ContactAuditConfig config = config(prefix, ccompat);
        Topics topics = KafkaSetup.topics(config);

        assertThatThrownBy(() -> KafkaSetup.prepare(config, topics))
                .hasMessageStartingWith("the schema registry at " + registry + " serves no schema for " + prefix
                        + ".snapshots.v1-value, ")
                .hasMessageContaining("contact-audit schemas register")
                .hasMessageNotContaining("\n");

        CliRunner.Run register = CliRunner.withEnv(
                Map.of("CONTACT_AUDIT_SCHEMA_REGISTRY_URL", ccompat), "schemas", "register", "--topic-prefix", prefix);
        assertThat(register.exitCode()).as(register.err()).isZero();
        KafkaSetup.prepare(config, topics);
        try (SnapshotPublisher publisher =
                SnapshotPublisher.create(config.kafkaClientProperties(), topics.snapshots())) {
            publisher
                    .publish(snapshot(java.time.Instant.parse("2026-03-01T00:00:00Z")))
                    .get(30, TimeUnit.SECONDS);
        }
        List<ConsumerRecord<String, byte[]>> written = TestKafka.readCommitted(
                topics.snapshots().name(),
                Serdes.String().deserializer(),
                Serdes.ByteArray().deserializer(),
                1,
                Duration.ofSeconds(30));
        assertThat(decodeLikeAConfluentConsumer(registry, written.get(0).value())
                        .get("subscriptionId")
                        .toString())
                .isEqualTo(SUB);

        CliRunner.Run wrong = CliRunner.withEnv(
                Map.of("CONTACT_AUDIT_SCHEMA_REGISTRY_URL", registry + "/apis/ccompat/v7/subjects"),
                "schemas",
                "register",
                "--topic-prefix",
                prefix);
        assertThat(wrong.exitCode()).isEqualTo(2);
        assertThat(wrong.err().strip())
                .startsWith("contact-audit: error: schema.registry.url: give the registry's base URL")
                .doesNotContain("\n");
    }

    @Test
    void compatibleEvolutionRegistersAndABreakingChangeIsRefusedWithWhatBreaks() throws Exception {
        String registry = TestRegistry.url();
        String subject = TestKafka.uniquePrefix("evolve") + ".posture.v1-value";
        SchemaRegistration registration = new SchemaRegistration(registry, null);
        registration.register(Map.of(subject, PostureState.getClassSchema()), "BACKWARD");

        String evolvedJson = PostureState.getClassSchema()
                .toString()
                .replaceFirst(
                        "\"fields\":\\[",
                        "\"fields\":[{\"name\":\"note\",\"type\":[\"null\",\"string\"],\"default\":null,\"doc\":\"a new optional field\"},");
        Schema evolved = new Schema.Parser().parse(evolvedJson);
        assertThat(registration.register(Map.of(subject, evolved), "BACKWARD")).hasSize(1);

        Schema breaking = new Schema.Parser()
                .parse(
                        PostureState.getClassSchema()
                                .toString()
                                .replaceFirst(
                                        "\"fields\":\\[",
                                        "\"fields\":[{\"name\":\"owner\",\"type\":\"string\",\"doc\":\"required, no default\"},"));
        assertThatThrownBy(() -> registration.register(Map.of(subject, breaking), "BACKWARD"))
                .isInstanceOf(SchemaRegistration.IncompatibleSchemaException.class)
                .hasMessageContaining("nothing was registered")
                .hasMessageContaining(subject)
                .hasMessageContaining("READER_FIELD_MISSING_DEFAULT_VALUE")
                .hasMessageContaining("owner");
    }

    @Test
    void aRegistryOutageMidRunStopsThePipelineWhichThenLosesAndSkipsNothing() throws Exception {
        TestRegistry registry = TestRegistry.dedicated();
        try {
            String prefix = TestKafka.uniquePrefix("outage");
            ContactAuditConfig config = config(prefix, registry.baseUrl());
            Topics topics = KafkaSetup.topics(config);
            Map<String, Schema> subjects = SchemaRegistration.subjects(topics);
            List<SchemaRegistration.Result> ids =
                    new SchemaRegistration(registry.baseUrl(), null).register(subjects, "BACKWARD");
            KafkaSetup.prepare(config, topics);
            java.time.Instant t0 = java.time.Instant.parse("2026-03-01T00:00:00Z");
            try (KafkaProducer<String, io.contactaudit.schema.SecurityContactSnapshot> producer = TestKafka.producer(
                    Serdes.String().serializer(), topics.snapshots().value().serializer())) {
                try (StreamsRunner first = EvaluatorApp.create(config, topics).runner()) {
                    first.start();
                    producer.send(new ProducerRecord<>(topics.snapshots().name(), SUB, snapshot(t0)))
                            .get();
                    TestKafka.readCommitted(
                            topics.findings().name(),
                            Serdes.String().deserializer(),
                            Serdes.ByteArray().deserializer(),
                            1,
                            Duration.ofSeconds(90));

                    registry.stop();
                    for (int i = 1; i <= 5; i++) {
                        producer.send(new ProducerRecord<>(
                                        topics.snapshots().name(), SUB, snapshot(t0.plusSeconds(60L * i))))
                                .get();
                    }
                    assertThat(first.awaitStopped(Duration.ofSeconds(120)))
                            .as("the evaluator stops while the registry is away")
                            .isTrue();
                    assertThat(first.failure()).isNotNull();
                }
                registry.start();
                assertThat(new SchemaRegistration(registry.baseUrl(), null).register(subjects, "BACKWARD"))
                        .extracting(SchemaRegistration.Result::id)
                        .isEqualTo(
                                ids.stream().map(SchemaRegistration.Result::id).toList());
                try (StreamsRunner second = EvaluatorApp.create(config, topics).runner()) {
                    second.start();
                    List<ConsumerRecord<String, byte[]>> findings = TestKafka.readCommitted(
                            topics.findings().name(),
                            Serdes.String().deserializer(),
                            Serdes.ByteArray().deserializer(),
                            6,
                            Duration.ofSeconds(120));
                    assertThat(findings)
                            .as("each snapshot evaluated exactly once")
                            .hasSize(6);
                    assertThat(TestKafka.readCommitted(
                                    topics.dlq().name(),
                                    Serdes.String().deserializer(),
                                    Serdes.ByteArray().deserializer(),
                                    0,
                                    Duration.ofSeconds(5)))
                            .as("nothing dead-lettered")
                            .isEmpty();
                }
            }
        } finally {
            registry.stop();
        }
    }

    static io.contactaudit.schema.SecurityContactSnapshot snapshot(java.time.Instant at) {
        return io.contactaudit.schema.SecurityContactSnapshot.newBuilder()
                .setSubscriptionId(SUB)
                .setRunId("r" + at.toEpochMilli())
                .setCollectedAt(at)
                .setApiVersion("2023-12-01-preview")
                .setStatus(io.contactaudit.schema.CollectionStatus.OK)
                .setRawBodies(List.of("[]"))
                .build();
    }

    @Test
    void anUnreachableRegistryFailsFastWithOneLine() throws Exception {
        Jar jar = new Jar(dir, "noregistry");
        int code = jar.run(
                Map.of(
                        "CONTACT_AUDIT_SCHEMA_REGISTRY_URL",
                        "http://127.0.0.1:1",
                        "CONTACT_AUDIT_KAFKA_TIMEOUT",
                        "PT3S"),
                "evaluate",
                "--bootstrap-servers",
                TestKafka.bootstrapServers(),
                "--topic-prefix",
                TestKafka.uniquePrefix("noreg"),
                "--state-dir",
                dir.resolve("s").toString());
        assertThat(code).isEqualTo(4);
        assertThat(jar.err().strip())
                .startsWith("contact-audit: error: cannot reach the schema registry at http://127.0.0.1:1 within 3 s")
                .doesNotContain("\n");
    }
}

package io.contactaudit.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.contactaudit.app.EvaluatorApp;
import io.contactaudit.rule.Profile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContactAuditConfigTest {

    @TempDir
    Path dir;

    @Test
    void defaults() {
        ContactAuditConfig config = ContactAuditConfig.of(Map.of());
        assertThat(config.topicPrefix()).isEqualTo("contact-audit");
        assertThat(config.applicationId()).isEqualTo("contact-audit-evaluate-v1");
        assertThat(config.profile()).isEqualTo(Profile.DEFAULT);
        assertThat(config.collectionInterval()).isEqualTo(Duration.ofMinutes(15));
        assertThat(config.staleAfter()).isEqualTo(Duration.ofMinutes(45));
        assertThat(config.createTopics()).isTrue();
        assertThatThrownBy(config::bootstrapServers)
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("--bootstrap-servers")
                .hasMessageContaining("CONTACT_AUDIT_BOOTSTRAP_SERVERS");
    }

    @Test
    void durationsArePositiveAndAtMostTenYears() {
        assertThat(ContactAuditConfig.of(Map.of(ContactAuditConfig.COLLECTION_INTERVAL_CONFIG, "P3650D"))
                        .collectionInterval())
                .isEqualTo(Duration.ofDays(3650));
        assertThatThrownBy(() -> ContactAuditConfig.of(Map.of(ContactAuditConfig.COLLECTION_INTERVAL_CONFIG, "P3651D")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("collection.interval must be at most ten years (P3650D), got P3651D");
        // past what fits in nanoseconds, where the collector's loop once failed
        assertThatThrownBy(() -> ContactAuditConfig.of(Map.of(ContactAuditConfig.STALE_AFTER_CONFIG, "PT2562047H")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("must be at most ten years");
        assertThatThrownBy(() -> ContactAuditConfig.of(Map.of(ContactAuditConfig.STALE_AFTER_CONFIG, "PT0S")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("stale.after must be positive, got PT0S");
    }

    @Test
    void fileThenEnvironmentThenFlags() throws IOException {
        Path file = Files.writeString(dir.resolve("c.properties"), """
                bootstrap.servers=file:9092
                topic.prefix=file
                profile=strict
                collection.interval=PT10M
                security.protocol=SASL_SSL
                """);
        Map<String, String> env = Map.of(
                "CONTACT_AUDIT_TOPIC_PREFIX", "env", "CONTACT_AUDIT_BOOTSTRAP_SERVERS", "env:9092", "PATH", "/usr/bin");
        Map<String, String> flags = new HashMap<>();
        flags.put("bootstrap.servers", "flag:9092");
        flags.put("topic.prefix", null);
        ContactAuditConfig config = ContactAuditConfig.load(file, env, flags);
        assertThat(config.bootstrapServers()).isEqualTo("flag:9092");
        assertThat(config.topicPrefix()).isEqualTo("env");
        assertThat(config.profile()).isEqualTo(Profile.STRICT);
        assertThat(config.staleAfter()).isEqualTo(Duration.ofMinutes(30));
        assertThat(config.kafkaClientProperties())
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("bootstrap.servers", "flag:9092")
                .doesNotContainKey("topic.prefix")
                .doesNotContainKey("path");
    }

    @Test
    void secretsAreRedacted() {
        ContactAuditConfig config = ContactAuditConfig.load(
                null,
                Map.of(
                        "CONTACT_AUDIT_SASL_JAAS_CONFIG",
                        "org.apache.kafka.common.security.plain.PlainLoginModule required password=\"s3cr3t-planted\";"),
                Map.of("bootstrap.servers", "b:9093"));
        assertThat(config.kafkaClientProperties().get("sasl.jaas.config").toString())
                .contains("s3cr3t-planted");
        assertThat(config.redacted())
                .containsEntry("sasl.jaas.config", "[redacted]")
                .containsEntry("bootstrap.servers", "b:9093");
        assertThat(config.redacted().toString()).doesNotContain("s3cr3t-planted");
    }

    @Test
    void registryCredentialsAreRedacted() {
        ContactAuditConfig config = ContactAuditConfig.load(
                null,
                Map.of(
                        "CONTACT_AUDIT_SCHEMA_REGISTRY_BASIC_AUTH", "ops:planted-basic",
                        "CONTACT_AUDIT_BASIC_AUTH_USER_INFO", "ops:planted-user-info",
                        "CONTACT_AUDIT_APICURIO_AUTH_CLIENT_SECRET", "planted-client-secret",
                        "CONTACT_AUDIT_APICURIO_AUTH_PASSWORD", "planted-password",
                        "CONTACT_AUDIT_APICURIO_REGISTRY_REQUEST_HEADERS_AUTHORIZATION", "Basic planted-header"),
                Map.of("bootstrap.servers", "b:9093"));
        assertThat(config.redacted())
                .containsEntry("schema.registry.basic.auth", "[redacted]")
                .containsEntry("basic.auth.user.info", "[redacted]")
                .containsEntry("bootstrap.servers", "b:9093");
        assertThat(config.redacted().toString()).doesNotContain("planted");
    }

    @Test
    void theEventHubsProfileGivesSaslSslPlainWithTheConnectionStringFromTheEnvironment() {
        String jaas = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"$ConnectionString\" "
                + "password=\"Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=planted-key\";";
        ContactAuditConfig config = ContactAuditConfig.load(
                Path.of("ops/config/event-hubs.properties"), Map.of("CONTACT_AUDIT_SASL_JAAS_CONFIG", jaas), Map.of());
        assertThat(config.bootstrapServers()).endsWith(".servicebus.windows.net:9093");
        assertThat(config.kafkaClientProperties())
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "PLAIN")
                .containsEntry("sasl.jaas.config", jaas);
        assertThat(config.createTopics()).isFalse();
        assertThat(config.redacted().toString()).doesNotContain("planted-key");
        // and the client settings are accepted by Kafka's own producer configuration
        new org.apache.kafka.clients.producer.ProducerConfig(withSerializers(config.kafkaClientProperties()));
        // Event Hubs takes gzip or nothing: the evaluator's lz4 default must give way to the profile's setting
        java.util.Properties streams = EvaluatorApp.properties(config);
        assertThat(new org.apache.kafka.streams.StreamsConfig(streams).getProducerConfigs("evaluator"))
                .containsEntry("compression.type", "gzip");
    }

    @Test
    void theEvaluatorCompressesAndBatchesUnlessConfiguredOtherwise() {
        ContactAuditConfig defaults = ContactAuditConfig.load(null, Map.of(), Map.of("bootstrap.servers", "b:9092"));
        Map<String, Object> producer = new org.apache.kafka.streams.StreamsConfig(EvaluatorApp.properties(defaults))
                .getProducerConfigs("evaluator");
        assertThat(producer).containsEntry("compression.type", "lz4").containsEntry("batch.size", 262_144);

        ContactAuditConfig own = ContactAuditConfig.load(
                null,
                Map.of(),
                Map.of("bootstrap.servers", "b:9092", "producer.compression.type", "zstd", "batch.size", "65536"));
        producer = new org.apache.kafka.streams.StreamsConfig(EvaluatorApp.properties(own))
                .getProducerConfigs("evaluator");
        assertThat(producer).containsEntry("compression.type", "zstd").containsEntry("batch.size", "65536");
    }

    static Map<String, Object> withSerializers(Map<String, Object> props) {
        Map<String, Object> all = new HashMap<>(props);
        all.put("key.serializer", org.apache.kafka.common.serialization.StringSerializer.class);
        all.put("value.serializer", org.apache.kafka.common.serialization.StringSerializer.class);
        return all;
    }

    @Test
    void invalidValuesSayWhichAndWhy() {
        assertThatThrownBy(() -> ContactAuditConfig.of(Map.of("stale.after", "45 minutes")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("stale.after must be an ISO-8601 duration such as PT15M or PT1H, got '45 minutes'");
        assertThatThrownBy(() -> ContactAuditConfig.of(Map.of("profile", "lenient")))
                .hasMessageContaining("profile: unknown profile 'lenient'");
        assertThatThrownBy(() -> ContactAuditConfig.of(Map.of("topics.partitions", "0")))
                .hasMessage("topics.partitions must be at least 1, got 0");
        assertThatThrownBy(() -> ContactAuditConfig.of(Map.of("topics.create", "yes")))
                .hasMessage("topics.create must be true or false, got 'yes'");
        assertThatThrownBy(() -> ContactAuditConfig.load(dir.resolve("nope.properties"), Map.of(), Map.of()))
                .hasMessageContaining("configuration file not found");
        assertThatThrownBy(() -> ContactAuditConfig.of(Map.of("num.stream.threads", "two")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("num.stream.threads must be an integer, got 'two'");
        assertThatThrownBy(() -> ContactAuditConfig.of(Map.of("http.port", "70000")))
                .hasMessage("http.port must be a port number (0 for any free port), got 70000");
        assertThatThrownBy(() -> ContactAuditConfig.of(Map.of("schema.registry.serde", "avro")))
                .hasMessage("schema.registry.serde must be apicurio or confluent, got 'avro'");
        assertThatThrownBy(() -> ContactAuditConfig.of(Map.of("azure.endpoint", "http://management.azure.com/")))
                .hasMessage("azure.endpoint must be an https URL, got 'http://management.azure.com/'");
        assertThatThrownBy(() -> ContactAuditConfig.of(Map.of("topic.prefix", " ")))
                .hasMessage("topic.prefix must not be empty");
    }

    @Test
    void everyKeyIsDefinedOnceWithItsEnvironmentVariableDefaultAndDoc() {
        assertThat(ContactAuditConfig.DEFINITION.names())
                .hasSize(46)
                .contains(
                        "bootstrap.servers",
                        "http.host",
                        "events.topic",
                        "findings.emit",
                        "findings.refresh",
                        "state.store");
        assertThat(ConfigReference.markdown())
                .contains("| `topics.partitions` | `CONTACT_AUDIT_TOPICS_PARTITIONS` | `6` |")
                .contains("| `stale.after` | `CONTACT_AUDIT_STALE_AFTER` |  |");
        ContactAuditConfig config = ContactAuditConfig.of(Map.of("http.port", "", "topics.create", " FALSE "));
        assertThat(config.httpPort()).isEqualTo(-1);
        assertThat(config.createTopics()).isFalse();
        assertThat(config.topicReplicationFactor()).isEqualTo((short) -1);
        assertThat(config.maxFailedCycles()).isEqualTo(3);
        assertThat(config.siemCompression()).isEqualTo("gzip");
    }

    @Test
    void theEventsConsumerHasItsOwnClientSettingsUnderItsPrefix() {
        ContactAuditConfig own = ContactAuditConfig.of(Map.of(
                "bootstrap.servers",
                "pipeline:9092",
                "security.protocol",
                "SSL",
                "events.bootstrap.servers",
                "ns.servicebus.windows.net:9093",
                "events.security.protocol",
                "SASL_SSL",
                "events.sasl.mechanism",
                "PLAIN"));
        assertThat(own.eventsClientProperties())
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "bootstrap.servers",
                        "ns.servicebus.windows.net:9093",
                        "security.protocol",
                        "SASL_SSL",
                        "sasl.mechanism",
                        "PLAIN"));
        assertThat(own.kafkaClientProperties())
                .doesNotContainKeys("events.security.protocol", "events.sasl.mechanism")
                .containsEntry("security.protocol", "SSL");

        ContactAuditConfig shared =
                ContactAuditConfig.of(Map.of("bootstrap.servers", "pipeline:9092", "security.protocol", "SSL"));
        assertThat(shared.eventsClientProperties())
                .containsEntry("bootstrap.servers", "pipeline:9092")
                .containsEntry("security.protocol", "SSL");
        assertThat(shared.eventsEnabled()).isFalse();
        assertThat(shared.eventsTopic()).isEqualTo("insights-activity-logs");
    }

    @Test
    void theChangeEventsProfileGivesTheEventsConsumerItsOwnClusterAndSecret() throws Exception {
        String jaas = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"$ConnectionString\" "
                + "password=\"Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=listen;SharedAccessKey=planted-key\";";
        ContactAuditConfig config = ContactAuditConfig.load(
                Path.of("ops/config/change-events.properties"),
                Map.of(
                        "CONTACT_AUDIT_EVENTS_SASL_JAAS_CONFIG",
                        jaas,
                        "CONTACT_AUDIT_BOOTSTRAP_SERVERS",
                        "pipeline:9092"),
                Map.of());
        assertThat(config.eventsEnabled()).isTrue();
        assertThat(config.eventsClientProperties())
                .containsEntry("bootstrap.servers", "NAMESPACE.servicebus.windows.net:9093")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.jaas.config", jaas);
        assertThat(config.kafkaClientProperties())
                .containsEntry("bootstrap.servers", "pipeline:9092")
                .doesNotContainKey("sasl.jaas.config");
        assertThat(config.redacted().toString()).doesNotContain("planted-key");
    }
}

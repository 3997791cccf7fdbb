package io.contactaudit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.contactaudit.config.ContactAuditConfig;
import io.contactaudit.kafka.TopicSpec;
import io.contactaudit.kafka.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** docker-compose.yml and ops/topics.sh cannot run here; they must at least agree with the code. */
class DeploymentFilesTest {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void composeIsValidYamlWithTheExpectedServices() throws IOException {
        JsonNode compose = YAML.readTree(Path.of("docker-compose.yml").toFile());
        assertThat(compose.path("services").fieldNames())
                .toIterable()
                .containsExactlyInAnyOrder("kafka", "registry", "topics", "schemas", "evaluator", "collector");
        assertThat(compose.path("services").path("kafka").path("image").asText())
                .isEqualTo("apache/kafka:4.1.1");
        assertThat(compose.path("services")
                        .path("evaluator")
                        .path("command")
                        .get(0)
                        .asText())
                .isEqualTo("evaluate");
        assertThat(compose.path("services")
                        .path("collector")
                        .path("command")
                        .get(0)
                        .asText())
                .isEqualTo("collect");
    }

    @Test
    void everyContactAuditVariableInComposeIsAConfigurationKey() throws IOException {
        JsonNode services =
                YAML.readTree(Path.of("docker-compose.yml").toFile()).path("services");
        List<String> unknown = new ArrayList<>();
        services.fields()
                .forEachRemaining(service -> service.getValue()
                        .path("environment")
                        .fieldNames()
                        .forEachRemaining(name -> {
                            if (name.startsWith(ContactAuditConfig.ENV_PREFIX)) {
                                String key = name.substring(ContactAuditConfig.ENV_PREFIX.length())
                                        .toLowerCase(Locale.ROOT)
                                        .replace('_', '.');
                                if (!ContactAuditConfig.defines(key)) {
                                    unknown.add(service.getKey() + ": " + name);
                                }
                            }
                        }));
        assertThat(unknown).isEmpty();
        assertThat(Files.readString(Path.of("docker-compose.yml")))
                .doesNotContainPattern("(?i)client_secret:\\s*[\"']?[a-z0-9~._-]{8,}");
    }

    @Test
    void manifestsAndAlertsParseAndUseMetricsTheCodeEmits() throws IOException {
        for (String file : List.of(
                "ops/kubernetes/evaluator.yaml", "ops/kubernetes/collector.yaml", "ops/prometheus/alerts.yaml")) {
            assertThat(YAML.readTree(Path.of(file).toFile())).as(file).isNotNull();
        }
        new ObjectMapper().readTree(Path.of("ops/grafana/contact-audit.json").toFile());
        java.util.Set<String> emitted = new java.util.HashSet<>(
                List.of("contact_audit_dead_letters_total", "contact_audit_late_snapshots_total"));
        for (String verdict : List.of("pass", "fail", "error")) {
            emitted.add("contact_audit_findings_" + verdict + "_total");
        }
        for (io.contactaudit.schema.DriftKind kind : io.contactaudit.schema.DriftKind.values()) {
            emitted.add("contact_audit_drift_" + kind.name().toLowerCase(Locale.ROOT) + "_total");
        }
        io.contactaudit.observe.EndpointsNames.collector().forEach(emitted::add);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("contact_audit_[a-z_]+")
                .matcher(Files.readString(Path.of("ops/prometheus/alerts.yaml"))
                        + Files.readString(Path.of("ops/grafana/contact-audit.json")));
        List<String> unknown = new ArrayList<>();
        while (m.find()) {
            String name = m.group();
            if (!emitted.contains(name)
                    && !name.endsWith("_")
                    && !name.equals("contact_audit_findings_")
                    && !name.equals("contact_audit_drift_")) {
                unknown.add(name);
            }
        }
        assertThat(unknown).as("metric names the code does not emit").isEmpty();
    }

    @Test
    void siemRecipesParseAndReadTheOcsfTopic() throws IOException {
        String topic = Topics.create(Topics.DEFAULT_PREFIX).findingsOcsf().name();
        JsonNode splunk = new ObjectMapper()
                .readTree(Path.of("ops/siem/splunk/splunk-sink.json").toFile())
                .path("config");
        assertThat(splunk.path("topics").asText()).isEqualTo(topic);
        assertThat(splunk.path("splunk.hec.ack.enabled").asText()).isEqualTo("true");
        assertThat(YAML.readTree(Path.of("ops/siem/elastic/filebeat.yml").toFile())
                        .at("/filebeat.inputs/0/topics/0")
                        .asText())
                .isEqualTo(topic);
        for (String file : List.of(
                "ops/siem/sentinel/dcr-eventhub.json",
                "ops/siem/sentinel/table.json",
                "ops/siem/kafkajs/package.json")) {
            assertThat(new ObjectMapper().readTree(Path.of(file).toFile()))
                    .as(file)
                    .isNotNull();
        }
    }

    @Test
    void topicScriptCreatesEveryTopicWithTheCodesSettings() throws IOException {
        String script = Files.readString(Path.of("ops/topics.sh"));
        for (TopicSpec<?, ?> topic : Topics.create("").all()) {
            String dataset = topic.name().substring(1);
            String policy = topic.config().get("cleanup.policy");
            assertThat(script)
                    .as(dataset)
                    .containsPattern("create " + java.util.regex.Pattern.quote(dataset) + "\\s+" + policy + "\\s");
            String retention = topic.config().get("retention.ms");
            if (retention != null) {
                long days = Long.parseLong(retention) / 86_400_000L;
                assertThat(script)
                        .as(dataset + " retention")
                        .containsPattern("create " + java.util.regex.Pattern.quote(dataset) + "\\s+\\w+\\s+\\$\\(\\("
                                + days + " \\* DAY_MS\\)\\)");
            }
            assertThat(script)
                    .as(dataset + " codec")
                    .containsPattern("(?m)^create " + java.util.regex.Pattern.quote(dataset) + "\\s.*"
                            + (topic.config().containsKey("compression.type") ? " siem$" : "\"$"));
        }
    }
}

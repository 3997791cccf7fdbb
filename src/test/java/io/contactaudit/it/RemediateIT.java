package io.contactaudit.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.contactaudit.app.EvaluatorApp;
import io.contactaudit.app.KafkaSetup;
import io.contactaudit.cli.CliRunner;
import io.contactaudit.collector.KnownSubscriptions;
import io.contactaudit.config.ContactAuditConfig;
import io.contactaudit.kafka.Topics;
import io.contactaudit.schema.DriftEvent;
import io.contactaudit.schema.DriftKind;
import io.contactaudit.schema.Verdict;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code remediate --all-failing --apply} on a real broker with the evaluator running: the failing subscriptions come
 * from the posture topic, the fix is written through the fake Resource Manager's API, and the snapshot read right
 * after it makes a REMEDIATED drift event that names the remediation.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RemediateIT {

    static final String DEV_SANDBOX = "1c5a8d3f-9b8e-4d22-8b4f-6a7f8e9d0c1b";

    @TempDir
    Path dir;

    @Test
    void everyFailingSubscriptionIsFixedAndTheDriftNamesTheRemediation() throws Exception {
        try (Collected run = collected("remediate")) {
            String bootstrap = run.bootstrap();
            Map<String, String> env = run.env();
            ContactAuditConfig config = run.config();
            Topics topics = run.topics();

            CliRunner.Run remediated = CliRunner.withEnv(
                    env,
                    "remediate",
                    "--all-failing",
                    "--apply",
                    "--json",
                    "--bootstrap-servers",
                    bootstrap,
                    "--scenario",
                    "examples/tenant.yaml");
            assertThat(remediated.exitCode())
                    .as(remediated.out() + remediated.err())
                    .isZero();
            assertThat(remediated.lines().stream().filter(l -> l.startsWith("{")))
                    .as("the failing subscriptions only: dev-sandbox")
                    .singleElement()
                    .satisfies(l -> assertThat(l).contains(DEV_SANDBOX, "\"verdictAfter\":\"PASS\""));
            Matcher id = Pattern.compile("\"remediationId\":\"(remediation:[^\"]+)\"")
                    .matcher(remediated.out());
            assertThat(id.find()).isTrue();

            List<DriftEvent> drift = TestKafka.readCommitted(
                            topics.drift().name(),
                            Serdes.String().deserializer(),
                            topics.drift().value().deserializer(),
                            1,
                            Duration.ofSeconds(60))
                    .stream()
                    .map(ConsumerRecord::value)
                    .toList();
            assertThat(drift).singleElement().satisfies(d -> {
                assertThat(d.getSubscriptionId()).isEqualTo(DEV_SANDBOX);
                assertThat(d.getKind()).isEqualTo(DriftKind.REMEDIATED);
                assertThat(d.getTriggerEventId()).isEqualTo(id.group(1));
            });
            List<ConsumerRecord<String, byte[]>> audit = TestKafka.readCommitted(
                    topics.remediations().name(),
                    Serdes.String().deserializer(),
                    Serdes.ByteArray().deserializer(),
                    1,
                    Duration.ofSeconds(30));
            assertThat(audit)
                    .as("the attempt recorded")
                    .singleElement()
                    .satisfies(r -> assertThat(new String(r.value(), StandardCharsets.UTF_8))
                            .contains("\"result\":\"VERIFIED\"", "\"mode\":\"apply\"", id.group(1)));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> KnownSubscriptions.postures(
                                            config.kafkaClientProperties(), topics.posture(), Duration.ofSeconds(10))
                                    .get(DEV_SANDBOX)
                                    .getVerdict()
                            == Verdict.PASS);
        }
    }

    @Test
    void aSubscriptionUnderAnActiveExceptionIsLeftAloneAndRecordedSo() throws Exception {
        try (Collected run = collected("remediate-excepted")) {
            String bootstrap = run.bootstrap();
            Map<String, String> env = run.env();
            ContactAuditConfig config = run.config();
            Topics topics = run.topics();
            CliRunner.Run granted = CliRunner.withEnv(
                    env,
                    "exceptions",
                    "add",
                    "--bootstrap-servers",
                    bootstrap,
                    "--subscription",
                    DEV_SANDBOX,
                    "--category",
                    "WAIVER",
                    "--justification",
                    "dev sandbox, no production data",
                    "--requested-by",
                    "alice@contoso.com",
                    "--approved-by",
                    "bob@contoso.com",
                    "--expires",
                    "P90D");
            assertThat(granted.exitCode()).as(granted.err()).isZero();

            CliRunner.Run remediated = CliRunner.withEnv(
                    env,
                    "remediate",
                    "--all-failing",
                    "--apply",
                    "--json",
                    "--bootstrap-servers",
                    bootstrap,
                    "--scenario",
                    "examples/tenant.yaml");
            assertThat(remediated.exitCode())
                    .as(remediated.out() + remediated.err())
                    .isZero();
            assertThat(remediated.lines().stream().filter(l -> l.startsWith("{")))
                    .singleElement()
                    .satisfies(l -> assertThat(l)
                            .contains(
                                    DEV_SANDBOX,
                                    "\"action\":\"EXCEPTED\"",
                                    "\"applied\":false",
                                    "under active exception"));
            assertThat(TestKafka.readCommitted(
                            topics.remediations().name(),
                            Serdes.String().deserializer(),
                            Serdes.ByteArray().deserializer(),
                            1,
                            Duration.ofSeconds(30)))
                    .singleElement()
                    .satisfies(r -> assertThat(new String(r.value(), StandardCharsets.UTF_8))
                            .contains("\"result\":\"EXCEPTED\"", "\"httpStatus\":null"));
        }
    }

    /** An evaluator running over the example tenant's first collection, whose posture holds DEV_SANDBOX. */
    record Collected(
            String bootstrap, Map<String, String> env, ContactAuditConfig config, Topics topics, EvaluatorApp evaluator)
            implements AutoCloseable {
        @Override
        public void close() {
            evaluator.close();
        }
    }

    Collected collected(String name) {
        String bootstrap = TestKafka.bootstrapServers();
        String prefix = TestKafka.uniquePrefix(name);
        Map<String, String> env = Map.of("CONTACT_AUDIT_TOPIC_PREFIX", prefix);
        ContactAuditConfig config = ContactAuditConfig.of(Map.of(
                ContactAuditConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ContactAuditConfig.TOPIC_PREFIX_CONFIG,
                prefix,
                ContactAuditConfig.STATE_DIR_CONFIG,
                dir.resolve("state").toString()));
        Topics topics = KafkaSetup.topics(config);
        KafkaSetup.prepare(config, topics);
        Collected run = new Collected(bootstrap, env, config, topics, EvaluatorApp.create(config, topics));
        try {
            run.evaluator().start();
            CliRunner.Run collected = CliRunner.withEnv(
                    env, "collect", "--once", "--bootstrap-servers", bootstrap, "--scenario", "examples/tenant.yaml");
            assertThat(collected.exitCode()).as(collected.err()).isZero();
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> KnownSubscriptions.postures(
                                            config.kafkaClientProperties(), topics.posture(), Duration.ofSeconds(10))
                                    .getOrDefault(DEV_SANDBOX, null)
                            != null);
            return run;
        } catch (RuntimeException | Error e) {
            run.close();
            throw e;
        }
    }
}

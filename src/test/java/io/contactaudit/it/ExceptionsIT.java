package io.contactaudit.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.contactaudit.app.CollectorApp;
import io.contactaudit.app.EvaluatorApp;
import io.contactaudit.app.ExitCodes;
import io.contactaudit.app.KafkaSetup;
import io.contactaudit.cli.CliRunner;
import io.contactaudit.collector.Collector;
import io.contactaudit.collector.KnownSubscriptions;
import io.contactaudit.config.ContactAuditConfig;
import io.contactaudit.demo.ContactRenderer;
import io.contactaudit.demo.FakeArm;
import io.contactaudit.demo.Scenario;
import io.contactaudit.evaluate.ExceptionCounts;
import io.contactaudit.kafka.Topics;
import io.contactaudit.schema.ComplianceFinding;
import io.contactaudit.schema.DriftEvent;
import io.contactaudit.schema.DriftKind;
import io.contactaudit.schema.PostureState;
import io.contactaudit.schema.Verdict;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exception workflow on a real broker, as an operator runs it: {@code exceptions add} through the command line
 * suppresses a running evaluator's FAIL (it stays FAIL), survives a restart of the evaluator without a second grant,
 * {@code exceptions list} shows it, {@code exceptions revoke} re-opens the finding; an unknown subscription is refused.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ExceptionsIT {

    static final String SUB = "e0000000-0000-4000-8000-000000000001";

    @TempDir
    Path dir;

    @Test
    void grantSuppressesRestartKeepsItRevokeReopens() throws Exception {
        String bootstrap = TestKafka.bootstrapServers();
        String prefix = TestKafka.uniquePrefix("exceptions");
        ContactAuditConfig config = ContactAuditConfig.of(Map.of(
                ContactAuditConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ContactAuditConfig.TOPIC_PREFIX_CONFIG,
                prefix,
                ContactAuditConfig.STATE_DIR_CONFIG,
                dir.resolve("state").toString()));
        Topics topics = KafkaSetup.topics(config);
        KafkaSetup.prepare(config, topics);
        Scenario.Subscription failing = new Scenario.Subscription(
                SUB,
                "sandbox",
                "Enabled",
                ContactRenderer.V2023,
                List.of(new Scenario.Contact("default", true, List.of("secops@contoso.com"), "Off", List.of(), null)),
                null,
                null,
                null,
                null);
        String[] kafka = {"--bootstrap-servers", bootstrap, "--topic-prefix", prefix};

        try (FakeArm arm = FakeArm.start(new Scenario("t", 100, 0, List.of(failing)));
                CollectorApp collector = CollectorApp.create(
                        config,
                        topics,
                        CollectorApp.arm(config, arm.endpoint(), arm.clientSslContext()),
                        Collector.Progress.NONE)) {
            String exceptionId;
            try (EvaluatorApp evaluator = EvaluatorApp.create(config, topics)) {
                evaluator.start();
                assertThat(collector.once().publishedAll()).isTrue();
                PostureState open = awaitPosture(config, topics, p -> p.getVerdict() == Verdict.FAIL);
                assertThat(open.getSuppressed()).isFalse();

                CliRunner.Run unknown = CliRunner.run(cat(
                        kafka,
                        "exceptions",
                        "add",
                        "--subscription",
                        "f0000000-0000-4000-8000-00000000000f",
                        "--category",
                        "WAIVER",
                        "--justification",
                        "sandbox",
                        "--requested-by",
                        "alice",
                        "--approved-by",
                        "bob",
                        "--expires",
                        "P30D"));
                assertThat(unknown.exitCode()).isEqualTo(ExitCodes.USAGE);
                assertThat(unknown.err()).contains("is unknown to the pipeline");

                CliRunner.Run add = CliRunner.run(cat(
                        kafka,
                        "exceptions",
                        "add",
                        "--subscription",
                        SUB.toUpperCase(),
                        "--category",
                        "MITIGATED",
                        "--justification",
                        "sandbox without production data",
                        "--compensating-control",
                        "alerts forwarded by the SOC's own Logic App",
                        "--requested-by",
                        "alice@contoso.com",
                        "--approved-by",
                        "bob@contoso.com",
                        "--expires",
                        "P30D",
                        "--ticket",
                        "RISK-7"));
                assertThat(add.exitCode()).as(add.err()).isEqualTo(ExitCodes.OK);
                // by default it covers the subscription's current failure reasons
                List<String> codes = open.getReasons().stream()
                        .map(r -> r.getCode())
                        .distinct()
                        .toList();
                assertThat(add.out()).contains("granted: MITIGATED for " + SUB).contains(String.join(", ", codes));
                Matcher id = Pattern.compile("exception (\\S+) granted").matcher(add.out());
                assertThat(id.find()).isTrue();
                exceptionId = id.group(1);

                PostureState suppressed = awaitPosture(config, topics, PostureState::getSuppressed);
                assertThat(evaluator.exceptionCounts())
                        .isEqualTo(new ExceptionCounts(1, 1, 0, 0)); // P30D: ends within 30 days
                assertThat(suppressed.getVerdict()).isEqualTo(Verdict.FAIL);
                assertThat(suppressed.getException().getExceptionId()).isEqualTo(exceptionId);
                assertThat(awaitDrift(topics, 1))
                        .extracting(DriftEvent::getKind)
                        .containsExactly(DriftKind.EXCEPTION_GRANTED);
            }

            CliRunner.Run list = CliRunner.run(cat(kafka, "exceptions", "list", "--active", "--format", "jsonl"));
            assertThat(list.exitCode()).as(list.err()).isEqualTo(ExitCodes.OK);
            assertThat(list.lines()).hasSize(1);
            assertThat(list.out())
                    .contains("\"exceptionId\":\"" + exceptionId + "\"")
                    .contains("\"state\":\"ACTIVE\"");

            // a restart reads the exceptions again and the posture from its state: still suppressed, no second grant
            try (EvaluatorApp evaluator = EvaluatorApp.create(config, topics)) {
                evaluator.start();
                assertThat(collector.once().publishedAll()).isTrue();
                // the first finding, then the one restating it suppressed: the same content emits no more
                // (findings.emit=changes); the restarted evaluator has read the new snapshot once its group has no lag
                try (Admin admin = Admin.create(config.kafkaClientProperties())) {
                    await().atMost(Duration.ofSeconds(60))
                            .until(() -> EvaluatorApp.unprocessed(admin, config, topics) == 0);
                }
                List<ComplianceFinding> findings = awaitFindings(topics, 2);
                assertThat(findings)
                        .extracting(ComplianceFinding::getSuppressed)
                        .containsExactly(false, true);
                assertThat(findings).extracting(ComplianceFinding::getVerdict).containsOnly(Verdict.FAIL);

                CliRunner.Run revoke = CliRunner.run(cat(
                        kafka,
                        "exceptions",
                        "revoke",
                        "--id",
                        exceptionId,
                        "--by",
                        "carol@contoso.com",
                        "--reason",
                        "production data found in the sandbox"));
                assertThat(revoke.exitCode()).as(revoke.err()).isEqualTo(ExitCodes.OK);
                PostureState reopened = awaitPosture(config, topics, p -> !p.getSuppressed());
                assertThat(evaluator.exceptionCounts()).isEqualTo(new ExceptionCounts(0, 0, 0, 1));
                assertThat(reopened.getVerdict()).isEqualTo(Verdict.FAIL);
                assertThat(awaitDrift(topics, 2))
                        .extracting(DriftEvent::getKind)
                        .containsExactly(DriftKind.EXCEPTION_GRANTED, DriftKind.EXCEPTION_REVOKED);
            }

            CliRunner.Run again = CliRunner.run(
                    cat(kafka, "exceptions", "revoke", "--id", exceptionId, "--by", "carol", "--reason", "twice"));
            assertThat(again.exitCode()).isEqualTo(ExitCodes.USAGE);
            assertThat(again.err()).contains("is REVOKED already");
            CliRunner.Run revoked = CliRunner.run(cat(kafka, "exceptions", "list", "--revoked", "--format", "csv"));
            assertThat(revoked.lines()).hasSize(2);
            assertThat(revoked.lines().get(1))
                    .contains(exceptionId)
                    .contains("REVOKED")
                    .contains("carol@contoso.com");
        }
    }

    /** {@code exceptions <sub>} with the Kafka options, then the rest. */
    static String[] cat(String[] kafka, String... command) {
        List<String> all = new ArrayList<>(List.of(command).subList(0, 2));
        all.addAll(List.of(kafka));
        all.addAll(List.of(command).subList(2, command.length));
        return all.toArray(String[]::new);
    }

    static PostureState awaitPosture(
            ContactAuditConfig config, Topics topics, java.util.function.Predicate<PostureState> wanted) {
        PostureState[] found = new PostureState[1];
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    found[0] = KnownSubscriptions.postures(
                                    config.kafkaClientProperties(), topics.posture(), Duration.ofSeconds(10))
                            .get(SUB);
                    return found[0] != null && wanted.test(found[0]);
                });
        return found[0];
    }

    static List<DriftEvent> awaitDrift(Topics topics, int count) {
        List<DriftEvent> drift = new ArrayList<>();
        TestKafka.readCommitted(
                        topics.drift().name(),
                        Serdes.String().deserializer(),
                        topics.drift().value().deserializer(),
                        count,
                        Duration.ofSeconds(60))
                .forEach(r -> drift.add(r.value()));
        return drift;
    }

    static List<ComplianceFinding> awaitFindings(Topics topics, int count) {
        List<ComplianceFinding> findings = new ArrayList<>();
        TestKafka.readCommitted(
                        topics.findings().name(),
                        Serdes.String().deserializer(),
                        topics.findings().value().deserializer(),
                        count,
                        Duration.ofSeconds(60))
                .forEach(r -> findings.add(r.value()));
        return findings;
    }
}

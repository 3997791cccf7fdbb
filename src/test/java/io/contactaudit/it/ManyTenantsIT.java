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
import io.contactaudit.collector.RunSummary;
import io.contactaudit.config.ContactAuditConfig;
import io.contactaudit.config.TenantsFile;
import io.contactaudit.demo.ContactRenderer;
import io.contactaudit.demo.FakeArm;
import io.contactaudit.demo.Scenario;
import io.contactaudit.kafka.Topics;
import io.contactaudit.schema.CollectionStatus;
import io.contactaudit.schema.PostureState;
import io.contactaudit.schema.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many tenants end to end on a real broker: {@code collect --scenario} with a tenants file (each tenant's identity
 * gets its tokens from the scenario's endpoint through azure-identity), the evaluator, {@code replay posture --tenant}.
 * Then a tenant's secret is revoked and another tenant loses a subscription: the first tenant's subscriptions turn
 * ERROR (never PASS, never removed), the second's is removed, nothing else moves.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ManyTenantsIT {

    static final String A = "aaaaaaaa-0000-4000-8000-000000000001";
    static final String B = "bbbbbbbb-0000-4000-8000-000000000002";
    static final String C = "cccccccc-0000-4000-8000-000000000003";
    /** A tenant whose identity gets no token (its secret refused). */
    static final String N = "dddddddd-0000-4000-8000-000000000004";

    static final String A1 = "a0000001-0000-4000-8000-000000000000";
    static final String A2 = "a0000002-0000-4000-8000-000000000000";
    static final String B1 = "b0000001-0000-4000-8000-000000000000";
    static final String B2 = "b0000002-0000-4000-8000-000000000000";
    static final String C1 = "c0000001-0000-4000-8000-000000000000";

    static final Map<String, String> SECRETS =
            Map.of("CONTOSO_SECRET", "a", "FABRIKAM_SECRET", "b", "WOODGROVE_SECRET", "c");

    @TempDir
    Path dir;

    static Scenario.Subscription sub(String id, String name, String alerts, String tenant, String... managedBy) {
        return new Scenario.Subscription(
                        id,
                        name,
                        "Enabled",
                        ContactRenderer.V2023,
                        List.of(new Scenario.Contact(
                                "default", true, List.of("secops@contoso.com"), alerts, List.of(), null)),
                        null,
                        null,
                        null,
                        null)
                .inTenant(tenant, List.of(managedBy));
    }

    static List<Scenario.Subscription> estate() {
        return List.of(
                sub(A1, "contoso-prod", "High", A),
                sub(A2, "contoso-old", "Off", A),
                sub(B1, "fabrikam-prod", "High", B),
                sub(B2, "fabrikam-shared", "High", B, A), // delegated to Contoso (Lighthouse)
                sub(C1, "woodgrove-prod", "High", C));
    }

    @Test
    void tenantsAreCollectedEvaluatedAndReplayedApartAndOneTenantsOutageNeverPassesOrRemoves() throws Exception {
        String bootstrap = TestKafka.bootstrapServers();
        String prefix = TestKafka.uniquePrefix("tenants");
        Path tenants = dir.resolve("tenants.yaml");
        Files.writeString(tenants, """
                tenants:
                  - id: %s
                    name: Contoso
                    credential: client-secret
                    clientId: contact-audit-contoso
                    clientSecretEnv: CONTOSO_SECRET
                  - id: %s
                    name: Fabrikam
                    credential: client-secret
                    clientId: contact-audit-fabrikam
                    clientSecretEnv: FABRIKAM_SECRET
                  - id: %s
                    name: Woodgrove
                    credential: client-secret
                    clientId: contact-audit-woodgrove
                    clientSecretEnv: WOODGROVE_SECRET
                  - id: %s
                    name: Northwind
                    credential: client-secret
                    clientId: contact-audit-northwind
                    clientSecretEnv: WOODGROVE_SECRET
                """.formatted(A, B, C, N));
        Path scenario = dir.resolve("estate.json");
        Files.writeString(
                scenario,
                new com.fasterxml.jackson.databind.ObjectMapper()
                        .writeValueAsString(new Scenario(A, 100, 0, estate(), List.of(N))));
        ContactAuditConfig config = ContactAuditConfig.of(Map.of(
                ContactAuditConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ContactAuditConfig.TOPIC_PREFIX_CONFIG,
                prefix,
                ContactAuditConfig.STATE_DIR_CONFIG,
                dir.resolve("state").toString(),
                ContactAuditConfig.TENANTS_FILE_CONFIG,
                tenants.toString()));
        Topics topics = KafkaSetup.topics(config);
        KafkaSetup.prepare(config, topics);
        String[] kafka = {"--bootstrap-servers", bootstrap, "--topic-prefix", prefix};

        try (EvaluatorApp evaluator = EvaluatorApp.create(config, topics)) {
            evaluator.start();

            // 1. as an operator runs it: the tenants file from the environment, the secrets too
            Map<String, String> env = new java.util.HashMap<>(SECRETS);
            env.put("CONTACT_AUDIT_COLLECTOR_TENANTS_FILE", tenants.toString());
            CliRunner.Run collect = CliRunner.withEnv(
                    env,
                    "collect",
                    "--bootstrap-servers",
                    bootstrap,
                    "--topic-prefix",
                    prefix,
                    "--scenario",
                    scenario.toString(),
                    "--once",
                    "--no-progress");
            // Northwind's identity gets no token: the others are published, and the run says it failed
            assertThat(collect.exitCode()).as(collect.out() + collect.err()).isEqualTo(ExitCodes.FAILURE);
            assertThat(collect.out() + collect.err())
                    .contains(
                            "tenants: Contoso listed 3, read 2; Fabrikam listed 2, read 2; Woodgrove listed 1, read 1;"
                                    + " Northwind NOT LISTED")
                    .contains("contact-audit: error: tenant Northwind (" + N + ") could not be listed");

            Map<String, PostureState> first = awaitPostures(config, topics, p -> p.size() == 5);
            assertThat(first.get(B2).getTenantId()).isEqualTo(B);
            assertThat(first.get(B2).getTenantName()).isEqualTo("Fabrikam");
            assertThat(first.get(B2).getReadThroughTenantId())
                    .as("read once, through its own tenant")
                    .isEqualTo(B);
            assertThat(first.get(C1).getTenantName()).isEqualTo("Woodgrove");
            assertThat(first.get(C1).getVerdict()).isEqualTo(Verdict.PASS);

            // 2. Woodgrove's secret is revoked; Contoso's old subscription is gone
            List<Scenario.Subscription> later =
                    estate().stream().filter(s -> !s.id().equals(A2)).toList();
            try (FakeArm arm = FakeArm.start(new Scenario(A, 100, 0, later, List.of(N)));
                    CollectorApp collector = CollectorApp.create(
                            config,
                            topics,
                            CollectorApp.sources(
                                    config, TenantsFile.read(tenants), SECRETS, arm.endpoint(), arm.clientSslContext()),
                            Collector.Progress.NONE)) {
                arm.failAuth(C);
                RunSummary run = collector.once();
                assertThat(run.removed()).isEqualTo(1);
                assertThat(run.byStatus())
                        .containsEntry(CollectionStatus.OK, 3)
                        .containsEntry(CollectionStatus.ERROR, 1);
                assertThat(run.unlistedTenants())
                        .extracting(RunSummary.TenantRun::tenantId)
                        .containsExactlyInAnyOrder(C, N);
                assertThat(run.unlistedTenants())
                        .filteredOn(t -> t.tenantId().equals(C))
                        .singleElement()
                        .satisfies(t -> assertThat(t.listingError()).contains("AADSTS7000215"));
                assertThat(collector.loop().notReadyBecause()).contains("could not list Woodgrove");
            }
            Map<String, PostureState> second = awaitPostures(
                    config,
                    topics,
                    p -> !p.containsKey(A2) && p.containsKey(C1) && p.get(C1).getVerdict() == Verdict.ERROR);
            assertThat(second.keySet()).containsExactlyInAnyOrder(A1, B1, B2, C1);
            // a PASS whose tenant cannot be read is not a PASS any more: ERROR, the last good verdict kept
            assertThat(second.get(C1).getLastGoodVerdict()).isEqualTo(Verdict.PASS);
            for (String other : List.of(A1, B1, B2)) {
                assertThat(second.get(other).getVerdict()).as(other).isEqualTo(Verdict.PASS);
                assertThat(second.get(other).getReadThroughTenantId())
                        .as(other)
                        .isEqualTo(first.get(other).getReadThroughTenantId());
            }
            assertThat(second.get(C1).getReasons().get(0).getMessage())
                    .contains("tenant Woodgrove (" + C + ") could not be listed");
            assertThat(second.get(A1).getVerdict()).isEqualTo(Verdict.PASS);

            // 3. the auditor's view, by tenant
            CliRunner.Run woodgrove = CliRunner.run(
                    "replay",
                    "posture",
                    "--bootstrap-servers",
                    bootstrap,
                    "--topic-prefix",
                    prefix,
                    "--as-of",
                    java.time.Instant.now().plusSeconds(1).toString(),
                    "--tenant",
                    "woodgrove");
            assertThat(woodgrove.exitCode()).as(woodgrove.err()).isEqualTo(ExitCodes.OK);
            assertThat(woodgrove.out()).contains(C1).doesNotContain(A1).doesNotContain(B1);
            assertThat(woodgrove.out())
                    .contains("tenant Woodgrove (" + C + "): 1 subscriptions: 0 PASS, 0 FAIL, 1 ERROR");
            CliRunner.Run all = CliRunner.run(
                    "replay",
                    "posture",
                    "--bootstrap-servers",
                    bootstrap,
                    "--topic-prefix",
                    prefix,
                    "--as-of",
                    java.time.Instant.now().plusSeconds(1).toString());
            assertThat(all.out())
                    .contains("tenant Contoso (" + A + "): 1 subscriptions: 1 PASS, 0 FAIL, 0 ERROR")
                    .contains("tenant Fabrikam (" + B + "): 2 subscriptions: 2 PASS, 0 FAIL, 0 ERROR")
                    .contains("tenant Woodgrove (" + C + "): 1 subscriptions: 0 PASS, 0 FAIL, 1 ERROR");
        }
    }

    static Map<String, PostureState> awaitPostures(
            ContactAuditConfig config, Topics topics, java.util.function.Predicate<Map<String, PostureState>> wanted) {
        @SuppressWarnings("unchecked")
        Map<String, PostureState>[] found = new Map[1];
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    found[0] = KnownSubscriptions.postures(
                            config.kafkaClientProperties(), topics.posture(), Duration.ofSeconds(10));
                    return wanted.test(found[0]);
                });
        return found[0];
    }
}

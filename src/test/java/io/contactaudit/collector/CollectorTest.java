package io.contactaudit.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.contactaudit.demo.FakeArm;
import io.contactaudit.demo.Scenario;
import io.contactaudit.rule.HighSeverityAlertEmailRule;
import io.contactaudit.rule.Profile;
import io.contactaudit.rule.SecurityContactsNormalizer;
import io.contactaudit.schema.CollectionStatus;
import io.contactaudit.schema.SecurityContactSnapshot;
import io.contactaudit.schema.Verdict;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The real Azure SDK pipeline against a local HTTPS fake of Resource Manager. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CollectorTest {

    static final String TENANT = "11111111-2222-3333-4444-555555555555";
    static FakeArm arm;

    static Scenario.Contact contact(String alerts) {
        return new Scenario.Contact("default", true, List.of("secops@contoso.com"), alerts, List.of("Owner"), null);
    }

    static Scenario.Subscription sub(String id, String generation, Scenario.Contact... contacts) {
        return new Scenario.Subscription(
                id, "sub " + id, "Enabled", generation, List.of(contacts), null, null, null, null);
    }

    /** Records what would be published. */
    static final class Recorder implements SnapshotSink {
        final List<SecurityContactSnapshot> snapshots = Collections.synchronizedList(new ArrayList<>());
        final List<String> removed = Collections.synchronizedList(new ArrayList<>());

        @Override
        public CompletableFuture<Void> publish(SecurityContactSnapshot snapshot) {
            snapshots.add(snapshot);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> remove(String subscriptionId) {
            removed.add(subscriptionId);
            return CompletableFuture.completedFuture(null);
        }

        Map<String, SecurityContactSnapshot> byId() {
            return snapshots.stream()
                    .collect(Collectors.toMap(SecurityContactSnapshot::getSubscriptionId, Function.identity()));
        }
    }

    @BeforeAll
    static void start() throws IOException {
        arm = FakeArm.start(new Scenario(TENANT, 100, 0, List.of()));
    }

    @AfterAll
    static void stop() {
        arm.close();
    }

    @BeforeEach
    void reset() {
        arm.resetCounts();
    }

    ArmClient client(Duration timeout, int retries) {
        ArmClient.Settings settings = ArmClient.Settings.defaults()
                .withEndpoint(arm.endpoint())
                .withRequestTimeout(timeout)
                .withRetries(retries, Duration.ofMillis(10), Duration.ofMillis(2500));
        return new ArmClient(settings, Credentials.fixed("test-token"), arm.clientSslContext(), Clock.systemUTC());
    }

    /** Subscription id → its tenant, read by that tenant's own identity. */
    static Map<String, KnownSubscriptions.Known> known(Map<String, String> tenants) {
        Map<String, KnownSubscriptions.Known> known = new java.util.HashMap<>();
        tenants.forEach((sub, tenant) -> known.put(sub, KnownSubscriptions.Known.of(tenant)));
        return known;
    }

    RunSummary run(Scenario scenario, Collector.Settings settings, Recorder sink, Map<String, String> known)
            throws InterruptedException {
        arm.scenario(scenario);
        return new Collector(client(Duration.ofSeconds(5), 3), settings, Clock.systemUTC())
                .run(sink, known(known), Collector.Progress.NONE);
    }

    RunSummary run(Scenario scenario, Recorder sink) throws InterruptedException {
        return run(scenario, Collector.Settings.defaults(), sink, Map.of());
    }

    @Test
    void discoversEverySubscriptionAcrossPagesAndReadsAllThreeGenerations() throws Exception {
        Scenario scenario = new Scenario(
                TENANT,
                2,
                0,
                List.of(
                        sub("aaaaaaaa-0000-0000-0000-000000000001", "2017-08-01-preview", contact("High")),
                        sub("aaaaaaaa-0000-0000-0000-000000000002", "2020-01-01-preview", contact("Medium")),
                        sub("aaaaaaaa-0000-0000-0000-000000000003", "2023-12-01-preview", contact("Low")),
                        sub("aaaaaaaa-0000-0000-0000-000000000004", "2023-12-01-preview", contact("Off")),
                        new Scenario.Subscription(
                                "AAAAAAAA-0000-0000-0000-000000000005",
                                "disabled one",
                                "Disabled",
                                null,
                                List.of(contact("High")),
                                null,
                                null,
                                null,
                                null)));
        Recorder sink = new Recorder();
        RunSummary summary = run(scenario, sink);

        assertThat(arm.discoveryRequests()).isEqualTo(3);
        assertThat(summary.subscriptions()).isEqualTo(5);
        assertThat(summary.byStatus()).containsEntry(CollectionStatus.OK, 5);
        Map<String, SecurityContactSnapshot> byId = sink.byId();
        assertThat(byId)
                .containsOnlyKeys(
                        "aaaaaaaa-0000-0000-0000-000000000001",
                        "aaaaaaaa-0000-0000-0000-000000000002",
                        "aaaaaaaa-0000-0000-0000-000000000003",
                        "aaaaaaaa-0000-0000-0000-000000000004",
                        "aaaaaaaa-0000-0000-0000-000000000005");
        SecurityContactSnapshot v2020 = byId.get("aaaaaaaa-0000-0000-0000-000000000002");
        assertThat(v2020.getRawBodies().get(0)).startsWith("[");
        assertThat(v2020.getContacts())
                .as("the raw pages are the snapshot's one representation")
                .isEmpty();
        assertThat(SecurityContactsNormalizer.parse(v2020.getRawBodies())
                        .normalized()
                        .get(0)
                        .getApiGeneration())
                .isEqualTo("2020-01-01-preview");
        assertThat(v2020.getTenantId()).isEqualTo(TENANT);
        assertThat(v2020.getSubscriptionName()).isEqualTo("sub aaaaaaaa-0000-0000-0000-000000000002");
        assertThat(v2020.getHttpStatus()).isEqualTo(200);
        assertThat(v2020.getArmRequestId()).isNotBlank();
        assertThat(v2020.getApiVersion()).isEqualTo("2023-12-01-preview");
        assertThat(byId.get("aaaaaaaa-0000-0000-0000-000000000005").getSubscriptionState())
                .isEqualTo("Disabled");
        assertThat(byId.values()).extracting(SecurityContactSnapshot::getRunId).containsOnly(summary.runId());

        Map<String, Verdict> verdicts = byId.values().stream()
                .collect(Collectors.toMap(
                        SecurityContactSnapshot::getSubscriptionId,
                        s -> HighSeverityAlertEmailRule.evaluate(s, Profile.DEFAULT)
                                .verdict()));
        assertThat(verdicts)
                .containsEntry("aaaaaaaa-0000-0000-0000-000000000001", Verdict.PASS)
                .containsEntry("aaaaaaaa-0000-0000-0000-000000000002", Verdict.PASS)
                .containsEntry("aaaaaaaa-0000-0000-0000-000000000003", Verdict.PASS)
                .containsEntry("aaaaaaaa-0000-0000-0000-000000000004", Verdict.FAIL);
        assertThat(summary.minRemainingReads()).isPositive();
    }

    @Test
    void followsContactPages() throws Exception {
        Scenario.Subscription paged = new Scenario.Subscription(
                "bbbbbbbb-0000-0000-0000-000000000001",
                "paged",
                null,
                null,
                List.of(
                        contact("Off"),
                        new Scenario.Contact("second", true, List.of("a@x.com"), "Off", List.of(), null),
                        new Scenario.Contact("third", true, List.of("b@x.com"), "High", List.of(), null)),
                1,
                null,
                null,
                null);
        Recorder sink = new Recorder();
        run(new Scenario(TENANT, 100, 0, List.of(paged)), sink);
        SecurityContactSnapshot snapshot = sink.snapshots.get(0);
        assertThat(arm.contactRequests(paged.id())).isEqualTo(3);
        assertThat(snapshot.getRawBodies()).hasSize(3);
        assertThat(SecurityContactsNormalizer.parse(snapshot.getRawBodies()).normalized())
                .extracting(c -> c.getName())
                .containsExactly("default", "second", "third");
        assertThat(HighSeverityAlertEmailRule.evaluate(snapshot, Profile.DEFAULT)
                        .verdict())
                .isEqualTo(Verdict.PASS);
    }

    @Test
    void waitsWhatRetryAfterAsksThenSucceeds() throws Exception {
        Scenario.Subscription throttled = sub("cccccccc-0000-0000-0000-000000000001", null, contact("High"))
                .withFaults(List.of(new Scenario.Fault(429, "1", 1, null, null)));
        Recorder sink = new Recorder();
        RunSummary summary = run(new Scenario(TENANT, 100, 0, List.of(throttled)), sink);
        assertThat(sink.snapshots.get(0).getStatus()).isEqualTo(CollectionStatus.OK);
        assertThat(arm.contactRequests(throttled.id())).isEqualTo(2);
        assertThat(summary.throttledResponses()).isEqualTo(1);
        assertThat(summary.retries()).isEqualTo(1);
        assertThat(summary.waited()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void retryAfterIsCapped() throws Exception {
        Scenario.Subscription throttled = sub("cccccccc-0000-0000-0000-000000000002", null, contact("High"))
                .withFaults(List.of(new Scenario.Fault(429, "3600", 1, null, null)));
        Recorder sink = new Recorder();
        RunSummary summary = run(new Scenario(TENANT, 100, 0, List.of(throttled)), sink);
        assertThat(sink.snapshots.get(0).getStatus()).isEqualTo(CollectionStatus.OK);
        assertThat(summary.waited()).isEqualTo(Duration.ofMillis(2500));
    }

    @Test
    void retryAfterAsAnHttpDate() {
        Clock clock = Clock.fixed(java.time.Instant.parse("2026-03-01T10:00:00Z"), java.time.ZoneOffset.UTC);
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.parse("2026-03-01T10:00:07Z"));
        assertThat(RetryAfterPolicy.parseRetryAfter(date, clock)).isEqualTo(Duration.ofSeconds(7));
        assertThat(RetryAfterPolicy.parseRetryAfter("Sun, 01 Mar 2026 09:00:00 GMT", clock))
                .isEqualTo(Duration.ZERO);
        assertThat(RetryAfterPolicy.parseRetryAfter("12", clock)).isEqualTo(Duration.ofSeconds(12));
        assertThat(RetryAfterPolicy.parseRetryAfter("soon", clock)).isNull();
    }

    @Test
    void throttledOutIsAThrottledSnapshot() throws Exception {
        Scenario.Subscription throttled = sub("cccccccc-0000-0000-0000-000000000003", null, contact("High"))
                .withFaults(List.of(new Scenario.Fault(429, "0", -1, null, null)));
        Recorder sink = new Recorder();
        run(new Scenario(TENANT, 100, 0, List.of(throttled)), sink);
        SecurityContactSnapshot snapshot = sink.snapshots.get(0);
        assertThat(snapshot.getStatus()).isEqualTo(CollectionStatus.THROTTLED);
        assertThat(snapshot.getHttpStatus()).isEqualTo(429);
        assertThat(arm.contactRequests(throttled.id())).isEqualTo(4);
        assertThat(HighSeverityAlertEmailRule.evaluate(snapshot, Profile.DEFAULT)
                        .verdict())
                .isEqualTo(Verdict.ERROR);
    }

    @Test
    void serverErrorsAfterRetriesAreAnErrorSnapshot() throws Exception {
        Scenario.Subscription broken = sub("dddddddd-0000-0000-0000-000000000001", null, contact("High"))
                .withFaults(List.of(new Scenario.Fault(500, null, -1, "InternalServerError", "boom")));
        Recorder sink = new Recorder();
        run(new Scenario(TENANT, 100, 0, List.of(broken)), sink);
        SecurityContactSnapshot snapshot = sink.snapshots.get(0);
        assertThat(snapshot.getStatus()).isEqualTo(CollectionStatus.ERROR);
        assertThat(snapshot.getHttpStatus()).isEqualTo(500);
        assertThat(snapshot.getErrorMessage()).isEqualTo("InternalServerError: boom");
        assertThat(arm.contactRequests(broken.id())).isEqualTo(4);
    }

    @Test
    void forbiddenIsNotRetriedAndKeepsTheRequestId() throws Exception {
        Scenario.Subscription denied = sub("eeeeeeee-0000-0000-0000-000000000001", null, contact("High"))
                .withFaults(
                        List.of(
                                new Scenario.Fault(
                                        403,
                                        null,
                                        -1,
                                        "AuthorizationFailed",
                                        "The client does not have authorization to perform action 'Microsoft.Security/securityContacts/read'")));
        Recorder sink = new Recorder();
        run(new Scenario(TENANT, 100, 0, List.of(denied)), sink);
        SecurityContactSnapshot snapshot = sink.snapshots.get(0);
        assertThat(snapshot.getStatus()).isEqualTo(CollectionStatus.FORBIDDEN);
        assertThat(snapshot.getErrorMessage())
                .startsWith("AuthorizationFailed: The client does not have authorization");
        assertThat(snapshot.getArmRequestId()).isNotBlank();
        assertThat(snapshot.getContacts()).isEmpty();
        assertThat(arm.contactRequests(denied.id())).isEqualTo(1);
        assertThat(HighSeverityAlertEmailRule.evaluate(snapshot, Profile.DEFAULT)
                        .reasonCodes())
                .containsExactly("COLLECTION_FORBIDDEN");
    }

    @Test
    void responsesAreCountedByStatusForMetrics() throws Exception {
        Scenario scenario = new Scenario(
                TENANT,
                100,
                0,
                List.of(
                        sub("f0000000-0000-0000-0000-000000000001", null, contact("High")),
                        sub("f0000000-0000-0000-0000-000000000002", null, contact("High"))
                                .withFaults(List.of(new Scenario.Fault(403, null, -1, null, null)))));
        arm.scenario(scenario);
        ArmClient client = client(Duration.ofSeconds(5), 3);
        new Collector(client, Collector.Settings.defaults(), Clock.systemUTC())
                .run(new Recorder(), Map.of(), Collector.Progress.NONE);
        assertThat(client.stats().responsesByStatus()).containsEntry(200, 1L).containsEntry(403, 1L);
    }

    @Test
    void anExplicitUnknownSubscriptionIsNotFound() throws Exception {
        Recorder sink = new Recorder();
        Collector.Settings explicit = new Collector.Settings(
                "2023-12-01-preview",
                4,
                List.of("FFFFFFFF-0000-0000-0000-000000000001", "ffffffff-0000-0000-0000-000000000001"),
                null,
                null,
                50);
        run(new Scenario(TENANT, 100, 0, List.of()), explicit, sink, Map.of("other", TENANT));
        assertThat(sink.snapshots).hasSize(1);
        assertThat(sink.snapshots.get(0).getSubscriptionId()).isEqualTo("ffffffff-0000-0000-0000-000000000001");
        assertThat(sink.snapshots.get(0).getStatus()).isEqualTo(CollectionStatus.NOT_FOUND);
        assertThat(arm.discoveryRequests()).isZero();
        assertThat(sink.removed).as("an explicit list never removes anything").isEmpty();
    }

    @Test
    void aTimeoutIsAnErrorSnapshot() throws Exception {
        Scenario.Subscription slow = new Scenario.Subscription(
                "abababab-0000-0000-0000-000000000001",
                "slow",
                null,
                null,
                List.of(contact("High")),
                null,
                null,
                3000,
                null);
        arm.scenario(new Scenario(TENANT, 100, 0, List.of(slow)));
        Recorder sink = new Recorder();
        Collector collector =
                new Collector(client(Duration.ofMillis(300), 0), Collector.Settings.defaults(), Clock.systemUTC());
        collector.run(sink, Map.of(), Collector.Progress.NONE);
        SecurityContactSnapshot snapshot = sink.snapshots.get(0);
        assertThat(snapshot.getStatus()).isEqualTo(CollectionStatus.ERROR);
        assertThat(snapshot.getErrorMessage()).containsIgnoringCase("timed out");
    }

    @Test
    void aMalformedBodyIsCollectedVerbatimAndEvaluatesToError() throws Exception {
        Scenario.Subscription broken = sub("acacacac-0000-0000-0000-000000000001", null, contact("High"))
                .withBody("{\"value\": [");
        Recorder sink = new Recorder();
        run(new Scenario(TENANT, 100, 0, List.of(broken)), sink);
        SecurityContactSnapshot snapshot = sink.snapshots.get(0);
        assertThat(snapshot.getStatus()).isEqualTo(CollectionStatus.OK);
        assertThat(snapshot.getRawBodies()).containsExactly("{\"value\": [");
        assertThat(HighSeverityAlertEmailRule.evaluate(snapshot, Profile.DEFAULT)
                        .reasonCodes())
                .containsExactly("UNPARSEABLE_BODY");
    }

    @Test
    void aNextLinkToAnotherHostIsNotFollowed() throws Exception {
        Scenario.Subscription leaky = sub("adadadad-0000-0000-0000-000000000001", null, contact("High"))
                .withBody("{\"value\": [], \"nextLink\": \"https://attacker.example/steal\"}");
        Recorder sink = new Recorder();
        run(new Scenario(TENANT, 100, 0, List.of(leaky)), sink);
        assertThat(sink.snapshots.get(0).getStatus()).isEqualTo(CollectionStatus.ERROR);
        assertThat(sink.snapshots.get(0).getErrorMessage()).contains("nextLink points outside");
    }

    @Test
    void oneBadSubscriptionNeverAbortsTheRunAndGoneOnesAreRemoved() throws Exception {
        Scenario scenario = new Scenario(
                TENANT,
                100,
                0,
                List.of(
                        sub("10000000-0000-0000-0000-000000000001", null, contact("High")),
                        sub("10000000-0000-0000-0000-000000000002", null, contact("High"))
                                .withFaults(List.of(new Scenario.Fault(403, null, -1, null, null))),
                        sub("10000000-0000-0000-0000-000000000003", null, contact("High"))
                                .withBody("garbage"),
                        sub("10000000-0000-0000-0000-000000000004", null, contact("Off"))));
        Recorder sink = new Recorder();
        RunSummary summary = run(
                scenario,
                Collector.Settings.defaults(),
                sink,
                Map.of(
                        "10000000-0000-0000-0000-000000000001",
                        TENANT,
                        "10000000-0000-0000-0000-000000000099",
                        TENANT,
                        "10000000-0000-0000-0000-000000000098",
                        "another-tenant"));
        assertThat(sink.snapshots).hasSize(4);
        assertThat(summary.byStatus())
                .containsEntry(CollectionStatus.OK, 3)
                .containsEntry(CollectionStatus.FORBIDDEN, 1);
        assertThat(sink.removed).containsExactly("10000000-0000-0000-0000-000000000099");
        assertThat(summary.removed()).isEqualTo(1);
        assertThat(summary.published()).isEqualTo(5);
        assertThat(summary.line())
                .contains("4 subscriptions", "OK 3", "FORBIDDEN 1", "removed 1", "published 5, failed 0");
    }

    @Test
    void includeAndExcludeFilterByIdOrName() throws Exception {
        Scenario scenario = new Scenario(
                TENANT,
                100,
                0,
                List.of(
                        new Scenario.Subscription(
                                "20000000-0000-0000-0000-000000000001",
                                "prod-payments",
                                null,
                                null,
                                List.of(contact("High")),
                                null,
                                null,
                                null,
                                null),
                        new Scenario.Subscription(
                                "20000000-0000-0000-0000-000000000002",
                                "prod-sandbox",
                                null,
                                null,
                                List.of(contact("High")),
                                null,
                                null,
                                null,
                                null),
                        new Scenario.Subscription(
                                "20000000-0000-0000-0000-000000000003",
                                "dev",
                                null,
                                null,
                                List.of(contact("High")),
                                null,
                                null,
                                null,
                                null)));
        Recorder sink = new Recorder();
        run(
                scenario,
                new Collector.Settings(
                        "2023-12-01-preview", 2, List.of(), Pattern.compile("^prod-"), Pattern.compile("sandbox"), 50),
                sink,
                Map.of("20000000-0000-0000-0000-000000000003", TENANT));
        assertThat(sink.snapshots)
                .extracting(SecurityContactSnapshot::getSubscriptionName)
                .containsExactly("prod-payments");
        assertThat(sink.removed)
                .as("filtered out is not gone: another collector may own it")
                .isEmpty();
    }
}

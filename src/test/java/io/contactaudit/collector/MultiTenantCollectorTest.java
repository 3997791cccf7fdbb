package io.contactaudit.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.contactaudit.app.CollectorApp;
import io.contactaudit.collector.CollectorTest.Recorder;
import io.contactaudit.config.ConfigException;
import io.contactaudit.config.ContactAuditConfig;
import io.contactaudit.config.TenantsFile;
import io.contactaudit.demo.ContactRenderer;
import io.contactaudit.demo.FakeArm;
import io.contactaudit.demo.Scenario;
import io.contactaudit.schema.CollectionStatus;
import io.contactaudit.schema.SecurityContactSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several tenants from one collector, each read by its own identity: azure-identity's client-secret credential gets
 * each tenant's token from the local endpoint (its authority host), and Resource Manager's answers depend on whose
 * token it is.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MultiTenantCollectorTest {

    static final String A = "aaaaaaaa-0000-4000-8000-000000000001";
    static final String B = "bbbbbbbb-0000-4000-8000-000000000002";
    static final String C = "cccccccc-0000-4000-8000-000000000003";
    static final String X = "eeeeeeee-0000-4000-8000-000000000005";

    FakeArm arm;

    static String id(String prefix, int n) {
        return prefix + String.format("%07d", n) + "-0000-4000-8000-000000000000";
    }

    static Scenario.Subscription sub(String id, String tenant, String... managedBy) {
        return CollectorTest.sub(id, ContactRenderer.V2023, CollectorTest.contact("High"))
                .inTenant(tenant, List.of(managedBy));
    }

    /** A1, A2 of tenant A; B1 of B, and B2 of B delegated to A (Lighthouse); C1 of C. */
    static Scenario estate() {
        return new Scenario(
                A,
                100,
                0,
                List.of(
                        sub(id("a", 1), A),
                        sub(id("a", 2), A),
                        sub(id("b", 1), B),
                        sub(id("b", 2), B, A),
                        sub(id("c", 1), C)));
    }

    static TenantsFile.Entry tenant(String id, String name, Integer readsPerSecond) {
        return new TenantsFile.Entry(
                id,
                name,
                "client-secret",
                "app-" + name,
                "SECRET_" + name,
                null,
                null,
                null,
                null,
                null,
                readsPerSecond);
    }

    static final Map<String, String> ENV =
            Map.of("SECRET_Contoso", "a", "SECRET_Fabrikam", "b", "SECRET_Woodgrove", "c");

    @BeforeEach
    void start() throws IOException {
        arm = FakeArm.start(estate());
    }

    @AfterEach
    void stop() {
        arm.close();
    }

    Collector collector(TenantsFile.Entry... tenants) {
        return collector(ContactAuditConfig.of(Map.of()), tenants);
    }

    Collector collector(ContactAuditConfig config, TenantsFile.Entry... tenants) {
        List<Collector.Source> sources = CollectorApp.sources(
                config, new TenantsFile(List.of(tenants)), ENV, arm.endpoint(), arm.clientSslContext());
        return new Collector(sources, Collector.Settings.defaults(), Clock.systemUTC());
    }

    @Test
    void eachTenantIsReadWithItsOwnTokenAndADelegatedSubscriptionSeenBothWaysOnceThroughItsOwnTenant()
            throws Exception {
        Recorder sink = new Recorder();
        RunSummary summary = collector(tenant(A, "Contoso", null), tenant(B, "Fabrikam", null))
                .run(sink, Map.of(), Collector.Progress.NONE);

        assertThat(arm.tokenRequests(A)).isPositive();
        assertThat(arm.tokenRequests(B)).isPositive();
        assertThat(arm.tokenRequests(C)).isZero();
        Map<String, SecurityContactSnapshot> byId = sink.byId();
        assertThat(sink.snapshots).hasSize(4); // B2 once, C1 not visible to either identity
        assertThat(byId.keySet()).containsExactlyInAnyOrder(id("a", 1), id("a", 2), id("b", 1), id("b", 2));
        byId.values().forEach(s -> assertThat(s.getStatus()).isEqualTo(CollectionStatus.OK));
        assertThat(arm.contactRequests(id("b", 2))).isEqualTo(1);
        SecurityContactSnapshot b2 = byId.get(id("b", 2));
        assertThat(b2.getTenantId()).isEqualTo(B);
        assertThat(b2.getTenantName()).isEqualTo("Fabrikam");
        assertThat(b2.getReadThroughTenantId()).isEqualTo(B);
        SecurityContactSnapshot a1 = byId.get(id("a", 1));
        assertThat(a1.getTenantId()).isEqualTo(A);
        assertThat(a1.getTenantName()).isEqualTo("Contoso");
        assertThat(a1.getReadThroughTenantId()).isEqualTo(A);
        assertThat(summary.tenants())
                .extracting(RunSummary.TenantRun::line)
                .containsExactly("Contoso listed 3, read 2", "Fabrikam listed 2, read 2");
        assertThat(summary.line()).contains("tenants: Contoso listed 3, read 2; Fabrikam listed 2, read 2");
    }

    @Test
    void aDelegatedSubscriptionIsReadThroughTheManagingTenantWhenItsOwnIsNotConfigured() throws Exception {
        Recorder sink = new Recorder();
        collector(tenant(A, "Contoso", null)).run(sink, Map.of(), Collector.Progress.NONE);

        SecurityContactSnapshot b2 = sink.byId().get(id("b", 2));
        assertThat(b2.getStatus()).isEqualTo(CollectionStatus.OK);
        assertThat(b2.getTenantId()).isEqualTo(B);
        assertThat(b2.getTenantName()).isNull(); // B is not in the tenants file
        assertThat(b2.getReadThroughTenantId()).isEqualTo(A);
        assertThat(sink.byId()).doesNotContainKey(id("b", 1)); // not delegated: invisible to A
    }

    @Test
    void aTenantWhoseAuthFailsGetsErrorSnapshotsForItsKnownSubscriptionsAndTheOthersAreCollectedAndRemovedAsUsual()
            throws Exception {
        arm.failAuth(C);
        Map<String, KnownSubscriptions.Known> known = new HashMap<>();
        known.put(id("c", 1), KnownSubscriptions.Known.of(C));
        known.put(id("c", 2), new KnownSubscriptions.Known(C, C));
        known.put(id("a", 9), new KnownSubscriptions.Known(A, A)); // gone from A, which listed completely
        known.put(id("b", 9), new KnownSubscriptions.Known(B, A)); // was read through A (delegated), gone
        known.put(id("x", 1), KnownSubscriptions.Known.of(X)); // a tenant no identity here reads: another's
        Recorder sink = new Recorder();

        RunSummary summary = collector(tenant(A, "Contoso", null), tenant(C, "Woodgrove", null))
                .run(sink, known, Collector.Progress.NONE);

        assertThat(sink.removed).containsExactlyInAnyOrder(id("a", 9), id("b", 9));
        Map<String, SecurityContactSnapshot> byId = sink.byId();
        for (String c : List.of(id("c", 1), id("c", 2))) {
            SecurityContactSnapshot s = byId.get(c);
            assertThat(s.getStatus()).isEqualTo(CollectionStatus.ERROR);
            assertThat(s.getTenantId()).isEqualTo(C);
            assertThat(s.getTenantName()).isEqualTo("Woodgrove");
            assertThat(s.getReadThroughTenantId()).isEqualTo(C);
            assertThat(s.getErrorMessage())
                    .contains("tenant Woodgrove (" + C + ") could not be listed")
                    .contains("AADSTS7000215");
        }
        assertThat(byId.get(id("a", 1)).getStatus()).isEqualTo(CollectionStatus.OK);
        assertThat(byId.get(id("b", 2)).getStatus()).isEqualTo(CollectionStatus.OK);
        assertThat(byId).doesNotContainKey(id("x", 1));
        assertThat(summary.unlistedTenants())
                .extracting(RunSummary.TenantRun::tenantId)
                .containsExactly(C);
        assertThat(summary.line()).contains("Woodgrove NOT LISTED");
        assertThat(summary.byStatus()).containsEntry(CollectionStatus.ERROR, 2).containsEntry(CollectionStatus.OK, 3);

        // the secret is fixed: the tenant is read again, nothing of it was ever removed
        arm.restoreAuth(C);
        Recorder again = new Recorder();
        Collector fixed = collector(tenant(A, "Contoso", null), tenant(C, "Woodgrove", null));
        fixed.run(again, known, Collector.Progress.NONE);
        assertThat(again.byId().get(id("c", 1)).getStatus()).isEqualTo(CollectionStatus.OK);
        assertThat(again.removed).contains(id("c", 2)).doesNotContain(id("x", 1));
    }

    @Test
    void seeingATenantsDelegatedSubscriptionIsNotListingThatTenantSoItsOthersAreNotRemoved() throws Exception {
        Map<String, KnownSubscriptions.Known> known = new HashMap<>();
        known.put(id("b", 1), new KnownSubscriptions.Known(B, B)); // read by B's identity, in another collector now
        known.put(id("b", 7), KnownSubscriptions.Known.of(B)); // of an earlier release: no reading tenant
        Recorder sink = new Recorder();

        collector(tenant(A, "Contoso", null)).run(sink, known, Collector.Progress.NONE);

        assertThat(sink.byId()).containsKey(id("b", 2)); // B's delegated one, through A
        assertThat(sink.removed).isEmpty();
        assertThat(sink.byId()).doesNotContainKeys(id("b", 1), id("b", 7));
    }

    @Test
    void aFailedTenantGivesErrorsOnlyToTheSubscriptionsThisCollectorReads() throws Exception {
        arm.failAuth(C);
        Map<String, KnownSubscriptions.Known> known = new HashMap<>();
        known.put(id("c", 1), new KnownSubscriptions.Known(C, C));
        known.put(id("c", 2), new KnownSubscriptions.Known(C, C)); // another collector's slice of C
        Recorder sink = new Recorder();
        TenantsFile.Entry sliced = new TenantsFile.Entry(
                C, "Woodgrove", "client-secret", "app", "SECRET_Woodgrove", null, null, null, null, "^c0000002", null);

        collector(sliced).run(sink, known, Collector.Progress.NONE);

        assertThat(sink.byId()).containsOnlyKeys(id("c", 1));
        assertThat(sink.byId().get(id("c", 1)).getStatus()).isEqualTo(CollectionStatus.ERROR);
        assertThat(sink.removed).isEmpty();
    }

    @Test
    void aFailedTenantsFilterOnNamesItHasNotSeenYetGivesErrorRatherThanLeaveAPassStanding() throws Exception {
        arm.failAuth(C);
        Map<String, KnownSubscriptions.Known> known = Map.of(id("c", 1), new KnownSubscriptions.Known(C, C));
        TenantsFile.Entry byName = new TenantsFile.Entry(
                C, "Woodgrove", "client-secret", "app", "SECRET_Woodgrove", null, null, null, "^sub ", null, null);
        Recorder sink = new Recorder();

        // a first run: no listing has named c1 yet, so the include on names cannot be judged
        collector(byName).run(sink, known, Collector.Progress.NONE);

        assertThat(sink.byId().get(id("c", 1)).getStatus()).isEqualTo(CollectionStatus.ERROR);
    }

    @Test
    void aThrottlingTenantIsWaitedForWithRetryAfterAndAPacedOneMeetsNo429() throws Exception {
        List<Scenario.Subscription> subs = new ArrayList<>(estate().subscriptions());
        for (int i = 1; i <= 12; i++) {
            subs.add(sub(id("d", i), C));
        }
        arm.scenario(new Scenario(A, 100, 0, subs));
        arm.limitTenantReads(C, 4, 4); // every read of tenant C's identity: a bucket of 4 refilled at 4/s

        Recorder sink = new Recorder();
        RunSummary unpaced = collector(tenant(A, "Contoso", null), tenant(C, "Woodgrove", 0))
                .run(sink, Map.of(), Collector.Progress.NONE);
        assertThat(unpaced.byStatus()).containsEntry(CollectionStatus.OK, 16).hasSize(1);
        assertThat(arm.throttledReads(C)).isPositive();
        assertThat(arm.throttledReads(A)).isZero();
        assertThat(unpaced.throttledResponses()).isEqualTo(arm.throttledReads(C));

        int before = arm.throttledReads(C);
        arm.limitTenantReads(C, 4, 4); // a full bucket again
        // paced within the tenant's limit, with a margin as the README advises (a burst of 200 against Resource
        // Manager's 250): a bucket of 3, 3 reads a second. A bucket as large as the endpoint's (4) left none: a burst
        // sent at once but delayed on its way (a new connection) arrives after the endpoint's bucket stopped filling,
        // and the next paced read met a 429 (seen once in CI: 19 throttled reads against 18)
        RunSummary paced = collector(
                        ContactAuditConfig.of(Map.of(ContactAuditConfig.TENANT_READS_BURST_CONFIG, "3")),
                        tenant(A, "Contoso", null),
                        tenant(C, "Woodgrove", 3))
                .run(new Recorder(), Map.of(), Collector.Progress.NONE);
        assertThat(paced.byStatus()).containsEntry(CollectionStatus.OK, 16).hasSize(1);
        assertThat(arm.throttledReads(C)).isEqualTo(before);
        assertThat(paced.throttledResponses()).isZero();
    }

    @Test
    void explicitSubscriptionsNameNoTenantSoSeveralTenantsRefuseThem() {
        ContactAuditConfig config = ContactAuditConfig.of(Map.of());
        List<Collector.Source> sources = CollectorApp.sources(
                config,
                new TenantsFile(List.of(tenant(A, "Contoso", null), tenant(B, "Fabrikam", null))),
                ENV,
                arm.endpoint(),
                arm.clientSslContext());
        Collector.Settings explicit =
                new Collector.Settings(Collector.DEFAULT_API_VERSION, 4, List.of(id("a", 1)), null, null, 50);
        assertThatThrownBy(() -> new Collector(sources, explicit, Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("include/exclude");
    }

    @Test
    void aTenantsFileIsCheckedWholeAndNamesEachProblemsTenant(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("tenants.yaml");
        Files.writeString(file, """
                tenants:
                  - id: not-a-guid
                  - id: AAAAAAAA-0000-4000-8000-000000000001
                    name: Contoso
                    credential: client-secret
                    clientId: app
                  - id: aaaaaaaa-0000-4000-8000-000000000001
                    name: Contoso again
                    credential: certificate
                    include: '(['
                """);
        assertThatThrownBy(() -> TenantsFile.read(file))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("tenant 1: id must be the tenant's id, a GUID, got 'not-a-guid'")
                .hasMessageContaining("tenant 2 (Contoso): credential client-secret needs clientSecretEnv")
                .hasMessageContaining("tenant 3 (Contoso again): listed twice")
                .hasMessageContaining("tenant 3 (Contoso again): credential must be one of")
                .hasMessageContaining("tenant 3 (Contoso again): include is not a valid regular expression");

        Files.writeString(file, "tenants:\n  - id: " + A + "\n    secret: inline\n");
        assertThatThrownBy(() -> TenantsFile.read(file))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("is not a tenants file")
                .hasMessageContaining("secret");

        Files.writeString(
                file,
                "tenants:\n  - id: " + A + "\n    name: Contoso\n    credential: client-secret\n    clientId: app\n"
                        + "    clientSecretEnv: CONTOSO_SECRET\n    readsPerSecond: 10\n");
        TenantsFile ok = TenantsFile.read(file);
        assertThat(ok.tenants()).singleElement().satisfies(t -> {
            assertThat(t.tenantId()).isEqualTo(A);
            assertThat(t.displayName()).isEqualTo("Contoso");
            assertThat(t.readsPerSecond()).isEqualTo(10);
        });
        // the secret itself is read from the environment, and its absence is named
        assertThatThrownBy(() -> CollectorApp.sources(
                        ContactAuditConfig.of(Map.of()), ok, Map.of(), arm.endpoint(), arm.clientSslContext()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("tenant Contoso (" + A + "), credential client-secret needs the environment"
                        + " variable CONTOSO_SECRET");
    }
}

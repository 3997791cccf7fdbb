package io.contactaudit.remediate;

import static org.assertj.core.api.Assertions.assertThat;

import io.contactaudit.collector.ArmClient;
import io.contactaudit.collector.Collector;
import io.contactaudit.collector.Credentials;
import io.contactaudit.collector.SnapshotSink;
import io.contactaudit.demo.ContactRenderer;
import io.contactaudit.demo.FakeArm;
import io.contactaudit.demo.Scenario;
import io.contactaudit.exceptions.Exceptions;
import io.contactaudit.rule.HighSeverityAlertEmailRule;
import io.contactaudit.rule.Profile;
import io.contactaudit.schema.ComplianceException;
import io.contactaudit.schema.ExceptionCategory;
import io.contactaudit.schema.SecurityContactSnapshot;
import io.contactaudit.schema.Verdict;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Apply through the real Azure SDK client against the local fake Resource Manager: write, read again, verify. */
class RemediatorTest {

    static final String FAILING = "1c5a8d3f-9b8e-4d22-8b4f-6a7f8e9d0c1b";

    FakeArm arm;
    final List<SecurityContactSnapshot> published = new CopyOnWriteArrayList<>();
    Remediator remediator;

    @BeforeEach
    void start() throws Exception {
        arm = FakeArm.start(new Scenario(
                "11111111-2222-3333-4444-555555555555",
                100,
                0,
                List.of(new Scenario.Subscription(
                        FAILING,
                        "dev",
                        "Enabled",
                        ContactRenderer.V2020,
                        List.of(new Scenario.Contact(
                                "default", true, List.of("dev@contoso.com"), "Off", List.of("Owner"), null)),
                        null,
                        null,
                        null,
                        null))));
        ArmClient client = new ArmClient(
                ArmClient.Settings.defaults().withEndpoint(arm.endpoint()),
                Credentials.fixed("test"),
                arm.clientSslContext(),
                Clock.systemUTC());
        SnapshotSink sink = new SnapshotSink() {
            @Override
            public CompletableFuture<Void> publish(SecurityContactSnapshot snapshot) {
                published.add(snapshot);
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public CompletableFuture<Void> remove(String subscriptionId) {
                return CompletableFuture.completedFuture(null);
            }
        };
        remediator = new Remediator(
                new Collector(client, Collector.Settings.defaults(), Clock.systemUTC()),
                client,
                Profile.DEFAULT,
                "High",
                List.of(),
                sink);
    }

    @AfterEach
    void stop() {
        arm.close();
    }

    @Test
    void appliedThenReadAgainAndPublishedWithTheRemediationsId() {
        Remediator.Outcome outcome = remediator.apply(FAILING);

        assertThat(outcome.error()).isNull();
        assertThat(outcome.status()).isEqualTo(200);
        assertThat(outcome.verdict()).isEqualTo(Verdict.PASS);
        assertThat(arm.scenario().subscriptions().get(0).contacts())
                .singleElement()
                .satisfies(c -> {
                    assertThat(c.alerts()).isEqualTo("High");
                    assertThat(c.emails()).containsExactly("dev@contoso.com");
                    assertThat(c.roles()).containsExactly("Owner");
                });
        assertThat(published).singleElement().satisfies(s -> {
            assertThat(s.getTriggerEventId()).isEqualTo(outcome.remediationId());
            assertThat(s.getTriggerEventTime()).isNotNull();
        });
        assertThat(remediator.apply(FAILING).plan().action())
                .as("nothing left to do")
                .isEqualTo(ContactFix.Action.NONE);
    }

    @Test
    void anIdentityThatMayNotWriteGetsAnErrorNamingThePermission() {
        arm.denyWrites(FAILING);

        Remediator.Outcome outcome = remediator.apply(FAILING);

        assertThat(outcome.status()).isEqualTo(403);
        assertThat(outcome.error()).contains("Microsoft.Security/securityContacts/write", "Security Admin");
        assertThat(outcome.verdict()).isNull();
        assertThat(published).as("nothing verified, nothing published").isEmpty();
        assertThat(arm.scenario().subscriptions().get(0).contacts().get(0).alerts())
                .isEqualTo("Off");
    }

    @Test
    void aConflictIsAFailedWriteWithResourceManagersMessageAndNothingVerified() {
        arm.failWrites(
                FAILING,
                List.of(new Scenario.Fault(
                        409, null, 1, "Conflict", "Another operation is in progress on the contact")));

        Remediator.Outcome outcome = remediator.apply(FAILING);

        assertThat(outcome.status()).isEqualTo(409);
        assertThat(outcome.error()).contains("Conflict").contains("Another operation is in progress");
        assertThat(RemediationRecord.result(outcome)).isEqualTo(RemediationRecord.Result.FAILED);
        assertThat(published).isEmpty();
        assertThat(arm.scenario().subscriptions().get(0).contacts().get(0).alerts())
                .isEqualTo("Off");
    }

    @Test
    void throttledWritesAreRetriedAsResourceManagerAsksAndServerErrorsFailAfterTheRetries() throws Exception {
        arm.failWrites(FAILING, List.of(new Scenario.Fault(429, "0", 1, "TooManyRequests", "Rate limit exceeded")));
        Remediator.Outcome retried = remediator.apply(FAILING);
        assertThat(retried.status()).isEqualTo(200);
        assertThat(retried.error()).isNull();
        assertThat(arm.writeRequests(FAILING)).as("the 429, then the write").isEqualTo(2);

        arm.putContact(
                FAILING,
                new Scenario.Contact("default", true, List.of("dev@contoso.com"), "Off", List.of("Owner"), null),
                ContactRenderer.V2020);
        arm.failWrites(FAILING, List.of(new Scenario.Fault(503, "0", -1, "ServiceUnavailable", "try later")));
        Remediator.Outcome failed = remediator.apply(FAILING);
        assertThat(failed.status()).isEqualTo(503);
        assertThat(failed.error()).contains("ServiceUnavailable");
        assertThat(RemediationRecord.result(failed)).isEqualTo(RemediationRecord.Result.FAILED);
        assertThat(arm.writeRequests(FAILING)).as("retried before giving up").isGreaterThan(1);
    }

    @Test
    void aSubscriptionUnderAnActiveExceptionIsNeitherReadNorWritten() {
        ComplianceException waiver = ComplianceException.newBuilder()
                .setExceptionId("ex-9")
                .setScope("/subscriptions/" + FAILING)
                .setSubscriptionId(FAILING)
                .setRuleId(HighSeverityAlertEmailRule.ID)
                .setCategory(ExceptionCategory.WAIVER)
                .setReasonCodes(List.of("ALERT_NOTIFICATIONS_OFF"))
                .setJustification("lab")
                .setRequestedBy("alice")
                .setApprovedBy("bob")
                .setApprovedAt(Instant.now())
                .setExpiresAt(Instant.now().plusSeconds(3600))
                .setCreatedAt(Instant.now())
                .setCreatedBy("test")
                .build();
        ArmClient client = new ArmClient(
                ArmClient.Settings.defaults().withEndpoint(arm.endpoint()),
                Credentials.fixed("test"),
                arm.clientSslContext(),
                Clock.systemUTC());
        Remediator respecting = new Remediator(
                new Collector(client, Collector.Settings.defaults(), Clock.systemUTC()),
                client,
                Profile.DEFAULT,
                "High",
                List.of(),
                null,
                sub -> Exceptions.activeFor(List.of(waiver), sub, HighSeverityAlertEmailRule.ID, Instant.now()));

        Remediator.Outcome outcome = respecting.apply(FAILING.toUpperCase(Locale.ROOT));

        assertThat(outcome.plan().action()).isEqualTo(ContactFix.Action.EXCEPTED);
        assertThat(outcome.plan().reason()).contains("ex-9").contains("WAIVER").contains("approved by bob");
        assertThat(RemediationRecord.result(outcome)).isEqualTo(RemediationRecord.Result.EXCEPTED);
        assertThat(arm.contactRequests(FAILING)).isZero();
        assertThat(arm.writeRequests(FAILING)).isZero();
        // revoked: fixed as any other
        waiver.setRevokedAt(Instant.now());
        assertThat(respecting.apply(FAILING).status()).isEqualTo(200);
    }
}

package io.contactaudit.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.contactaudit.demo.ContactRenderer;
import io.contactaudit.demo.FakeArm;
import io.contactaudit.demo.Scenario;
import io.contactaudit.schema.SecurityContactSnapshot;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.internals.AutoOffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The trigger's de-duplication: one write is one read, but one deployment's writes to several subscriptions are several. */
class EventTriggerTest {

    static final String A = "0b4f7c2e-8a7d-4c11-9a3e-5f6e7d8c9b0a";
    static final String B = "9d0e1f2a-4b5c-6d7e-8f90-a1b2c3d4e5f6";
    static final String CORRELATION = "7c3e1f0a-55b2-4a41-9e0e-3b9d2c1a0f11";

    static String success(String sub, String correlation) {
        return """
                {"time": "2026-03-01T10:00:00.9876543Z",
                 "resourceId": "/SUBSCRIPTIONS/%s/PROVIDERS/MICROSOFT.SECURITY/SECURITYCONTACTS/DEFAULT",
                 "operationName": "MICROSOFT.SECURITY/SECURITYCONTACTS/WRITE", "resultType": "Success",
                 "correlationId": "%s"}""".formatted(sub.toUpperCase(Locale.ROOT), correlation);
    }

    static Scenario.Subscription sub(String id) {
        return new Scenario.Subscription(
                id,
                null,
                "Enabled",
                ContactRenderer.V2023,
                List.of(new Scenario.Contact("default", true, List.of("a@contoso.com"), "High", List.of(), null)),
                null,
                null,
                null,
                null);
    }

    @Test
    void oneDeploymentWritingTwoSubscriptionsUnderOneCorrelationIdGivesTwoReads() throws Exception {
        TopicPartition hub = new TopicPartition("insights-activity-logs", 0);
        MockConsumer<byte[], byte[]> consumer = new MockConsumer<>(AutoOffsetResetStrategy.EARLIEST.name());
        List<SecurityContactSnapshot> published = new CopyOnWriteArrayList<>();
        try (FakeArm arm = FakeArm.start(new Scenario("t", 100, 0, List.of(sub(A), sub(B))))) {
            Collector collector = new Collector(
                    new ArmClient(
                            ArmClient.Settings.defaults().withEndpoint(arm.endpoint()),
                            Credentials.fixed("test"),
                            arm.clientSslContext(),
                            Clock.systemUTC()),
                    Collector.Settings.defaults(),
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
            EventTrigger trigger = new EventTrigger(
                    consumer,
                    hub.topic(),
                    Duration.ZERO, // due at once: the reads happen in the loop pass that polled the message
                    2,
                    collector,
                    sink,
                    (record, cause) -> CompletableFuture.completedFuture(null),
                    null);
            String message = "{\"records\": [" + success(A, CORRELATION) + ", " + success(B, CORRELATION) + ", "
                    + success(A, CORRELATION) + "]}";
            consumer.schedulePollTask(() -> {
                consumer.rebalance(List.of(hub));
                consumer.updateBeginningOffsets(Map.of(hub, 0L));
                consumer.addRecord(
                        new ConsumerRecord<>(hub.topic(), 0, 0, null, message.getBytes(StandardCharsets.UTF_8)));
            });
            AtomicLong committed = new AtomicLong(-1);
            consumer.schedulePollTask(() -> {
                committed.set(consumer.committed(Set.of(hub)).get(hub).offset());
                trigger.stop();
            });
            trigger.run();

            assertThat(published)
                    .extracting(SecurityContactSnapshot::getSubscriptionId)
                    .containsExactlyInAnyOrder(A, B);
            assertThat(published)
                    .allSatisfy(s -> assertThat(s.getTriggerEventId()).isEqualTo(CORRELATION));
            assertThat(trigger.stats().duplicates.get())
                    .as("A's write reported twice")
                    .isEqualTo(1);
            assertThat(committed.get()).as("committed once both are read").isEqualTo(1);
        }
    }
}

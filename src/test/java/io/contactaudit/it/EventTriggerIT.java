package io.contactaudit.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.contactaudit.app.CollectorApp;
import io.contactaudit.app.EvaluatorApp;
import io.contactaudit.app.KafkaSetup;
import io.contactaudit.collector.Collector;
import io.contactaudit.collector.EventTrigger;
import io.contactaudit.collector.SnapshotPublisher;
import io.contactaudit.collector.SnapshotSink;
import io.contactaudit.config.ContactAuditConfig;
import io.contactaudit.demo.ChangeFeed;
import io.contactaudit.demo.ContactRenderer;
import io.contactaudit.demo.FakeArm;
import io.contactaudit.demo.Scenario;
import io.contactaudit.kafka.Topics;
import io.contactaudit.schema.DeadLetter;
import io.contactaudit.schema.DriftEvent;
import io.contactaudit.schema.DriftKind;
import io.contactaudit.schema.SecurityContactSnapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Change-triggered collection end to end on a real broker standing in for the Event Hub: Azure's event shapes with their
 * quirks (null keys, upper case, Start and Success records, the same write from the Activity Log and Event Grid, other
 * resources, garbage) become exactly one new read of each changed subscription in scope, marked with the change.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EventTriggerIT {

    static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    static final String A = "0b4f7c2e-8a7d-4c11-9a3e-5f6e7d8c9b0a";
    static final String B = "9d0e1f2a-4b5c-6d7e-8f90-a1b2c3d4e5f6";
    static final String OUT = "5b1c2e0a-3f7d-4b8e-9a61-0c2d4e6f8a10";

    static Scenario tenant(String alertsOfA) {
        return new Scenario(TENANT, 100, 0, List.of(sub(A, alertsOfA), sub(B, "High"), sub(OUT, "High")));
    }

    static Scenario.Subscription sub(String id, String alerts) {
        return new Scenario.Subscription(
                id,
                "sub-" + id.substring(0, 4),
                "Enabled",
                "2023",
                List.of(new Scenario.Contact(
                        "default", true, List.of("secops@contoso.com"), alerts, List.of("Owner"), null)),
                null,
                null,
                null,
                null);
    }

    static String event(String name) throws Exception {
        return Files.readString(Path.of("src/test/resources/events", name));
    }

    /** An Event Grid write of a security contact, as a one-element array. */
    static String eventGridWrite(String sub, String correlationId) {
        return """
                [{"subject": "/subscriptions/%1$s/providers/Microsoft.Security/securityContacts/default",
                  "eventType": "Microsoft.Resources.ResourceWriteSuccess", "id": "%2$s-eg", "eventTime": "%3$s",
                  "data": {"correlationId": "%2$s", "operationName": "Microsoft.Security/securityContacts/write",
                           "resourceUri": "/subscriptions/%1$s/providers/Microsoft.Security/securityContacts/default",
                           "status": "Succeeded", "subscriptionId": "%1$s", "tenantId": "%4$s"}}]""".formatted(sub, correlationId, Instant.now(), TENANT);
    }

    @Test
    void eachChangeInScopeIsReadOnceAndMarkedWithTheChange() throws Exception {
        String bootstrap = TestKafka.bootstrapServers();
        String prefix = TestKafka.uniquePrefix("events");
        String hub = prefix + ".insights-activity-logs";
        ContactAuditConfig config = ContactAuditConfig.of(Map.of(
                ContactAuditConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ContactAuditConfig.TOPIC_PREFIX_CONFIG,
                prefix,
                ContactAuditConfig.TOPICS_PARTITIONS_CONFIG,
                "1",
                ContactAuditConfig.EXCLUDE_CONFIG,
                "^" + OUT + "$",
                ContactAuditConfig.EVENTS_ENABLED_CONFIG,
                "true",
                ContactAuditConfig.EVENTS_TOPIC_CONFIG,
                hub,
                ContactAuditConfig.EVENTS_GROUP_ID_CONFIG,
                prefix + "-events",
                ContactAuditConfig.EVENTS_DEBOUNCE_CONFIG,
                "PT0.5S"));
        Topics topics = KafkaSetup.topics(config);
        KafkaSetup.prepare(config, topics);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(hub, 2, (short) 1))).all().get();
        }

        try (FakeArm arm = FakeArm.start(tenant("High"));
                CollectorApp app = CollectorApp.create(
                        config,
                        topics,
                        CollectorApp.arm(config, arm.endpoint(), arm.clientSslContext()),
                        Collector.Progress.NONE)) {
            assertThat(app.once().publishedAll()).isTrue(); // the poll: A and B, not the excluded one
            arm.resetCounts();
            EventTrigger trigger = app.trigger();
            Thread consuming = new Thread(trigger, "events");
            consuming.start();
            try {
                arm.scenario(tenant("Off")); // someone switches A's alert e-mails off
                try (KafkaProducer<byte[], byte[]> hubProducer = TestKafka.producer(
                        Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer())) {
                    String correlation =
                            "7c3e1f0a-55b2-4a41-9e0e-3b9d2c1a0f11"; // the Activity Log fixture's write of A
                    for (String value : List.of(
                            event("activity-log-write.json"),
                            eventGridWrite(A, correlation),
                            event("activity-log-write.json"),
                            event("event-grid-other-resource.json"),
                            "garbage",
                            eventGridWrite(OUT, "c0ffee00-0000-4000-8000-000000000001"),
                            eventGridWrite(B, "b0000000-0000-4000-8000-000000000001"),
                            eventGridWrite(B, "b0000000-0000-4000-8000-000000000002"),
                            eventGridWrite(B, "b0000000-0000-4000-8000-000000000003"))) {
                        hubProducer
                                .send(new ProducerRecord<>(hub, null, value.getBytes(StandardCharsets.UTF_8)))
                                .get();
                    }
                }

                List<ConsumerRecord<String, SecurityContactSnapshot>> snapshots = TestKafka.readCommitted(
                        topics.snapshots().name(),
                        Serdes.String().deserializer(),
                        topics.snapshots().value().deserializer(),
                        4,
                        Duration.ofSeconds(60));
                List<SecurityContactSnapshot> triggered = snapshots.stream()
                        .map(ConsumerRecord::value)
                        .filter(s -> s.getTriggerEventId() != null)
                        .toList();
                assertThat(triggered)
                        .extracting(SecurityContactSnapshot::getSubscriptionId)
                        .containsExactlyInAnyOrder(A, B);
                SecurityContactSnapshot a = triggered.stream()
                        .filter(s -> s.getSubscriptionId().equals(A))
                        .findFirst()
                        .orElseThrow();
                assertThat(a.getTriggerEventId()).isEqualTo("7c3e1f0a-55b2-4a41-9e0e-3b9d2c1a0f11");
                assertThat(a.getTriggerEventTime()).isEqualTo(Instant.parse("2026-03-01T10:00:00.987Z"));
                assertThat(a.getRawBodies().get(0)).doesNotContain("\"sourceType\":\"Alert\"");
                assertThat(a.getCollectionIntervalMs())
                        .isEqualTo(config.collectionInterval().toMillis());
                assertThat(a.getSubscriptionName())
                        .as("the name from the last listing")
                        .isEqualTo("sub-0b4f");
                assertThat(arm.contactRequests(A))
                        .as("A read once for two reports of one write, delivered twice")
                        .isEqualTo(1);
                assertThat(arm.contactRequests(B))
                        .as("three writes of B within the debounce: one read")
                        .isEqualTo(1);
                assertThat(arm.contactRequests(OUT)).as("out of scope").isZero();

                List<ConsumerRecord<byte[], DeadLetter>> letters = TestKafka.readCommitted(
                        topics.dlq().name(),
                        Serdes.ByteArray().deserializer(),
                        topics.dlq().value().deserializer(),
                        1,
                        Duration.ofSeconds(30));
                assertThat(letters).hasSize(1);
                assertThat(letters.get(0).value().getSourceTopic()).isEqualTo(hub);
                assertThat(letters.get(0).value().getErrorMessage()).contains("not JSON");

                EventTrigger.Stats stats = trigger.stats();
                assertThat(stats.received.get()).isEqualTo(9);
                assertThat(stats.malformed.get()).isEqualTo(1);
                assertThat(stats.duplicates.get())
                        .as("the second delivery and the Event Grid report of A's write")
                        .isEqualTo(2);
                assertThat(stats.outOfScope.get()).isEqualTo(1);
                assertThat(stats.triggeredReads.get()).isEqualTo(2);
                assertThat(stats.ignored.get())
                        .as("Start and failed records, other resources and operations")
                        .isEqualTo(3 + 3 + 2);

                // offsets are committed once the snapshots are acknowledged: a restart reads no trigger twice
                try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(
                                        prefix + "-events")
                                .partitionsToOffsetAndMetadata()
                                .get();
                        assertThat(committed.values().stream()
                                        .mapToLong(OffsetAndMetadata::offset)
                                        .sum())
                                .isEqualTo(9);
                    });
                }
            } finally {
                trigger.stop();
                consuming.join(10_000);
            }
            assertThat(consuming.isAlive()).isFalse();
        }
    }

    /**
     * The trigger reads a changed subscription and its snapshot is written, but the acknowledgement never reaches it (a
     * crash between read and commit): nothing is committed, the next trigger of the group reads the change again and
     * publishes the snapshot again, and the evaluator turns the two into one drift event.
     */
    @Test
    void aCrashBetweenReadAndCommitLosesNoTriggerAndTheReplayMakesNoSecondDrift(@TempDir Path dir) throws Exception {
        String bootstrap = TestKafka.bootstrapServers();
        String prefix = TestKafka.uniquePrefix("events-crash");
        String hub = prefix + ".insights-activity-logs";
        String group = prefix + "-events";
        ContactAuditConfig config = ContactAuditConfig.of(Map.of(
                ContactAuditConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ContactAuditConfig.TOPIC_PREFIX_CONFIG,
                prefix,
                ContactAuditConfig.TOPICS_PARTITIONS_CONFIG,
                "1",
                ContactAuditConfig.STATE_DIR_CONFIG,
                dir.resolve("state").toString(),
                ContactAuditConfig.EXCLUDE_CONFIG,
                "^" + OUT + "$"));
        Topics topics = KafkaSetup.topics(config);
        KafkaSetup.prepare(config, topics);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(hub, 1, (short) 1))).all().get();
        }

        try (FakeArm arm = FakeArm.start(tenant("High"));
                ChangeFeed feed = ChangeFeed.start(arm, config.kafkaClientProperties(), hub);
                SnapshotPublisher publisher =
                        SnapshotPublisher.create(config.kafkaClientProperties(), topics.snapshots());
                EvaluatorApp evaluator = EvaluatorApp.create(config, topics);
                CollectorApp app = CollectorApp.create(
                        config,
                        topics,
                        CollectorApp.arm(config, arm.endpoint(), arm.clientSslContext()),
                        Collector.Progress.NONE)) {
            evaluator.start();
            assertThat(app.once().publishedAll()).isTrue();
            Collector collector = new Collector(
                    CollectorApp.arm(config, arm.endpoint(), arm.clientSslContext()),
                    CollectorApp.settings(config),
                    Clock.systemUTC());

            // someone switches A's alert e-mails off through Resource Manager; Azure reports it on the hub
            assertThat(arm.putContact(
                            A, tenant("Off").subscriptions().get(0).contacts().get(0), ContactRenderer.V2023))
                    .isEqualTo(200);
            assertThat(feed.messages()).isEqualTo(3);

            SnapshotSink ackLost = new SnapshotSink() {
                @Override
                public CompletableFuture<Void> publish(SecurityContactSnapshot snapshot) {
                    return publisher
                            .publish(snapshot)
                            .thenCompose(written -> CompletableFuture.failedFuture(
                                    new IOException("the process died before it heard the acknowledgement")));
                }

                @Override
                public CompletableFuture<Void> remove(String subscriptionId) {
                    return publisher.remove(subscriptionId);
                }
            };
            EventTrigger crashing = trigger(config, hub, group, collector, ackLost);
            Thread first = new Thread(crashing, "events-crashing");
            first.setUncaughtExceptionHandler((t, e) -> {});
            first.start();
            first.join(60_000);
            assertThat(crashing.failure()).hasMessageContaining("acknowledgement");
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                assertThat(admin.listConsumerGroupOffsets(group)
                                .partitionsToOffsetAndMetadata()
                                .get()
                                .values())
                        .as("nothing committed past the message of the change (the Start record before it may be)")
                        .allSatisfy(o -> assertThat(o == null ? 0 : o.offset()).isLessThanOrEqualTo(1));
            }

            EventTrigger restarted = trigger(config, hub, group, collector, publisher);
            Thread second = new Thread(restarted, "events-restarted");
            second.start();
            try {
                List<SecurityContactSnapshot> triggered = TestKafka.readCommitted(
                                topics.snapshots().name(),
                                Serdes.String().deserializer(),
                                topics.snapshots().value().deserializer(),
                                4,
                                Duration.ofSeconds(60))
                        .stream()
                        .map(ConsumerRecord::value)
                        .filter(snapshot -> snapshot.getTriggerEventId() != null)
                        .toList();
                assertThat(triggered)
                        .as("the change read again: at least once")
                        .hasSize(2)
                        .allSatisfy(snapshot ->
                                assertThat(snapshot.getSubscriptionId()).isEqualTo(A))
                        .extracting(SecurityContactSnapshot::getTriggerEventId)
                        .containsOnly(triggered.get(0).getTriggerEventId());
                try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                    await().atMost(Duration.ofSeconds(30))
                            .untilAsserted(() -> assertThat(admin
                                            .listConsumerGroupOffsets(group)
                                            .partitionsToOffsetAndMetadata()
                                            .get()
                                            .values()
                                            .stream()
                                            .mapToLong(OffsetAndMetadata::offset)
                                            .sum())
                                    .isEqualTo(3));
                    await().atMost(Duration.ofSeconds(60))
                            .until(() -> EvaluatorApp.unprocessed(admin, config, topics) == 0);
                }
                List<DriftEvent> drift = TestKafka.readCommitted(
                                topics.drift().name(),
                                Serdes.String().deserializer(),
                                topics.drift().value().deserializer(),
                                1,
                                Duration.ofSeconds(30))
                        .stream()
                        .map(ConsumerRecord::value)
                        .filter(d -> d.getSubscriptionId().equals(A))
                        .toList();
                assertThat(drift)
                        .as("one drift event for one change")
                        .singleElement()
                        .satisfies(d -> {
                            assertThat(d.getKind()).isEqualTo(DriftKind.REGRESSED);
                            assertThat(d.getTriggerEventId())
                                    .isEqualTo(triggered.get(0).getTriggerEventId());
                        });
            } finally {
                restarted.stop();
                second.join(10_000);
            }
        }
    }

    static EventTrigger trigger(
            ContactAuditConfig config, String hub, String group, Collector collector, SnapshotSink sink) {
        Map<String, Object> props = new HashMap<>(config.eventsClientProperties());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return new EventTrigger(
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer()),
                hub,
                Duration.ofMillis(200),
                4,
                collector,
                sink,
                (record, cause) -> CompletableFuture.failedFuture(new IllegalStateException(cause)),
                config.collectionInterval());
    }
}

package io.contactaudit.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.contactaudit.app.CollectorApp;
import io.contactaudit.app.EvaluatorApp;
import io.contactaudit.app.KafkaSetup;
import io.contactaudit.collector.ArmClient;
import io.contactaudit.collector.Collector;
import io.contactaudit.collector.SnapshotPublisher;
import io.contactaudit.config.ContactAuditConfig;
import io.contactaudit.demo.ContactRenderer;
import io.contactaudit.demo.FakeArm;
import io.contactaudit.demo.Scenario;
import io.contactaudit.kafka.Topics;
import io.contactaudit.remediate.RemediationWatch;
import io.contactaudit.remediate.Remediator;
import io.contactaudit.rule.Profile;
import io.contactaudit.schema.DriftEvent;
import io.contactaudit.schema.DriftKind;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code remediate --watch} on a real broker with the evaluator running: a REGRESSED subscription on the allow-list is
 * fixed and its REMEDIATED names the remediation; one not on the list is left alone; one that regresses again right
 * after its fix is CONTESTED and not fought. Every decision is on the remediations topic.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RemediationWatchIT {

    static final String ALLOWED = "a0000000-0000-4000-8000-000000000001";
    static final String OTHER = "b0000000-0000-4000-8000-000000000002";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    static Scenario.Subscription sub(String id) {
        return new Scenario.Subscription(
                id,
                "sub-" + id.charAt(0),
                "Enabled",
                ContactRenderer.V2023,
                List.of(new Scenario.Contact("default", true, List.of("secops@contoso.com"), "High", List.of(), null)),
                null,
                null,
                null,
                null);
    }

    @Test
    void fixesTheAllowedLeavesTheOthersAndDoesNotFightAContestedOne() throws Exception {
        String bootstrap = TestKafka.bootstrapServers();
        String prefix = TestKafka.uniquePrefix("watch");
        ContactAuditConfig config = ContactAuditConfig.of(Map.of(
                ContactAuditConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ContactAuditConfig.TOPIC_PREFIX_CONFIG,
                prefix,
                ContactAuditConfig.STATE_DIR_CONFIG,
                dir.resolve("state").toString()));
        Topics topics = KafkaSetup.topics(config);
        KafkaSetup.prepare(config, topics);
        Scenario.Contact off =
                new Scenario.Contact("default", true, List.of("secops@contoso.com"), "Off", List.of(), null);

        try (FakeArm arm = FakeArm.start(new Scenario("t", 100, 0, List.of(sub(ALLOWED), sub(OTHER))));
                EvaluatorApp evaluator = EvaluatorApp.create(config, topics);
                CollectorApp collector = CollectorApp.create(
                        config,
                        topics,
                        CollectorApp.arm(config, arm.endpoint(), arm.clientSslContext()),
                        Collector.Progress.NONE);
                SnapshotPublisher verified =
                        SnapshotPublisher.create(config.kafkaClientProperties(), topics.snapshots());
                KafkaProducer<String, byte[]> audit =
                        TestKafka.producer(new StringSerializer(), new ByteArraySerializer())) {
            evaluator.start();
            assertThat(collector.once().publishedAll()).isTrue();

            ArmClient client = CollectorApp.arm(config, arm.endpoint(), arm.clientSslContext());
            Remediator remediator = new Remediator(
                    new Collector(client, CollectorApp.settings(config), Clock.systemUTC()),
                    client,
                    Profile.DEFAULT,
                    "High",
                    List.of(),
                    verified);
            Map<String, Object> props = new HashMap<>(config.kafkaClientProperties());
            props.put(ConsumerConfig.GROUP_ID_CONFIG, prefix + "-remediate");
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            RemediationWatch watch = new RemediationWatch(
                    new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer()),
                    topics.drift(),
                    remediator,
                    (sub, record) -> {
                        try {
                            audit.send(new ProducerRecord<>(
                                            topics.remediations().name(), sub, record))
                                    .get();
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    },
                    new RemediationWatch.Settings(ALLOWED::equals, 3, Duration.ofHours(1), Duration.ofHours(1)),
                    "it",
                    Clock.systemUTC());
            Thread watching = new Thread(watch, "watch");
            watching.start();
            try {
                // someone switches both off; the next poll sees it
                arm.putContact(ALLOWED, off, ContactRenderer.V2023);
                arm.putContact(OTHER, off, ContactRenderer.V2023);
                assertThat(collector.once().publishedAll()).isTrue();

                List<JsonNode> records = awaitRecords(topics, 1);
                JsonNode fix = records.get(0);
                assertThat(fix.get("subscriptionId").asText()).isEqualTo(ALLOWED);
                assertThat(fix.get("result").asText()).isEqualTo("VERIFIED");
                assertThat(fix.get("mode").asText()).isEqualTo("watch");
                assertThat(fix.get("httpStatus").asInt()).isEqualTo(200);
                assertThat(fix.get("trigger").asText())
                        .as("the REGRESSED drift event it answered")
                        .isNotBlank();
                assertThat(arm.scenario()
                                .subscriptions()
                                .get(0)
                                .contacts()
                                .get(0)
                                .alerts())
                        .isEqualTo("High");

                List<DriftEvent> drift = awaitDrift(topics, 3);
                assertThat(drift)
                        .extracting(DriftEvent::getSubscriptionId, DriftEvent::getKind)
                        .containsExactlyInAnyOrder(
                                tuple(ALLOWED, DriftKind.REGRESSED),
                                tuple(OTHER, DriftKind.REGRESSED),
                                tuple(ALLOWED, DriftKind.REMEDIATED));
                assertThat(drift.stream()
                                .filter(d -> d.getKind() == DriftKind.REMEDIATED)
                                .findFirst()
                                .orElseThrow()
                                .getTriggerEventId())
                        .isEqualTo(fix.get("remediationId").asText());

                // it is switched off again right away: contested, left alone, recorded
                arm.putContact(ALLOWED, off, ContactRenderer.V2023);
                assertThat(collector.once().publishedAll()).isTrue();
                List<JsonNode> all = awaitRecords(topics, 2);
                assertThat(all.get(1).get("result").asText()).isEqualTo("CONTESTED");
                assertThat(all.get(1).get("reason").asText()).contains("after a verified fix");
                assertThat(arm.scenario()
                                .subscriptions()
                                .get(0)
                                .contacts()
                                .get(0)
                                .alerts())
                        .as("not fought")
                        .isEqualTo("Off");
                assertThat(arm.scenario()
                                .subscriptions()
                                .get(1)
                                .contacts()
                                .get(0)
                                .alerts())
                        .as("not on the allow-list")
                        .isEqualTo("Off");
            } finally {
                watch.stop();
                watching.join(10_000);
            }
        }
    }

    static List<JsonNode> awaitRecords(Topics topics, int count) {
        List<JsonNode> records = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : TestKafka.readCommitted(
                topics.remediations().name(),
                Serdes.String().deserializer(),
                Serdes.ByteArray().deserializer(),
                count,
                Duration.ofSeconds(60))) {
            try {
                records.add(JSON.readTree(r.value()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        assertThat(records).hasSize(count);
        return records;
    }

    static List<DriftEvent> awaitDrift(Topics topics, int count) {
        List<DriftEvent> drift = new ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            drift.clear();
            TestKafka.readCommitted(
                            topics.drift().name(),
                            Serdes.String().deserializer(),
                            topics.drift().value().deserializer(),
                            count,
                            Duration.ofSeconds(60))
                    .forEach(r -> drift.add(r.value()));
            return drift.size() >= count;
        });
        return drift;
    }
}

package io.contactaudit.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.contactaudit.app.KafkaSetup;
import io.contactaudit.collector.ArmClient;
import io.contactaudit.collector.Collector;
import io.contactaudit.collector.Credentials;
import io.contactaudit.collector.RunSummary;
import io.contactaudit.collector.SnapshotPublisher;
import io.contactaudit.config.ContactAuditConfig;
import io.contactaudit.demo.FakeArm;
import io.contactaudit.demo.Scenario;
import io.contactaudit.kafka.Topics;
import io.contactaudit.schema.CollectionStatus;
import io.contactaudit.schema.SecurityContactSnapshot;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;

/**
 * The collector against FakeArm and a real broker, with a subscription whose contacts are larger than a snapshot may
 * be: refused by the producer ({@code max.request.size}) or by the topic ({@code max.message.bytes}).
 */
class SnapshotPublisherIT {

    static final String TENANT = "11111111-2222-3333-4444-555555555555";
    static final String BIG = "70000000-0000-0000-0000-000000000001";
    static final String SMALL = "70000000-0000-0000-0000-000000000002";

    @Test
    void aSnapshotOverTheProducersMaxRequestSizeReachesTheTopicAsAnError() throws Exception {
        Map<String, SecurityContactSnapshot> published =
                collect("too-large-request", Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16_384), null);
        assertThat(published.get(BIG).getErrorMessage()).contains("max.request.size");
    }

    @Test
    void aSnapshotOverTheTopicsMaxMessageBytesReachesTheTopicAsAnError() throws Exception {
        Map<String, SecurityContactSnapshot> published = collect("too-large-message", Map.of(), "16384");
        assertThat(published.get(BIG).getErrorMessage()).contains("too large to publish");
    }

    /**
     * One run of the collector over a subscription with a 64 KB body (random, so that lz4 does not shrink it under the
     * topic's limit) and one with a small body; returns what reached the snapshots topic, by subscription.
     */
    Map<String, SecurityContactSnapshot> collect(String test, Map<String, Object> producer, String maxMessageBytes)
            throws Exception {
        String prefix = TestKafka.uniquePrefix(test);
        ContactAuditConfig config = ContactAuditConfig.of(Map.of(
                ContactAuditConfig.BOOTSTRAP_SERVERS_CONFIG,
                TestKafka.bootstrapServers(),
                ContactAuditConfig.TOPIC_PREFIX_CONFIG,
                prefix));
        Topics topics = Topics.create(prefix);
        KafkaSetup.prepare(config, topics);
        if (maxMessageBytes != null) {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrapServers()))) {
                ConfigResource topic = new ConfigResource(
                        ConfigResource.Type.TOPIC, topics.snapshots().name());
                admin.incrementalAlterConfigs(Map.of(
                                topic,
                                List.of(new AlterConfigOp(
                                        new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, maxMessageBytes),
                                        AlterConfigOp.OpType.SET))))
                        .all()
                        .get();
            }
        }
        byte[] noise = new byte[48_000];
        new Random(7).nextBytes(noise);
        String pad = Base64.getEncoder().encodeToString(noise);
        Scenario scenario = new Scenario(
                TENANT,
                2,
                0,
                List.of(subscription(BIG).withBody("{\"value\": [], \"pad\": \"" + pad + "\"}"), subscription(SMALL)));
        Map<String, Object> props = new HashMap<>(config.kafkaClientProperties());
        props.putAll(producer);
        RunSummary summary;
        try (FakeArm arm = FakeArm.start(scenario);
                SnapshotPublisher publisher = SnapshotPublisher.create(props, topics.snapshots())) {
            ArmClient client = new ArmClient(
                    ArmClient.Settings.defaults().withEndpoint(arm.endpoint()),
                    Credentials.fixed("it"),
                    arm.clientSslContext(),
                    Clock.systemUTC());
            summary = new Collector(client, Collector.Settings.defaults(), Clock.systemUTC())
                    .run(publisher, Map.of(), Collector.Progress.NONE);
        }
        assertThat(summary.tooLarge()).isEqualTo(1);
        assertThat(summary.publishFailures()).isZero();
        assertThat(summary.line())
                .contains("published 2 (1 too large to publish: published as ERROR without their pages), failed 0");

        List<ConsumerRecord<String, byte[]>> records = TestKafka.readCommitted(
                topics.snapshots().name(),
                Serdes.String().deserializer(),
                Serdes.ByteArray().deserializer(),
                2,
                Duration.ofSeconds(30));
        Map<String, SecurityContactSnapshot> published = records.stream()
                .map(r -> topics.snapshots().value().deserializer().deserialize(r.topic(), r.value()))
                .collect(Collectors.toMap(SecurityContactSnapshot::getSubscriptionId, Function.identity()));
        assertThat(published).containsOnlyKeys(BIG, SMALL);
        assertThat(published.get(SMALL).getStatus()).isEqualTo(CollectionStatus.OK);
        SecurityContactSnapshot big = published.get(BIG);
        assertThat(big.getStatus()).isEqualTo(CollectionStatus.ERROR);
        assertThat(big.getRawBodies()).isEmpty();
        assertThat(big.getErrorMessage()).contains("too large to publish", "max.message.bytes");
        return published;
    }

    static Scenario.Subscription subscription(String id) {
        return new Scenario.Subscription(
                id,
                "sub " + id,
                "Enabled",
                "2023-12-01-preview",
                List.of(new Scenario.Contact(
                        "default", true, List.of("secops@contoso.com"), "High", List.of("Owner"), null)),
                null,
                null,
                null,
                null);
    }
}

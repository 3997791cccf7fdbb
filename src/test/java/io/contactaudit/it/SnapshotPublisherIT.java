package io.contactaudit.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.contactaudit.app.KafkaSetup;
import io.contactaudit.collector.SnapshotPublisher;
import io.contactaudit.config.ContactAuditConfig;
import io.contactaudit.kafka.Topics;
import io.contactaudit.schema.CollectionStatus;
import io.contactaudit.schema.SecurityContactSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;

/** The collector's publisher against a real broker: a snapshot larger than the producer may send. */
class SnapshotPublisherIT {

    @Test
    void aSnapshotOverMaxRequestSizeReachesTheTopicAsAnErrorWithoutItsPages() throws Exception {
        String prefix = TestKafka.uniquePrefix("too-large");
        ContactAuditConfig config = ContactAuditConfig.of(Map.of(
                ContactAuditConfig.BOOTSTRAP_SERVERS_CONFIG,
                TestKafka.bootstrapServers(),
                ContactAuditConfig.TOPIC_PREFIX_CONFIG,
                prefix));
        Topics topics = Topics.create(prefix);
        KafkaSetup.prepare(config, topics);
        Map<String, Object> props = new HashMap<>(config.kafkaClientProperties());
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16_384);
        SecurityContactSnapshot big = SecurityContactSnapshot.newBuilder()
                .setSubscriptionId("70000000-0000-0000-0000-000000000001")
                .setRunId("run-1")
                .setCollectedAt(Instant.now().truncatedTo(ChronoUnit.MILLIS))
                .setApiVersion("2023-12-01-preview")
                .setStatus(CollectionStatus.OK)
                .setHttpStatus(200)
                .setRawBodies(List.of("{\"value\":[],\"pad\":\"" + "x".repeat(64_000) + "\"}"))
                .build();

        try (SnapshotPublisher publisher = SnapshotPublisher.create(props, topics.snapshots())) {
            publisher.publish(big).get();
        }

        List<ConsumerRecord<String, byte[]>> records = TestKafka.readCommitted(
                topics.snapshots().name(),
                Serdes.String().deserializer(),
                Serdes.ByteArray().deserializer(),
                1,
                Duration.ofSeconds(30));
        assertThat(records).singleElement().satisfies(r -> {
            assertThat(r.key()).isEqualTo("70000000-0000-0000-0000-000000000001");
            assertThat(r.timestamp()).isEqualTo(big.getCollectedAt().toEpochMilli());
            SecurityContactSnapshot published =
                    topics.snapshots().value().deserializer().deserialize(r.topic(), r.value());
            assertThat(published.getStatus()).isEqualTo(CollectionStatus.ERROR);
            assertThat(published.getRawBodies()).isEmpty();
            assertThat(published.getErrorMessage()).contains("too large to publish", "max.request.size");
        });
    }
}

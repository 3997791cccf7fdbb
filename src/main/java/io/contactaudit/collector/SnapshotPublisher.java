package io.contactaudit.collector;

import io.contactaudit.kafka.Delivery;
import io.contactaudit.kafka.TopicSpec;
import io.contactaudit.schema.SecurityContactSnapshot;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Publishes snapshots keyed by lower-case subscription id, with the run id and api-version as headers,
 * through an idempotent {@code acks=all} producer; the record timestamp is the capture time.
 */
public final class SnapshotPublisher implements SnapshotSink, AutoCloseable {

    public static final String RUN_ID_HEADER = "contact-audit-run-id";
    public static final String API_VERSION_HEADER = "contact-audit-api-version";

    private final Producer<String, SecurityContactSnapshot> producer;
    private final String topic;

    public SnapshotPublisher(Producer<String, SecurityContactSnapshot> producer, String topic) {
        this.producer = producer;
        this.topic = topic;
    }

    /** A publisher with its own Kafka producer. */
    public static SnapshotPublisher create(
            Map<String, Object> clientProperties, TopicSpec<String, SecurityContactSnapshot> topic) {
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "contact-audit-collector");
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        return new SnapshotPublisher(
                new KafkaProducer<>(
                        props, topic.key().serializer(), topic.value().serializer()),
                topic.name());
    }

    @Override
    public CompletableFuture<Void> publish(SecurityContactSnapshot snapshot) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(RUN_ID_HEADER, snapshot.getRunId().getBytes(StandardCharsets.UTF_8));
        headers.add(API_VERSION_HEADER, snapshot.getApiVersion().getBytes(StandardCharsets.UTF_8));
        String key = snapshot.getSubscriptionId().toLowerCase(Locale.ROOT);
        return send(
                new ProducerRecord<>(topic, null, snapshot.getCollectedAt().toEpochMilli(), key, snapshot, headers));
    }

    @Override
    public CompletableFuture<Void> remove(String subscriptionId) {
        return send(new ProducerRecord<>(topic, subscriptionId.toLowerCase(Locale.ROOT), null));
    }

    private CompletableFuture<Void> send(ProducerRecord<String, SecurityContactSnapshot> record) {
        return Delivery.send(producer, record);
    }

    @Override
    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close();
    }
}

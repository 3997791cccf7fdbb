package io.contactaudit.collector;

import io.contactaudit.kafka.Delivery;
import io.contactaudit.kafka.TopicSpec;
import io.contactaudit.schema.CollectionStatus;
import io.contactaudit.schema.SecurityContactSnapshot;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes snapshots keyed by lower-case subscription id, with the run id and api-version as headers,
 * through an idempotent {@code acks=all} producer; the record timestamp is the capture time.
 */
public final class SnapshotPublisher implements SnapshotSink, AutoCloseable {

    public static final String RUN_ID_HEADER = "contact-audit-run-id";
    public static final String API_VERSION_HEADER = "contact-audit-api-version";

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotPublisher.class);

    private final Producer<String, SecurityContactSnapshot> producer;
    private final AtomicLong tooLarge = new AtomicLong();
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

    /**
     * Publishes a snapshot. One too large for the producer or the topic ({@code max.request.size},
     * {@code max.message.bytes}: 1 MiB by default) is published as an ERROR snapshot saying so, without its pages (and
     * counted, {@link #tooLarge}): the subscription gets an ERROR finding, not its previous verdict until it goes stale.
     */
    @Override
    public CompletableFuture<Void> publish(SecurityContactSnapshot snapshot) {
        return send(record(snapshot)).exceptionallyCompose(e -> {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (!(cause instanceof RecordTooLargeException)
                    || snapshot.getRawBodies().isEmpty()) {
                return CompletableFuture.failedFuture(cause); // nothing to leave out: too large for another reason
            }
            LOG.warn(
                    "subscription {}: the snapshot is too large to publish, publishing it as ERROR instead: {}",
                    snapshot.getSubscriptionId(),
                    cause.getMessage());
            return send(record(tooLarge(snapshot, cause))).thenRun(tooLarge::incrementAndGet);
        });
    }

    @Override
    public long tooLarge() {
        return tooLarge.get();
    }

    /** {@code snapshot} as an ERROR snapshot without its pages, with why it could not be published. */
    static SecurityContactSnapshot tooLarge(SecurityContactSnapshot snapshot, Throwable cause) {
        return SecurityContactSnapshot.newBuilder(snapshot)
                .setStatus(CollectionStatus.ERROR)
                .setErrorMessage("the snapshot is too large to publish (" + cause.getMessage() + "); raise the "
                        + "collector's max.request.size and the snapshots topic's max.message.bytes"
                        + (snapshot.getErrorMessage() == null ? "" : "; " + snapshot.getErrorMessage()))
                .setRawBodies(List.of())
                .setContacts(List.of())
                .build();
    }

    private ProducerRecord<String, SecurityContactSnapshot> record(SecurityContactSnapshot snapshot) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(RUN_ID_HEADER, snapshot.getRunId().getBytes(StandardCharsets.UTF_8));
        headers.add(API_VERSION_HEADER, snapshot.getApiVersion().getBytes(StandardCharsets.UTF_8));
        String key = snapshot.getSubscriptionId().toLowerCase(Locale.ROOT);
        return new ProducerRecord<>(topic, null, snapshot.getCollectedAt().toEpochMilli(), key, snapshot, headers);
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

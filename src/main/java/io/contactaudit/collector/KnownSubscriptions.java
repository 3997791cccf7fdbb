package io.contactaudit.collector;

import io.contactaudit.kafka.TopicSpec;
import io.contactaudit.schema.PostureState;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The subscriptions the pipeline currently tracks, with their tenant: the live records of the compacted
 * posture topic, read to its end with read_committed, without a consumer group (nothing is committed).
 * A subscription known there, of a tenant the collector lists, but no longer listed, is announced as removed.
 */
public final class KnownSubscriptions {

    private KnownSubscriptions() {}

    /**
     * Subscription id → tenant id (null when unknown) of every key whose latest posture record is not a
     * tombstone; empty when the topic does not exist yet.
     */
    public static Map<String, String> read(
            Map<String, Object> clientProperties, TopicSpec<String, PostureState> posture, Duration timeout) {
        Map<String, String> tenants = new HashMap<>();
        postures(clientProperties, posture, timeout).forEach((sub, state) -> tenants.put(sub, state.getTenantId()));
        return tenants;
    }

    /**
     * Subscription id → current posture of every key whose latest posture record is not a tombstone; empty when the
     * topic does not exist yet.
     */
    public static Map<String, PostureState> postures(
            Map<String, Object> clientProperties, TopicSpec<String, PostureState> posture, Duration timeout) {
        String postureTopic = posture.name();
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "contact-audit-known-" + UUID.randomUUID());
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        Map<String, PostureState> live = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> partitions = consumer.partitionsFor(postureTopic, timeout);
            if (partitions == null || partitions.isEmpty()) {
                return live;
            }
            List<TopicPartition> assigned = partitions.stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            Map<TopicPartition, Long> end = consumer.endOffsets(assigned, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (assigned.stream().anyMatch(tp -> consumer.position(tp, timeout) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "reading " + postureTopic + " to its end took longer than " + timeout);
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.key() == null) {
                        continue;
                    }
                    if (record.value() == null) {
                        live.remove(record.key());
                    } else {
                        live.put(
                                record.key(), posture.value().deserializer().deserialize(postureTopic, record.value()));
                    }
                }
            }
        }
        return live;
    }
}

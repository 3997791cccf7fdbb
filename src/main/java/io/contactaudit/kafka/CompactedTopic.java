package io.contactaudit.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
 * A compacted topic read as a table: the latest value of every key, to the topic's end as of the call, with
 * read_committed and without a consumer group (nothing is committed).
 */
public final class CompactedTopic {

    private CompactedTopic() {}

    /**
     * Key → latest value of every key whose latest record is not a tombstone, in the order first seen; empty when the
     * topic does not exist yet.
     */
    public static <V> Map<String, V> latest(
            Map<String, Object> clientProperties, TopicSpec<String, V> topic, Duration timeout) {
        String name = topic.name();
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "contact-audit-table-" + UUID.randomUUID());
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        Map<String, V> live = new LinkedHashMap<>();
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> partitions = consumer.partitionsFor(name, timeout);
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
                    throw new IllegalStateException("reading " + name + " to its end took longer than " + timeout);
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.key() == null) {
                        continue;
                    }
                    if (record.value() == null) {
                        live.remove(record.key());
                    } else {
                        live.put(record.key(), topic.value().deserializer().deserialize(name, record.value()));
                    }
                }
            }
        }
        return live;
    }
}

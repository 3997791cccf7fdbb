package io.contactaudit.replay;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a bounded time range of a topic: from the offsets of {@code from} ({@code offsetsForTimes}) to
 * those of {@code to} (or the end as it is when the read starts), with read_committed, without a
 * consumer group (nothing is committed, no shared group is disturbed). Records come back in timestamp
 * order.
 */
public final class HistoryReader {

    private final Map<String, Object> clientProperties;
    private final Duration timeout;
    private final Clock clock;
    private final Map<String, Long> retentions = new java.util.concurrent.ConcurrentHashMap<>();

    public HistoryReader(Map<String, Object> clientProperties, Duration timeout, Clock clock) {
        this.clientProperties = clientProperties;
        this.timeout = timeout;
        this.clock = clock;
    }

    /** Records of {@code topic} with timestamps in [from, to), in timestamp order; undecodable values fail the read. */
    public <V> List<ConsumerRecord<String, V>> read(String topic, Deserializer<V> values, Instant from, Instant to,
                                                   LongConsumer progress) {
        if (to != null && !from.isBefore(to)) {
            throw new IllegalArgumentException("--from " + from + " is not before --to " + to);
        }
        checkRetention(topic, from);
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "contact-audit-replay");
        List<ConsumerRecord<String, V>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " does not exist");
            }
            List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            Map<TopicPartition, Long> stop = new HashMap<>(end);
            if (to != null) {
                offsets(consumer, partitions, to).forEach((tp, o) -> {
                    if (o != null) {
                        stop.put(tp, Math.min(o.offset(), end.get(tp)));
                    }
                });
            }
            Map<TopicPartition, OffsetAndTimestamp> start = offsets(consumer, partitions, from);
            List<TopicPartition> active = new ArrayList<>();
            for (TopicPartition tp : partitions) {
                OffsetAndTimestamp o = start.get(tp);
                long first = o == null ? end.get(tp) : o.offset();
                if (first < stop.get(tp)) {
                    consumer.seek(tp, first);
                    active.add(tp);
                }
            }
            consumer.assign(active);
            long deadline = System.nanoTime() + Math.max(timeout.toNanos(), Duration.ofMinutes(10).toNanos());
            while (!active.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading " + topic + " did not finish in time");
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (r.offset() >= stop.get(tp) || r.timestamp() < from.toEpochMilli()
                            || (to != null && r.timestamp() >= to.toEpochMilli())) {
                        continue;
                    }
                    V value = r.value() == null ? null : values.deserialize(topic, r.value());
                    records.add(new ConsumerRecord<>(r.topic(), r.partition(), r.offset(), r.timestamp(), r.timestampType(),
                            r.serializedKeySize(), r.serializedValueSize(), r.key(), value, r.headers(), r.leaderEpoch()));
                    progress.accept(records.size());
                }
                active.removeIf(tp -> consumer.position(tp, timeout) >= stop.get(tp));
                consumer.assign(active);
            }
        }
        records.sort(Comparator.comparingLong(ConsumerRecord<String, V>::timestamp)
                .thenComparingInt(ConsumerRecord::partition).thenComparingLong(ConsumerRecord::offset));
        return records;
    }

    private static Map<TopicPartition, OffsetAndTimestamp> offsets(KafkaConsumer<?, ?> consumer, List<TopicPartition> partitions,
                                                                   Instant at) {
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(tp -> query.put(tp, at.toEpochMilli()));
        return consumer.offsetsForTimes(query);
    }

    /** Fails with the topic's retention when {@code from} lies before what the topic keeps. */
    void checkRetention(String topic, Instant from) {
        long retention = retentionMillis(topic);
        if (retention < 0) {
            return;
        }
        Instant oldest = clock.instant().minusMillis(retention);
        if (from.isBefore(oldest)) {
            throw new OutsideRetentionException(topic + " keeps " + Duration.ofMillis(retention).toDays() + " days of history (retention.ms="
                    + retention + "): records before " + oldest + " are gone, so --from " + from + " is outside retention");
        }
    }

    /** The oldest instant {@code topic} keeps records of (its retention), or the epoch when it keeps them for ever. */
    public Instant oldestKept(String topic) {
        long retention = retentionMillis(topic);
        return retention < 0 ? Instant.EPOCH : clock.instant().minusMillis(retention).plusSeconds(1);
    }

    /** retention.ms of a topic; -1 for ever (or compacted only). Read once per topic and reader. */
    private long retentionMillis(String topic) {
        return retentions.computeIfAbsent(topic, this::describeRetention);
    }

    private long describeRetention(String topic) {
        try (Admin admin = Admin.create(clientProperties)) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Map<ConfigResource, Config> configs = admin.describeConfigs(Set.of(resource)).all()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            Config config = configs.get(resource);
            String policy = config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
            if (policy != null && policy.contains(TopicConfig.CLEANUP_POLICY_COMPACT) && !policy.contains(TopicConfig.CLEANUP_POLICY_DELETE)) {
                return -1;
            }
            return Long.parseLong(config.get(TopicConfig.RETENTION_MS_CONFIG).value());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) {
                throw new IllegalStateException("topic " + topic + " does not exist");
            }
            throw new IllegalStateException("cannot read the settings of " + topic + ": " + e.getCause().getMessage(), e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot read the settings of " + topic + " within " + timeout.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The requested range lies before what the topic keeps. */
    public static final class OutsideRetentionException extends IllegalStateException {
        OutsideRetentionException(String message) {
            super(message);
        }
    }
}

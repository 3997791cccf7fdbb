package io.contactaudit.replay;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

/**
 * Topics held in memory and served to {@link HistoryReader} through Kafka's {@link MockConsumer}: partitions,
 * end offsets, {@code offsetsForTimes}, and polls of at most {@link #batch} records per partition.
 */
public final class FakeLog {

    public static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

    private final Map<TopicPartition, List<ConsumerRecord<String, byte[]>>> log = new LinkedHashMap<>();
    final List<LogConsumer> consumers = new ArrayList<>();
    int batch = 3;
    /** Records per poll of one partition, where it differs from {@link #batch}. */
    final Map<Integer, Integer> batches = new HashMap<>();

    public void create(String topic, int partitions) {
        for (int p = 0; p < partitions; p++) {
            log.put(new TopicPartition(topic, p), new ArrayList<>());
        }
    }

    /** Appends a record; returns its offset. */
    public long append(String topic, int partition, String key, byte[] value, Instant at) {
        List<ConsumerRecord<String, byte[]>> records = log.get(new TopicPartition(topic, partition));
        long offset = records.size();
        records.add(new ConsumerRecord<>(
                topic,
                partition,
                offset,
                at.toEpochMilli(),
                TimestampType.CREATE_TIME,
                -1,
                -1,
                key,
                value,
                new RecordHeaders(),
                Optional.empty()));
        return offset;
    }

    /** A reader over this log; every topic keeps its records for ever. */
    public HistoryReader reader() {
        return reader(topic -> -1L);
    }

    HistoryReader reader(java.util.function.ToLongFunction<String> retention) {
        return new HistoryReader(
                Map.of(),
                Duration.ofSeconds(5),
                Clock.fixed(NOW, ZoneOffset.UTC),
                props -> {
                    LogConsumer consumer = new LogConsumer(props);
                    consumers.add(consumer);
                    return consumer;
                },
                retention);
    }

    /** A MockConsumer that serves this log. */
    final class LogConsumer extends MockConsumer<String, byte[]> {
        final Map<String, Object> props;
        final List<Set<TopicPartition>> pausedAtPoll = new ArrayList<>();
        private final Map<TopicPartition, Long> next = new HashMap<>();

        LogConsumer(Map<String, Object> props) {
            super("none");
            this.props = props;
        }

        @Override
        public synchronized List<PartitionInfo> partitionsFor(String topic) {
            return log.keySet().stream()
                    .filter(tp -> tp.topic().equals(topic))
                    .map(tp -> new PartitionInfo(topic, tp.partition(), null, null, null))
                    .toList();
        }

        @Override
        public List<PartitionInfo> partitionsFor(String topic, Duration timeout) {
            return partitionsFor(topic);
        }

        @Override
        public synchronized Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> partitions) {
            Map<TopicPartition, Long> end = new HashMap<>();
            partitions.forEach(tp -> end.put(tp, (long) log.get(tp).size()));
            return end;
        }

        @Override
        public Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> partitions, Duration timeout) {
            return endOffsets(partitions);
        }

        @Override
        public synchronized Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(Map<TopicPartition, Long> query) {
            Map<TopicPartition, OffsetAndTimestamp> found = new HashMap<>();
            query.forEach((tp, at) -> found.put(
                    tp,
                    log.get(tp).stream()
                            .filter(r -> r.timestamp() >= at)
                            .findFirst()
                            .map(r -> new OffsetAndTimestamp(r.offset(), r.timestamp()))
                            .orElse(null)));
            return found;
        }

        @Override
        public Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(
                Map<TopicPartition, Long> query, Duration timeout) {
            return offsetsForTimes(query);
        }

        @Override
        public synchronized ConsumerRecords<String, byte[]> poll(Duration timeout) {
            pausedAtPoll.add(Set.copyOf(paused()));
            for (TopicPartition tp : assignment()) {
                if (paused().contains(tp)) {
                    continue;
                }
                long from = next.computeIfAbsent(tp, this::position);
                List<ConsumerRecord<String, byte[]>> records = log.get(tp);
                long until = Math.min(records.size(), from + batches.getOrDefault(tp.partition(), batch));
                for (long o = from; o < until; o++) {
                    addRecord(records.get((int) o));
                }
                next.put(tp, until);
            }
            return super.poll(timeout);
        }
    }
}

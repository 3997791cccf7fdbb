package io.contactaudit.replay;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.LongConsumer;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a bounded time range of a topic, with read_committed, without a consumer group (nothing is committed, no shared
 * group is disturbed): from the offsets of {@code from} ({@code offsetsForTimes}: no record stamped {@code from} or
 * later lies before them) to the offsets of {@code to} + {@link #DISORDER} (or the end as it is when the read starts),
 * keeping the records stamped in [from, to).
 *
 * <p>Records stream through a {@link Cursor}: a k-way merge of the partitions by timestamp, then partition,
 * then offset, holding at most a few thousand undecoded records per partition, so memory does not grow
 * with the length of the history. Each partition keeps its offset order (a subscription's records, one key,
 * stay in the order they were written); where every partition's timestamps rise with its offsets, as the
 * evaluator writes them, the whole output is in timestamp order. The key filter runs before the value is
 * decoded; a value that cannot be decoded is skipped and reported, never fatal.
 */
public final class HistoryReader {

    /**
     * How far out of timestamp order a partition's records may be and still be read: a read does not stop at the first
     * record stamped at its end, but at the first stamped this much after it. A partition's timestamps need not rise
     * with its offsets: snapshots are collected concurrently, may be dated up to a day ahead (the evaluator's bound),
     * and are evaluated late after an outage, so that a record stamped before the end may follow one stamped after it.
     * Records later than that by more than this are left out, as are those of a re-evaluation from the start after a
     * state reset, which would otherwise count again in every period.
     */
    static final Duration DISORDER = Duration.ofDays(2);

    /** A partition with this many records waiting is paused until the merge has taken some of them. */
    static final int BUFFERED_PER_PARTITION = 1000;

    private static final Duration POLL = Duration.ofMillis(500);

    private final Map<String, Object> clientProperties;
    private final Duration timeout;
    private final Clock clock;
    private final Function<Map<String, Object>, Consumer<String, byte[]>> consumers;
    private final ToLongFunction<String> retention;
    private final Map<String, Long> retentions = new ConcurrentHashMap<>();

    public HistoryReader(Map<String, Object> clientProperties, Duration timeout, Clock clock) {
        this(
                clientProperties,
                timeout,
                clock,
                props -> new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer()),
                null);
    }

    /**
     * @param consumers makes the consumer of one read from its properties
     * @param retention retention.ms of a topic (-1: for ever); null: asked of the brokers
     */
    HistoryReader(
            Map<String, Object> clientProperties,
            Duration timeout,
            Clock clock,
            Function<Map<String, Object>, Consumer<String, byte[]>> consumers,
            ToLongFunction<String> retention) {
        this.clientProperties = clientProperties;
        this.timeout = timeout;
        this.clock = clock;
        this.consumers = consumers;
        this.retention = retention == null ? this::describeRetention : retention;
    }

    /**
     * Opens a read of the records of {@code topic} with timestamps in [from, to).
     *
     * @param keys     records whose key this rejects are passed over before their value is decoded
     * @param skipped  where undecodable values are reported (the record is then passed over)
     * @param progress called with the number of records of the range read so far
     */
    public <V> Cursor<V> open(
            String topic,
            Deserializer<V> values,
            Instant from,
            Instant to,
            Predicate<String> keys,
            Skipped skipped,
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
        Consumer<String, byte[]> consumer = consumers.apply(props);
        try {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " does not exist");
            }
            List<TopicPartition> partitions = infos.stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .sorted(Comparator.comparingInt(TopicPartition::partition))
                    .toList();
            consumer.assign(partitions);
            // past the offsets of `to` by DISORDER: a record stamped before `to` may follow one stamped after it
            Map<TopicPartition, Long> stop = consumer.endOffsets(partitions, timeout);
            if (to != null) {
                offsets(consumer, partitions, to.plus(DISORDER)).forEach((tp, o) -> {
                    if (o != null) {
                        stop.put(tp, Math.min(o.offset(), stop.get(tp)));
                    }
                });
            }
            Map<TopicPartition, OffsetAndTimestamp> start = offsets(consumer, partitions, from);
            List<TopicPartition> active = new ArrayList<>();
            for (TopicPartition tp : partitions) {
                OffsetAndTimestamp o = start.get(tp);
                long first = o == null ? stop.get(tp) : o.offset();
                if (first < stop.get(tp)) {
                    consumer.seek(tp, first);
                    active.add(tp);
                }
            }
            consumer.assign(active);
            return new Cursor<>(
                    consumer,
                    topic,
                    values,
                    from.toEpochMilli(),
                    to == null ? Long.MAX_VALUE : to.toEpochMilli(),
                    keys,
                    skipped,
                    progress,
                    stop,
                    active,
                    Duration.ofNanos(
                            Math.max(timeout.toNanos(), Duration.ofMinutes(1).toNanos())));
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
    }

    /**
     * The records of one read, in merge order; close it (or the stream it gives) to release the consumer.
     * Not thread-safe.
     */
    public static final class Cursor<V> implements Iterator<ConsumerRecord<String, V>>, AutoCloseable {
        private final Consumer<String, byte[]> consumer;
        private final String topic;
        private final Deserializer<V> values;
        private final long from;
        private final long to;
        private final Predicate<String> keys;
        private final Skipped skipped;
        private final LongConsumer progress;
        private final Map<TopicPartition, Long> stop;
        private final Map<TopicPartition, ArrayDeque<ConsumerRecord<String, byte[]>>> buffers = new LinkedHashMap<>();
        private final Set<TopicPartition> fetching = new LinkedHashSet<>();
        private final Duration idle;
        private long read;
        private ConsumerRecord<String, V> next;

        Cursor(
                Consumer<String, byte[]> consumer,
                String topic,
                Deserializer<V> values,
                long from,
                long to,
                Predicate<String> keys,
                Skipped skipped,
                LongConsumer progress,
                Map<TopicPartition, Long> stop,
                List<TopicPartition> active,
                Duration idle) {
            this.consumer = consumer;
            this.topic = topic;
            this.values = values;
            this.from = from;
            this.to = to;
            this.keys = keys;
            this.skipped = skipped;
            this.progress = progress;
            this.stop = stop;
            this.idle = idle;
            active.forEach(tp -> buffers.put(tp, new ArrayDeque<>()));
            fetching.addAll(active);
        }

        @Override
        public boolean hasNext() {
            while (next == null) {
                ConsumerRecord<String, byte[]> raw = nextInOrder();
                if (raw == null) {
                    return false;
                }
                next = accept(raw);
            }
            return true;
        }

        @Override
        public ConsumerRecord<String, V> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            ConsumerRecord<String, V> r = next;
            next = null;
            return r;
        }

        /** This cursor as a sequential stream that closes the cursor when it is closed. */
        public Stream<ConsumerRecord<String, V>> stream() {
            return StreamSupport.stream(
                            Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED | Spliterator.NONNULL), false)
                    .onClose(this::close);
        }

        @Override
        public void close() {
            consumer.close();
        }

        /** The smallest head of the partitions' buffers, once every partition still being read has one; null at the end. */
        private ConsumerRecord<String, byte[]> nextInOrder() {
            while (fetching.stream().anyMatch(tp -> buffers.get(tp).isEmpty())) {
                fetch();
            }
            ArrayDeque<ConsumerRecord<String, byte[]>> first = null;
            for (ArrayDeque<ConsumerRecord<String, byte[]>> buffer : buffers.values()) {
                if (!buffer.isEmpty() && (first == null || ORDER.compare(buffer.peekFirst(), first.peekFirst()) < 0)) {
                    first = buffer;
                }
            }
            return first == null ? null : first.pollFirst();
        }

        private void fetch() {
            List<TopicPartition> pause = new ArrayList<>();
            List<TopicPartition> resume = new ArrayList<>();
            buffers.forEach((tp, buffer) ->
                    (fetching.contains(tp) && buffer.size() < BUFFERED_PER_PARTITION ? resume : pause).add(tp));
            consumer.pause(pause);
            consumer.resume(resume);
            long deadline = System.nanoTime() + idle.toNanos();
            while (true) {
                boolean moved = false;
                for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (fetching.contains(tp) && r.offset() < stop.get(tp)) {
                        buffers.get(tp).addLast(r);
                        moved = true;
                    }
                }
                for (TopicPartition tp : resume) {
                    if (fetching.contains(tp) && consumer.position(tp, POLL) >= stop.get(tp)) {
                        fetching.remove(tp);
                        consumer.pause(List.of(tp));
                        moved = true;
                    }
                }
                if (moved) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "reading " + topic + " made no progress in " + idle.toSeconds() + " s");
                }
            }
        }

        private ConsumerRecord<String, V> accept(ConsumerRecord<String, byte[]> r) {
            if (r.timestamp() < from || r.timestamp() >= to) {
                return null;
            }
            progress.accept(++read);
            if (!keys.test(r.key())) {
                return null;
            }
            V value;
            try {
                value = r.value() == null ? null : values.deserialize(topic, r.headers(), r.value());
            } catch (RuntimeException e) {
                skipped.add(topic, r.partition(), r.offset(), e);
                return null;
            }
            return new ConsumerRecord<>(
                    r.topic(),
                    r.partition(),
                    r.offset(),
                    r.timestamp(),
                    r.timestampType(),
                    r.serializedKeySize(),
                    r.serializedValueSize(),
                    r.key(),
                    value,
                    r.headers(),
                    r.leaderEpoch());
        }
    }

    /** Merge order: timestamp, then partition, then offset. */
    static final Comparator<ConsumerRecord<?, ?>> ORDER = Comparator.<ConsumerRecord<?, ?>>comparingLong(
                    ConsumerRecord::timestamp)
            .thenComparingInt(ConsumerRecord::partition)
            .thenComparingLong(ConsumerRecord::offset);

    private static Map<TopicPartition, OffsetAndTimestamp> offsets(
            Consumer<?, ?> consumer, List<TopicPartition> partitions, Instant at) {
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
            throw new OutsideRetentionException(topic + " keeps "
                    + Duration.ofMillis(retention).toDays() + " days of history (retention.ms=" + retention
                    + "): records before " + oldest + " are gone, so --from " + from + " is outside retention");
        }
    }

    /** The oldest instant {@code topic} keeps records of (its retention), or the epoch when it keeps them for ever. */
    public Instant oldestKept(String topic) {
        long retention = retentionMillis(topic);
        return retention < 0
                ? Instant.EPOCH
                : clock.instant().minusMillis(retention).plusSeconds(1);
    }

    /** retention.ms of a topic; -1 for ever (or compacted only). Read once per topic and reader. */
    private long retentionMillis(String topic) {
        return retentions.computeIfAbsent(topic, retention::applyAsLong);
    }

    private long describeRetention(String topic) {
        try (Admin admin = Admin.create(clientProperties)) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Map<ConfigResource, Config> configs =
                    admin.describeConfigs(Set.of(resource)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            Config config = configs.get(resource);
            String policy = config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
            if (policy != null
                    && policy.contains(TopicConfig.CLEANUP_POLICY_COMPACT)
                    && !policy.contains(TopicConfig.CLEANUP_POLICY_DELETE)) {
                return -1;
            }
            return Long.parseLong(config.get(TopicConfig.RETENTION_MS_CONFIG).value());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                throw new IllegalStateException("topic " + topic + " does not exist");
            }
            throw new IllegalStateException(
                    "cannot read the settings of " + topic + ": " + e.getCause().getMessage(), e);
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    "cannot read the settings of " + topic + " within " + timeout.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The requested range lies before what the topic keeps. */
    public static final class OutsideRetentionException extends IllegalStateException {
        public OutsideRetentionException(String message) {
            super(message);
        }
    }
}

package io.contactaudit.collector;

import io.contactaudit.Errors;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Change-triggered collection: consumes the topic Azure writes security-contact changes to (an Event Hub through its
 * Kafka endpoint; {@link ChangeEvents} reads the shapes), and reads each changed subscription again at once through
 * the same collector as the poll, which stays the safety net.
 *
 * <p>Changes are de-duplicated by their id (Azure delivers at least once, unordered, with duplicates; the Activity
 * Log and Event Grid report one write under one correlation id) and debounced per subscription: several writes within
 * {@code debounce} of each other give one read, after the last (a subscription written without pause is still read
 * every {@link #MAX_WAIT_DEBOUNCES} debounces). Due subscriptions are read {@code concurrency} at a time. A partition's
 * offset is committed only up to its first message whose change is not yet read and acknowledged, so a crash loses no
 * trigger (it may read a subscription twice; the evaluator drops a snapshot that changes nothing). A malformed message
 * is counted, logged with its offset and dead-lettered with its cause; it never stops the loop. A snapshot that cannot
 * be published stops it, uncommitted, with {@link #failure()} set.
 */
public final class EventTrigger implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(EventTrigger.class);
    /** How many change ids are remembered to drop duplicates. */
    static final int REMEMBERED = 100_000;
    /** A subscription changed without pause is read at the latest this many debounces after its first change. */
    static final int MAX_WAIT_DEBOUNCES = 10;

    /** Where a message that is not a change event goes, with why. */
    public interface Rejects {
        CompletableFuture<Void> reject(ConsumerRecord<byte[], byte[]> record, String cause);
    }

    /** What the trigger saw and did, for /metrics. */
    public static final class Stats {
        public final AtomicLong received = new AtomicLong();
        public final AtomicLong matched = new AtomicLong();
        public final AtomicLong ignored = new AtomicLong();
        public final AtomicLong malformed = new AtomicLong();
        public final AtomicLong duplicates = new AtomicLong();
        public final AtomicLong outOfScope = new AtomicLong();
        public final AtomicLong triggeredReads = new AtomicLong();
        /** From the change (as Azure dates it) to its snapshot acknowledged, of the last triggered read. */
        public final AtomicLong lastLagMillis = new AtomicLong(-1);
    }

    /** A subscription waiting for its read: the latest change, when changes came, and the messages that said so. */
    private static final class Pending {
        ChangeEvents.Change change;
        final long firstAt;
        long lastAt;
        final Map<TopicPartition, Long> offsets = new HashMap<>();

        Pending(ChangeEvents.Change change, long now) {
            this.change = change;
            this.firstAt = now;
            this.lastAt = now;
        }

        long dueAt(long debounce) {
            return Math.min(lastAt + debounce, firstAt + MAX_WAIT_DEBOUNCES * debounce);
        }
    }

    private final Consumer<byte[], byte[]> consumer;
    private final String topic;
    private final long debounce;
    private final Collector collector;
    private final SnapshotSink sink;
    private final Rejects rejects;
    private final Duration interval;
    private final ExecutorService readers;
    /** Subscriptions read in one pass of the loop at most. */
    private final int batch;

    private final Stats stats = new Stats();
    private final Map<String, Boolean> seen = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    };
    /** Subscriptions waiting for their read, in the order of their first change. */
    private final Map<String, Pending> pending = new LinkedHashMap<>();
    /** Per partition, the offset after the last message polled. */
    private final Map<TopicPartition, Long> polled = new HashMap<>();

    private final Map<TopicPartition, Long> committed = new HashMap<>();
    private volatile boolean stopped;
    private volatile Throwable failure;

    /**
     * @param concurrency subscriptions read at the same time
     * @param interval    the poll's interval, declared on each snapshot like a polled one (null: none)
     */
    public EventTrigger(
            Consumer<byte[], byte[]> consumer,
            String topic,
            Duration debounce,
            int concurrency,
            Collector collector,
            SnapshotSink sink,
            Rejects rejects,
            Duration interval) {
        this.consumer = consumer;
        this.topic = topic;
        this.debounce = debounce.toMillis();
        this.collector = collector;
        this.sink = sink;
        this.rejects = rejects;
        this.interval = interval;
        this.batch = Math.max(64, 8 * concurrency);
        AtomicInteger n = new AtomicInteger();
        this.readers = Executors.newFixedThreadPool(Math.max(1, concurrency), r -> {
            Thread t = new Thread(r, "contact-audit-events-read-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    public Stats stats() {
        return stats;
    }

    /** Why {@link #run()} stopped on its own, or null. */
    public Throwable failure() {
        return failure;
    }

    /** Consumes until {@link #stop()}; closes the consumer. */
    @Override
    public void run() {
        LOG.info("reading security-contact changes from {} (debounce {} ms)", topic, debounce);
        try {
            consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    if (failure != null || stopped) {
                        return; // closing: what is not committed is read again by the next owner
                    }
                    // the next owner starts from what is committed: read what is pending now, and commit it
                    readDue(Long.MAX_VALUE);
                    commit();
                    partitions.forEach(p -> {
                        polled.remove(p);
                        committed.remove(p);
                    });
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    // no longer ours (the group moved on without us): nothing may be committed for them; their
                    // changes are read by the next owner
                    for (Pending p : pending.values()) {
                        p.offsets.keySet().removeAll(partitions);
                    }
                    pending.values().removeIf(p -> p.offsets.isEmpty());
                    partitions.forEach(p -> {
                        polled.remove(p);
                        committed.remove(p);
                    });
                    // the changes dropped here are read again from the committed offsets, by whoever owns them next,
                    // perhaps this consumer: remembered as seen, they would be taken for duplicates and committed
                    // unread. Forgetting every id costs at most a duplicate read.
                    seen.clear();
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {}
            });
            while (!stopped) {
                long now = System.currentTimeMillis();
                long wait = pending.values().stream()
                        .mapToLong(p -> p.dueAt(debounce) - now)
                        .min()
                        .orElse(500);
                List<CompletableFuture<Void>> rejected = new ArrayList<>();
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(Math.max(1, wait)));
                long polledAt = System.currentTimeMillis();
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    accept(record, polledAt, rejected);
                    polled.put(new TopicPartition(record.topic(), record.partition()), record.offset() + 1);
                }
                await(rejected);
                readDue(System.currentTimeMillis());
                commit();
            }
        } catch (WakeupException e) {
            if (!stopped) {
                failure = e;
                throw e;
            }
        } catch (RuntimeException | Error e) {
            failure = e;
            throw e;
        } finally {
            consumer.close(Duration.ofSeconds(5)); // first: it may call the rebalance listener
            readers.shutdownNow();
        }
    }

    /** Takes one message: its new changes go to {@link #pending}. */
    private void accept(ConsumerRecord<byte[], byte[]> record, long now, List<CompletableFuture<Void>> rejected) {
        stats.received.incrementAndGet();
        ChangeEvents.Parsed parsed;
        try {
            parsed = ChangeEvents.parse(record.value());
        } catch (ChangeEvents.MalformedEventException e) {
            stats.malformed.incrementAndGet();
            LOG.warn(
                    "malformed change event at {}-{} offset {}: {}",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    e.getMessage());
            rejected.add(rejects.reject(record, e.getMessage()));
            return;
        }
        stats.ignored.addAndGet(parsed.ignored());
        for (ChangeEvents.Change change : parsed.changes()) {
            // one deployment writes several subscriptions' contacts under one correlation id: a change per subscription
            String id = change.subscriptionId() + "|"
                    + (change.eventId() == null ? change.eventTime().toString() : change.eventId());
            if (seen.put(id, Boolean.TRUE) != null) {
                stats.duplicates.incrementAndGet();
                continue;
            }
            stats.matched.incrementAndGet();
            Pending waiting = pending.get(change.subscriptionId());
            if (waiting == null) {
                waiting = new Pending(change, now);
                pending.put(change.subscriptionId(), waiting);
            } else {
                waiting.lastAt = now;
                if (!change.eventTime().isBefore(waiting.change.eventTime())) {
                    waiting.change = change; // the snapshot names the latest change it answers
                }
            }
            waiting.offsets.putIfAbsent(new TopicPartition(record.topic(), record.partition()), record.offset());
        }
    }

    /** Reads every subscription due by {@code now} again, at once, and waits until each snapshot is acknowledged. */
    private void readDue(long now) {
        // a bounded batch, so that the loop polls again well within max.poll.interval.ms even for a burst of thousands
        List<Pending> due = pending.values().stream()
                .filter(p -> p.dueAt(debounce) <= now)
                .limit(batch)
                .toList();
        if (due.isEmpty()) {
            return;
        }
        List<CompletableFuture<Boolean>> reads = new ArrayList<>();
        for (Pending p : due) {
            reads.add(CompletableFuture.supplyAsync(() -> collector.collectChanged(p.change, interval), readers)
                    .thenCompose(snapshot -> snapshot == null
                            ? CompletableFuture.completedFuture(false)
                            : sink.publish(snapshot).thenApply(done -> true)));
        }
        await(reads);
        due.forEach(p -> pending.remove(p.change.subscriptionId()));
        long acknowledged = System.currentTimeMillis();
        for (int i = 0; i < due.size(); i++) {
            ChangeEvents.Change change = due.get(i).change;
            if (reads.get(i).join()) {
                long lag = acknowledged - change.eventTime().toEpochMilli();
                stats.triggeredReads.incrementAndGet();
                stats.lastLagMillis.set(lag);
                LOG.info(
                        "read {} again on its change {} ({} at {}): snapshot published {} ms after the change",
                        change.subscriptionId(),
                        change.eventId(),
                        change.operation(),
                        change.eventTime(),
                        lag);
            } else {
                stats.outOfScope.incrementAndGet();
                LOG.debug(
                        "change {} of {} is outside this collector's scope", change.eventId(), change.subscriptionId());
            }
        }
    }

    /** Commits, per partition, up to the first message whose change still waits for its read. */
    private void commit() {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        polled.forEach((partition, next) -> {
            long upTo = next;
            for (Pending p : pending.values()) {
                Long first = p.offsets.get(partition);
                if (first != null && first < upTo) {
                    upTo = first;
                }
            }
            if (!Long.valueOf(upTo).equals(committed.get(partition))) {
                offsets.put(partition, new OffsetAndMetadata(upTo));
            }
        });
        if (!offsets.isEmpty()) {
            consumer.commitSync(offsets);
            offsets.forEach((partition, offset) -> committed.put(partition, offset.offset()));
        }
    }

    /** Waits for writes; a failed one fails the loop before its offsets are committed (they are read again). */
    private static void await(List<? extends CompletableFuture<?>> writes) {
        try {
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "publishing a change-triggered snapshot failed: " + Errors.messages(e.getCause()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing", e);
        }
    }

    /** Ends {@link #run()} after the current step; what was read and not yet committed is read again next time. */
    public void stop() {
        stopped = true;
        consumer.wakeup();
    }
}

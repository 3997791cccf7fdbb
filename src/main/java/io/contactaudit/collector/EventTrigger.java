package io.contactaudit.collector;

import io.contactaudit.Errors;
import io.contactaudit.schema.SecurityContactSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
 * {@code debounce} of each other give one read, after the last. Offsets are committed only once every snapshot read
 * for them is acknowledged, so a crash loses no trigger (it may read a subscription twice). A malformed message is
 * counted, logged with its offset and dead-lettered with its cause; it never stops the loop.
 */
public final class EventTrigger implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(EventTrigger.class);
    /** How many change ids are remembered to drop duplicates. */
    static final int REMEMBERED = 100_000;

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

    private final Consumer<byte[], byte[]> consumer;
    private final String topic;
    private final Duration debounce;
    private final Collector collector;
    private final SnapshotSink sink;
    private final Rejects rejects;
    private final Duration interval;
    private final Stats stats = new Stats();
    private final Map<String, Boolean> seen = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    };
    private volatile boolean stopped;

    /**
     * @param interval the poll's interval, declared on each snapshot like a polled one (null: none)
     */
    public EventTrigger(
            Consumer<byte[], byte[]> consumer,
            String topic,
            Duration debounce,
            Collector collector,
            SnapshotSink sink,
            Rejects rejects,
            Duration interval) {
        this.consumer = consumer;
        this.topic = topic;
        this.debounce = debounce;
        this.collector = collector;
        this.sink = sink;
        this.rejects = rejects;
        this.interval = interval;
    }

    public Stats stats() {
        return stats;
    }

    /** Consumes until {@link #stop()}; closes the consumer. */
    @Override
    public void run() {
        LOG.info("reading security-contact changes from {} (debounce {})", topic, debounce);
        Map<String, ChangeEvents.Change> pending = new LinkedHashMap<>();
        long lastChangeAt = 0;
        boolean uncommitted = false;
        try {
            consumer.subscribe(List.of(topic));
            while (!stopped) {
                Duration wait = pending.isEmpty()
                        ? Duration.ofMillis(500)
                        : Duration.ofMillis(
                                Math.max(1, debounce.toMillis() - (System.currentTimeMillis() - lastChangeAt)));
                List<CompletableFuture<Void>> rejected = new ArrayList<>();
                boolean changed = false;
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(wait)) {
                    changed |= accept(record, pending, rejected);
                    uncommitted = true;
                }
                if (changed) {
                    lastChangeAt = System.currentTimeMillis();
                }
                await(rejected);
                if (!pending.isEmpty() && System.currentTimeMillis() - lastChangeAt >= debounce.toMillis()) {
                    read(pending.values());
                    pending.clear();
                }
                if (pending.isEmpty() && uncommitted) {
                    consumer.commitSync(); // everything polled is handled: read and acknowledged, ignored or
                    // dead-lettered
                    uncommitted = false;
                }
            }
        } catch (WakeupException e) {
            if (!stopped) {
                throw e;
            }
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Takes one message: its changes go to {@code pending} (the latest per subscription); true when one was new. */
    private boolean accept(
            ConsumerRecord<byte[], byte[]> record,
            Map<String, ChangeEvents.Change> pending,
            List<CompletableFuture<Void>> rejected) {
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
            return false;
        }
        stats.ignored.addAndGet(parsed.ignored());
        boolean any = false;
        for (ChangeEvents.Change change : parsed.changes()) {
            String id =
                    change.eventId() == null ? change.subscriptionId() + "@" + change.eventTime() : change.eventId();
            if (seen.put(id, Boolean.TRUE) != null) {
                stats.duplicates.incrementAndGet();
                continue;
            }
            stats.matched.incrementAndGet();
            pending.merge(
                    change.subscriptionId(),
                    change,
                    (old, now) -> now.eventTime().isBefore(old.eventTime()) ? old : now);
            any = true;
        }
        return any;
    }

    /** Reads every pending subscription again and waits until each snapshot is acknowledged. */
    private void read(Iterable<ChangeEvents.Change> changes) {
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        List<ChangeEvents.Change> read = new ArrayList<>();
        for (ChangeEvents.Change change : changes) {
            SecurityContactSnapshot snapshot = collector.collectChanged(change, interval);
            if (snapshot == null) {
                stats.outOfScope.incrementAndGet();
                continue;
            }
            writes.add(sink.publish(snapshot));
            read.add(change);
        }
        await(writes);
        long now = System.currentTimeMillis();
        stats.triggeredReads.addAndGet(read.size());
        read.forEach(c -> stats.lastLagMillis.set(now - c.eventTime().toEpochMilli()));
    }

    /** Waits for writes; a failed one fails the loop before its offsets are committed (they are read again). */
    private static void await(List<CompletableFuture<Void>> writes) {
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

package io.contactaudit.collector;

import io.contactaudit.Errors;
import io.contactaudit.kafka.TopicSpec;
import io.contactaudit.schema.PostureState;
import io.contactaudit.schema.SecurityContactSnapshot;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the collector once, or every {@code interval} (measured from the start of each run) until
 * stopped; each run reads the subscriptions the pipeline knows from the posture topic first, so that
 * vanished ones are closed. A removal is announced once: until the posture topic shows the subscription
 * gone (the evaluator has taken the tombstone) or it is listed again, this loop does not repeat it.
 */
public final class CollectorLoop {

    private static final Logger LOG = LoggerFactory.getLogger(CollectorLoop.class);

    /** The subscriptions the pipeline knows, with their tenants. */
    @FunctionalInterface
    public interface KnownSource {
        Map<String, KnownSubscriptions.Known> read();
    }

    private final Collector collector;
    private final SnapshotSink sink;
    private final KnownSource knownSource;
    private final Collector.Progress progress;
    /** Removals this loop announced (tombstones written) that the posture topic still shows. */
    private final Set<String> announcedRemovals = ConcurrentHashMap.newKeySet();

    private volatile boolean stopped;
    private volatile RunSummary last;
    private volatile String notReady = "no collection run has completed yet";
    private volatile String gaveUp;
    private final AtomicLong runs = new AtomicLong();
    private final AtomicLong failedRuns = new AtomicLong();

    public CollectorLoop(
            Collector collector,
            SnapshotPublisher publisher,
            Map<String, Object> clientProperties,
            TopicSpec<String, PostureState> posture,
            Duration kafkaTimeout,
            Collector.Progress progress) {
        this(collector, publisher, () -> KnownSubscriptions.read(clientProperties, posture, kafkaTimeout), progress);
    }

    /** A loop over any sink, with the known subscriptions from {@code known}. */
    public CollectorLoop(Collector collector, SnapshotSink sink, KnownSource known, Collector.Progress progress) {
        this.collector = collector;
        this.sink = sink;
        this.knownSource = known;
        this.progress = progress;
    }

    /** One run; the summary is logged as one line. */
    public RunSummary once() throws InterruptedException {
        return once(null);
    }

    /** One run of a loop that runs every {@code interval} (null: a one-shot run), which each snapshot declares. */
    private RunSummary once(Duration interval) throws InterruptedException {
        RunSummary summary;
        try {
            Map<String, KnownSubscriptions.Known> known = new HashMap<>(knownSource.read());
            // gone from the posture topic: the evaluator took the tombstone, and a later removal is news again
            announcedRemovals.removeIf(id -> !known.containsKey(id));
            announcedRemovals.forEach(known::remove);
            summary = collector.run(new RemembersRemovals(), known, progress, interval);
            sink.flush();
        } catch (RuntimeException e) {
            failedRuns.incrementAndGet();
            notReady = "the last collection run failed: " + Errors.messages(e);
            throw e;
        }
        runs.incrementAndGet();
        last = summary;
        notReady = !summary.publishedAll()
                ? "the last run failed to publish " + summary.publishFailures() + " of "
                        + (summary.published() + summary.publishFailures()) + " records"
                        + (summary.firstPublishError() == null ? "" : ": " + summary.firstPublishError())
                : !summary.unlistedTenants().isEmpty()
                        ? "the last run could not list "
                                + summary.unlistedTenants().stream()
                                        .map(RunSummary.TenantRun::line)
                                        .collect(Collectors.joining("; "))
                        : null;
        LOG.info("{}", summary.line());
        return summary;
    }

    /** The sink, remembering each removal once it is written and forgetting it when the subscription is listed again. */
    private final class RemembersRemovals implements SnapshotSink {
        @Override
        public CompletableFuture<Void> publish(SecurityContactSnapshot snapshot) {
            announcedRemovals.remove(snapshot.getSubscriptionId().toLowerCase(Locale.ROOT));
            return sink.publish(snapshot);
        }

        @Override
        public CompletableFuture<Void> remove(String subscriptionId) {
            return sink.remove(subscriptionId)
                    .thenRun(() -> announcedRemovals.add(subscriptionId.toLowerCase(Locale.ROOT)));
        }

        @Override
        public long tooLarge() {
            return sink.tooLarge();
        }
    }

    /**
     * Runs every {@code interval} until {@link #stop()}, or until {@code maxFailedCycles} runs in a row published
     * nothing (every record refused, or the run failed before publishing): then {@link #gaveUp()} says why. A
     * failed run is logged and the loop goes on.
     *
     * @param each hears every summary
     * @return false if the last run failed to publish, or the loop gave up
     */
    public boolean every(Duration interval, int maxFailedCycles, Consumer<RunSummary> each) {
        boolean lastOk = true;
        int failedInARow = 0;
        while (!stopped) {
            long start = System.nanoTime();
            try {
                RunSummary summary = once(interval);
                each.accept(summary);
                lastOk = summary.publishedAll();
                failedInARow = summary.published() == 0 && summary.publishFailures() > 0 ? failedInARow + 1 : 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                lastOk = false;
                failedInARow++;
                LOG.error("collection run failed: {}", Errors.messages(e));
            }
            if (failedInARow >= maxFailedCycles) {
                gaveUp = failedInARow + " collection runs in a row published nothing; " + notReady;
                notReady = gaveUp;
                LOG.error("{}; stopping", gaveUp);
                return false;
            }
            long waitNanos = interval.toNanos() - (System.nanoTime() - start);
            synchronized (this) {
                try {
                    if (!stopped && waitNanos > 0) {
                        wait(Math.max(1, waitNanos / 1_000_000));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        return lastOk;
    }

    /** The last completed run, or null. */
    public RunSummary last() {
        return last;
    }

    /** Why the collector is not ready (no run completed yet, the last run failed or did not publish everything), or null. */
    public String notReadyBecause() {
        return notReady;
    }

    /** Why {@link #every} stopped on its own (too many runs in a row published nothing), or null. */
    public String gaveUp() {
        return gaveUp;
    }

    /** Runs completed. */
    public long runs() {
        return runs.get();
    }

    /** Runs that failed before completing (the subscriptions could not be listed, Kafka unreachable). */
    public long failedRuns() {
        return failedRuns.get();
    }

    /** Ends {@link #every} after the current run. */
    public void stop() {
        stopped = true;
        synchronized (this) {
            notifyAll();
        }
    }
}

package io.contactaudit.collector;

import io.contactaudit.Errors;
import io.contactaudit.kafka.TopicSpec;
import io.contactaudit.schema.PostureState;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the collector once, or every {@code interval} (measured from the start of each run) until
 * stopped; each run reads the subscriptions the pipeline knows from the posture topic first, so that
 * vanished ones are closed.
 */
public final class CollectorLoop {

    private static final Logger LOG = LoggerFactory.getLogger(CollectorLoop.class);

    private final Collector collector;
    private final SnapshotPublisher publisher;
    private final Map<String, Object> clientProperties;
    private final TopicSpec<String, PostureState> posture;
    private final Duration kafkaTimeout;
    private final Collector.Progress progress;
    private volatile boolean stopped;
    private volatile RunSummary last;
    private final AtomicLong runs = new AtomicLong();
    private final AtomicLong failedRuns = new AtomicLong();

    public CollectorLoop(Collector collector, SnapshotPublisher publisher, Map<String, Object> clientProperties,
                         TopicSpec<String, PostureState> posture, Duration kafkaTimeout, Collector.Progress progress) {
        this.collector = collector;
        this.publisher = publisher;
        this.clientProperties = clientProperties;
        this.posture = posture;
        this.kafkaTimeout = kafkaTimeout;
        this.progress = progress;
    }

    /** One run; the summary is logged as one line. */
    public RunSummary once() throws InterruptedException {
        return once(null);
    }

    /** One run of a loop that runs every {@code interval} (null: a one-shot run), which each snapshot declares. */
    private RunSummary once(Duration interval) throws InterruptedException {
        Map<String, String> known = KnownSubscriptions.read(clientProperties, posture, kafkaTimeout);
        RunSummary summary;
        try {
            summary = collector.run(publisher, known, progress, interval);
            publisher.flush();
        } catch (RuntimeException e) {
            failedRuns.incrementAndGet();
            throw e;
        }
        runs.incrementAndGet();
        last = summary;
        LOG.info("{}", summary.line());
        return summary;
    }

    /**
     * Runs every {@code interval} until {@link #stop()}; a failed run is logged and the loop goes on.
     *
     * @param each hears every summary
     * @return false if the last run failed to publish
     */
    public boolean every(Duration interval, Consumer<RunSummary> each) {
        boolean lastOk = true;
        while (!stopped) {
            long start = System.nanoTime();
            try {
                RunSummary summary = once(interval);
                each.accept(summary);
                lastOk = summary.publishedAll();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                lastOk = false;
                LOG.error("collection run failed: {}", Errors.messages(e));
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

package io.contactaudit.evaluate;

import io.contactaudit.Errors;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a topology with exactly-once processing until it is closed or fails.
 *
 * <p>Error policy: bad input is handled inside the topology (dead-letter topic). Anything that still
 * escapes — a deserialization, processing or production failure, or an uncaught exception — is an
 * infrastructure failure: the handlers fail, the client shuts down, the open transaction is aborted,
 * and the process exits non-zero so that its supervisor restarts it from the last committed offsets.
 * Nothing is skipped silently. State is never wiped at start ({@code cleanUp()} is an explicit reset).
 */
public final class StreamsRunner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StreamsRunner.class);

    private final KafkaStreams streams;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicLong restored = new AtomicLong();
    private final AtomicLong restoreStarted = new AtomicLong();
    private final AtomicLong restoreEnded = new AtomicLong();

    public StreamsRunner(Topology topology, Properties properties) {
        this.streams = new KafkaStreams(topology, properties);
        streams.setUncaughtExceptionHandler(e -> {
            failure.compareAndSet(null, e);
            LOG.error("evaluator failed, shutting down: {}", Errors.messages(e), e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.setStateListener((now, before) -> {
            LOG.info("evaluator state {} -> {}", before, now);
            if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
                stopped.countDown();
            }
        });
        streams.setGlobalStateRestoreListener(new RestoreLog());
    }

    /** Logs state restoration from the changelog (after a crash or on a new machine it can take a while) and counts it. */
    private final class RestoreLog implements StateRestoreListener {
        private final Map<TopicPartition, Long> started = new ConcurrentHashMap<>();

        @Override
        public void onRestoreStart(TopicPartition partition, String store, long startingOffset, long endingOffset) {
            started.put(partition, System.nanoTime());
            restoreStarted.compareAndSet(0, System.nanoTime());
            LOG.info("restoring {} from {}: up to {} records", store, partition, endingOffset - startingOffset);
        }

        @Override
        public void onBatchRestored(TopicPartition partition, String store, long batchEndOffset, long numRestored) {}

        @Override
        public void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {
            Long start = started.remove(partition);
            restored.addAndGet(totalRestored);
            restoreEnded.set(System.nanoTime());
            LOG.info(
                    "restored {} from {}: {} records in {} ms",
                    store,
                    partition,
                    totalRestored,
                    start == null ? 0 : (System.nanoTime() - start) / 1_000_000);
        }
    }

    /** Starts processing. */
    public void start() {
        streams.start();
    }

    /** The Streams client state. */
    public KafkaStreams.State state() {
        return streams.state();
    }

    /** Waits until the client has stopped (closed or failed); true when it stopped within the timeout. */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The failure that stopped the client, or null. */
    public Throwable failure() {
        return failure.get();
    }

    /** Changelog records restored into local state since the client was created. */
    public long restoredRecords() {
        return restored.get();
    }

    /** From the first partition's restore start to the last one's end, or zero when nothing was restored. */
    public Duration restoreTime() {
        long start = restoreStarted.get();
        long end = restoreEnded.get();
        return start == 0 || end < start ? Duration.ZERO : Duration.ofNanos(end - start);
    }

    /** The underlying client, for metrics and interactive queries. */
    public KafkaStreams streams() {
        return streams;
    }

    /** Closes the client and returns once its state listener has seen it stop (so the final state is logged). */
    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
        try {
            stopped.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

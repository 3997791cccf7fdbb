package io.contactaudit.evaluate;

import org.apache.kafka.common.TopicPartition;

/**
 * How far a task's consumer is behind its partition: records the broker holds that the consumer has not fetched yet.
 * The staleness clock ({@link StalenessClock}) never takes a quiet task for a caught-up one while this says records
 * are waiting (a stalled fetch under load looks quiet too).
 */
@FunctionalInterface
public interface BacklogProbe {

    /** Nothing is known: a quiet task is taken for a caught-up one (the topology test driver, tools). */
    BacklogProbe UNKNOWN = partition -> -1;

    /**
     * Records of {@code partition} not fetched yet; {@link #NOT_FETCHED} when the consumer has not fetched it since it
     * was assigned (after a takeover it may wait for the previous owner's transaction to end: records can be waiting);
     * negative when nothing can be known.
     */
    long lag(TopicPartition partition);

    /**
     * Fetch responses the consumer of the calling stream thread has received so far; -1 when not counted. A consumer
     * that stalls (a rebalance, a broker that does not answer) receives none, and delivers nothing: not to be taken for
     * a quiet partition.
     */
    default long fetches() {
        return -1;
    }

    /** The lag of a partition the consumer has not fetched yet: unknown, and not taken for zero. */
    long NOT_FETCHED = Long.MAX_VALUE;
}

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

    /** Records of {@code partition} not fetched yet; negative when unknown. */
    long lag(TopicPartition partition);
}

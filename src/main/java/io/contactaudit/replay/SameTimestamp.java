package io.contactaudit.replay;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Pairs the records of one read with those of another topic the evaluator wrote in the same transaction with
 * the same timestamp (a finding and its OCSF event; a snapshot and its finding), for reads that go forward
 * in time. Only the other topic's records of one timestamp are held; a record asked for after the read has
 * moved past its timestamp is not found.
 */
final class SameTimestamp<R> {

    private final Iterator<ConsumerRecord<String, R>> other;
    private final Function<R, String> match;
    private final Consumer<R> passed;
    private final Map<String, ArrayDeque<R>> current = new HashMap<>();
    private ConsumerRecord<String, R> ahead;
    private long at = Long.MIN_VALUE;

    /**
     * @param other the other topic's records, in timestamp order
     * @param match what pairs a record of the other topic with one of this read (e.g. the event id)
     */
    SameTimestamp(Iterator<ConsumerRecord<String, R>> other, Function<R, String> match) {
        this(other, match, r -> {});
    }

    /**
     * @param passed told of every record of the other topic as the read reaches its timestamp, in order, whether or not
     *               it is taken (e.g. to know the latest finding of each subscription at the time of a snapshot)
     */
    SameTimestamp(Iterator<ConsumerRecord<String, R>> other, Function<R, String> match, Consumer<R> passed) {
        this.other = other;
        this.match = match;
        this.passed = passed;
    }

    /** The other topic's record of {@code timestamp} that matches {@code key}, each at most once; null when there is none. */
    R take(long timestamp, String key) {
        if (timestamp != at) {
            current.clear();
            at = timestamp;
            while (ahead != null || other.hasNext()) {
                ConsumerRecord<String, R> r = ahead != null ? ahead : other.next();
                ahead = null;
                if (r.timestamp() > timestamp) {
                    ahead = r;
                    break;
                }
                if (r.value() != null) {
                    passed.accept(r.value());
                }
                if (r.timestamp() == timestamp && r.value() != null) {
                    current.computeIfAbsent(match.apply(r.value()), k -> new ArrayDeque<>())
                            .addLast(r.value());
                }
            }
        }
        ArrayDeque<R> candidates = current.get(key);
        return candidates == null ? null : candidates.pollFirst();
    }
}

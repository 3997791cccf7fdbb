package io.contactaudit.evaluate;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * The instant a task judges staleness at: how far it has read its partition, not the wall clock alone. STALE means
 * "not collected", never "not yet processed".
 *
 * <p>The collector stamps each snapshot record with its collection time. While a task reads records, the clock
 * stands at the newest timestamp it has read plus the wall-clock time since then: a backlog moves it only as far as
 * the record being read, so a subscription whose newer snapshot is still in the backlog is never judged against the
 * wall clock. A task that has read nothing for {@link #IDLE} has nothing waiting, and the clock is the wall clock: a
 * dead collector is flagged as promptly as ever, also right after a restart or a takeover. A task that has just
 * started judges nobody until it has read a record or waited that long.
 *
 * <p>A quiet task is not always a caught-up one: a fetch can stall on a loaded broker while records wait. Where the
 * consumer's lag is known ({@link BacklogProbe}), a task with records waiting is never judged at the wall clock; nor is
 * one whose partition its consumer has not fetched yet (after a crashed instance's tasks move, the new owner cannot
 * fetch until the crashed one's transaction has timed out, while snapshots wait).
 *
 * <p>Wall-clock time comes only from the staleness punctuator's ticks ({@link #tick}): the time a record is processed
 * at can be the stream thread's time from before a rebalance that took longer than {@link #IDLE}.
 */
final class StalenessClock {

    /** A task that has read nothing for this long has caught up with its partition. */
    static final Duration IDLE = Duration.ofSeconds(5);
    /** What {@link #tick} returns while there is nothing to judge by: earlier than any snapshot. */
    static final long NOT_YET = Long.MIN_VALUE;

    private long newest = Long.MIN_VALUE;
    private boolean readSinceTick;
    private long readAt = Long.MIN_VALUE;

    /** The task read a record stamped {@code timestamp}. */
    void read(long timestamp) {
        readSinceTick = true;
        newest = Math.max(newest, timestamp);
    }

    /**
     * A tick of the punctuator at wall-clock time {@code now}: the instant staleness is judged at, never later than
     * {@code now}, or {@link #NOT_YET}. A task that has been quiet for {@link #IDLE} asks {@code backlog} (does the
     * consumer know of records it has not fetched?) before it takes itself for caught up; while records wait, the
     * clock stays at the newest record read.
     */
    long tick(long now, BooleanSupplier backlog) {
        if (readAt == Long.MIN_VALUE || readSinceTick) {
            readAt = now; // the task started, or read records since the last tick
        }
        readSinceTick = false;
        long idle = now - readAt;
        if (idle < IDLE.toMillis()) {
            return newest == Long.MIN_VALUE ? NOT_YET : Math.min(now, newest + Math.max(0, idle));
        }
        if (!backlog.getAsBoolean()) {
            return now;
        }
        return newest == Long.MIN_VALUE ? NOT_YET : Math.min(now, newest);
    }
}

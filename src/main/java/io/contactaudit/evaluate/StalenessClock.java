package io.contactaudit.evaluate;

import java.time.Duration;

/**
 * The instant a task judges staleness at: how far it has read its partition, not the wall clock alone. STALE means
 * "not collected", never "not yet processed".
 *
 * <p>The collector stamps each snapshot record with its collection time. While a task reads records, the clock
 * stands at the newest timestamp it has read plus the wall-clock time since then: a backlog moves it only as far as
 * the record being read, so a subscription whose newer snapshot is still in the backlog is never judged against the
 * wall clock. A task that has read nothing for {@link #IDLE} (since it started or since its last record) has nothing
 * waiting, and the clock is the wall clock: a dead collector is flagged as promptly as ever, also right after a
 * restart or a takeover. A task that has just started judges nobody until it has read a record or waited that long.
 */
final class StalenessClock {

    /** A task that has read nothing for this long has caught up with its partition. */
    static final Duration IDLE = Duration.ofSeconds(5);
    /** What {@link #at} returns while there is nothing to judge by: earlier than any snapshot. */
    static final long NOT_YET = Long.MIN_VALUE;

    private long newest = Long.MIN_VALUE;
    private long advancedAt;

    /** The task started at wall-clock time {@code now}. */
    StalenessClock(long now) {
        this.advancedAt = now;
    }

    /** The task read a record stamped {@code timestamp} at wall-clock time {@code now}. */
    void read(long timestamp, long now) {
        if (timestamp > newest) {
            newest = timestamp;
            advancedAt = now;
        }
    }

    /** The instant staleness is judged at when the wall clock reads {@code now}: never later than it, or {@link #NOT_YET}. */
    long at(long now) {
        long idle = now - advancedAt;
        if (idle >= IDLE.toMillis()) {
            return now;
        }
        if (newest == Long.MIN_VALUE) {
            return NOT_YET;
        }
        return Math.min(now, newest + Math.max(0, idle));
    }
}

package io.contactaudit.evaluate;

import java.time.Duration;

/**
 * The instant a task judges staleness at: how far its partition has been read, not the wall clock alone. STALE
 * means "not collected", never "not yet processed".
 *
 * <p>The task's stream time is the newest record timestamp it has processed (the collector stamps each snapshot
 * with its collection time), restored from the committed offsets when the task moves or restarts. While records
 * are being read, the clock stands at that time plus the wall-clock time since it last advanced: a backlog moves
 * it only as far as the record being read, so a subscription whose newer snapshot is still in the backlog is never
 * judged against the wall clock. Once the task has read nothing for {@link #IDLE}, nothing is waiting for it and
 * the clock is the wall clock: a dead collector is flagged as promptly as ever, also right after a restart.
 */
final class StalenessClock {

    /** A task that has read nothing for this long has caught up with its partition. */
    static final Duration IDLE = Duration.ofSeconds(5);

    private long streamTime = Long.MIN_VALUE;
    private long advancedAt;

    /** The task's stream time is {@code streamTime} (negative: unknown) at wall-clock time {@code now}. */
    void observe(long streamTime, long now) {
        if (streamTime >= 0 && streamTime > this.streamTime) {
            this.streamTime = streamTime;
            this.advancedAt = now;
        }
    }

    /** The instant staleness is judged at when the wall clock reads {@code now}; never later than {@code now}. */
    long at(long now) {
        long idle = now - advancedAt;
        if (streamTime == Long.MIN_VALUE || idle >= IDLE.toMillis()) {
            return now;
        }
        return Math.min(now, streamTime + Math.max(0, idle));
    }
}

package io.contactaudit.evaluate;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The instant a task judges staleness at: how far it has read its partition, not the wall clock alone. STALE means
 * "not collected", never "not yet processed".
 *
 * <p>The collector stamps each snapshot record with its collection time. While a task reads records, the clock
 * stands at the newest timestamp it has read: a backlog moves it only as far as the record being read, so a
 * subscription whose newer snapshot is still in the backlog is never judged against the wall clock. Between two reads
 * it runs on from there with the wall clock, but only while no task of its stream thread read records since the last
 * tick and the consumer's lag says none of the partition's records wait: a task of a thread busy with other
 * partitions' backlog can wait seconds for its turn (seen after a takeover under load: 4.5 s, with 1,137 records
 * waiting). A task that has caught up (below) judges at the wall clock: a dead collector is flagged as promptly as
 * ever, also right after a restart or a takeover. A task that has just started judges nobody until it has read a
 * record or waited {@link #IDLE}.
 *
 * <p>A quiet task is not always a caught-up one: a fetch can stall on a loaded broker while records wait. Where the
 * consumer's lag is known ({@link BacklogProbe}), a task with records waiting is never judged at the wall clock; nor is
 * one whose partition its consumer has not fetched yet (after a crashed instance's tasks move, the new owner cannot
 * fetch until the crashed one's transaction has timed out, while snapshots wait). The consumer's lag is as of the last
 * records it handed over for the partition, not of the last fetch: records fetched for a quiet task can wait in the
 * consumer behind other partitions' records while the lag still says 0 (seen after a cold start behind a backlog: a
 * task read nothing for five seconds while its thread worked through the other tasks' records). So a quiet task is
 * taken for caught up only once every task of its stream thread has read nothing for {@link #IDLE} too, or after
 * {@link #BUSY_IDLE} of its own quiet while the others keep reading. Nor is a stalled consumer quiet (a rebalance, a
 * broker that does not answer: nothing is delivered, to any task): where the consumer's fetch responses are counted
 * ({@link BacklogProbe#fetches}), the clock runs past the newest record read only as far as a completed fetch vouches
 * that nothing appended before was left unread.
 *
 * <p>Wall-clock time comes only from the staleness punctuator's ticks ({@link #tick}): the time a record is processed
 * at can be the stream thread's time from before a rebalance that took longer than {@link #IDLE}.
 */
final class StalenessClock {

    /** A task that has read nothing for this long has caught up with its partition. */
    static final Duration IDLE = Duration.ofSeconds(5);
    /**
     * A quiet task while the other tasks of its stream thread keep reading is taken for caught up after this long: its
     * records would have been handed over long before.
     */
    static final Duration BUSY_IDLE = Duration.ofSeconds(60);
    /** What {@link #tick} returns while there is nothing to judge by: earlier than any snapshot. */
    static final long NOT_YET = Long.MIN_VALUE;

    /** Records read by the tasks of each stream thread: they share the thread's consumer. */
    private static final ThreadLocal<long[]> THREAD_READS = ThreadLocal.withInitial(() -> new long[1]);

    private long newest = Long.MIN_VALUE;
    private boolean readSinceTick;
    private long readAt = Long.MIN_VALUE;
    private long threadReads = -1;
    private long threadReadAt;
    private long fetchCount = -1;
    private long fetchCountAt;
    /** Records appended before this were fetched before the last tick, and handed over since. */
    private long vouchedAt = Long.MIN_VALUE;
    /** Records appended before this were fetched before this tick: handed over by the next. */
    private long fetchedAt = Long.MIN_VALUE;

    /** The task read a record stamped {@code timestamp}. */
    void read(long timestamp) {
        readSinceTick = true;
        newest = Math.max(newest, timestamp);
        THREAD_READS.get()[0]++;
    }

    /**
     * A tick of the punctuator, on the task's stream thread, at wall-clock time {@code now}: the instant staleness is
     * judged at, never later than {@code now}, or {@link #NOT_YET}. A task whose thread read nothing since the last
     * tick asks {@code backlog} (does the consumer know of records it has not handed over?) before its clock runs past
     * the newest record read; one quiet for {@link #IDLE}, on a thread whose tasks have all been quiet that long (or
     * itself for {@link #BUSY_IDLE}), and without records waiting has caught up.
     */
    long tick(long now, BooleanSupplier backlog) {
        return tick(now, backlog, () -> -1);
    }

    /**
     * As {@link #tick(long, BooleanSupplier)}, where {@code fetches} counts the fetch responses of the task's consumer
     * (-1: not counted). Two more responses since an earlier tick mean a fetch sent after that tick completed (a
     * consumer has one fetch in flight per broker): records appended before it were fetched, and handed over by the
     * next tick. The clock goes no further than that instant, or the newest record read.
     */
    long tick(long now, BooleanSupplier backlog, LongSupplier fetches) {
        long judged = judge(now, backlog);
        long count = fetches.getAsLong();
        if (count < 0) {
            return judged;
        }
        vouchedAt = fetchedAt;
        if (fetchCount < 0 || count < fetchCount) {
            fetchCount = count; // the first count, or a new consumer's
            fetchCountAt = now;
        } else if (count >= fetchCount + 2) {
            fetchedAt = fetchCountAt;
            fetchCount = count;
            fetchCountAt = now;
        }
        return judged == NOT_YET ? NOT_YET : Math.min(judged, Math.max(newest, vouchedAt));
    }

    private long judge(long now, BooleanSupplier backlog) {
        if (readAt == Long.MIN_VALUE || readSinceTick) {
            readAt = now; // the task started, or read records since the last tick
        }
        readSinceTick = false;
        long reads = THREAD_READS.get()[0];
        boolean threadRead = reads != threadReads; // this task or another of the thread read since the last tick
        if (threadRead) {
            threadReads = reads;
            threadReadAt = now;
        }
        long idle = now - readAt;
        if (idle < IDLE.toMillis()) {
            if (newest == Long.MIN_VALUE) {
                return NOT_YET;
            }
            boolean waiting = idle <= 0 || threadRead || backlog.getAsBoolean();
            return Math.min(now, waiting ? newest : newest + idle);
        }
        boolean threadQuiet = now - threadReadAt >= IDLE.toMillis() || idle >= BUSY_IDLE.toMillis();
        if (threadQuiet && !backlog.getAsBoolean()) {
            return now;
        }
        return newest == Long.MIN_VALUE ? NOT_YET : Math.min(now, newest);
    }
}

package io.contactaudit.evaluate;

/**
 * What a task keeps in memory of each subscription, beside the store: the instant it goes stale — what the staleness
 * pass needs of every posture, without reading and decoding the store — and a digest of the content of the snapshot
 * its posture was last evaluated on, so that an unchanged snapshot need not be evaluated again
 * ({@link PostureMachine#onSnapshot(io.contactaudit.schema.PostureState, io.contactaudit.schema.SecurityContactSnapshot, long, boolean)}).
 * Filled from the store after the task starts, a slice at a time while snapshots are processed (no digests then), and
 * kept in step with every write to the store; a staleness pass reads the store only for the subscriptions it finds due.
 *
 * <p>An open-addressing table (linear probing, deletion by backward shift) of subscription id, deadline and a
 * 128-bit digest: parallel arrays, no object per entry but the id itself. A scan walks the slots from a cursor, so
 * that a pass can stop after a time slice and resume where it stopped.
 */
final class PostureIndex {

    /** A subscription that is already flagged stale: not due again until a snapshot arrives. */
    static final long NEVER = Long.MAX_VALUE;

    private String[] keys = new String[16];
    private long[] deadlines = new long[16];
    private long[] digests = new long[32];
    private int size;
    private int cursor;

    /** How many subscriptions the index holds. */
    int size() {
        return size;
    }

    /** Sets when {@code subscription} goes stale: it is judged stale at any instant after {@code deadline}. */
    void put(String subscription, long deadline) {
        int i = slot(subscription);
        if (keys[i] == null) {
            if (2 * (size + 1) > keys.length) {
                grow();
                i = slot(subscription);
            }
            keys[i] = subscription;
            digests[2 * i] = 0;
            digests[2 * i + 1] = 0;
            size++;
        }
        deadlines[i] = deadline;
    }

    /** Notes the digest of the content {@code subscription}'s posture was evaluated on; 0, 0: none (not worth noting). */
    void digest(String subscription, long high, long low) {
        int i = slot(subscription);
        if (keys[i] != null) {
            digests[2 * i] = high;
            digests[2 * i + 1] = low;
        }
    }

    /** Whether {@code subscription}'s posture was last evaluated on content of this digest (never for 0, 0). */
    boolean sameDigest(String subscription, long high, long low) {
        int i = slot(subscription);
        return keys[i] != null && (high != 0 || low != 0) && digests[2 * i] == high && digests[2 * i + 1] == low;
    }

    /** The deadline of {@code subscription}, or null when the index does not hold it. */
    Long deadline(String subscription) {
        int i = slot(subscription);
        return keys[i] == null ? null : deadlines[i];
    }

    /** Forgets {@code subscription} (its posture was deleted). */
    void remove(String subscription) {
        int i = slot(subscription);
        if (keys[i] == null) {
            return;
        }
        int mask = keys.length - 1;
        // backward-shift deletion: move up every entry of the run after i that may live at i
        int hole = i;
        for (int j = (i + 1) & mask; keys[j] != null; j = (j + 1) & mask) {
            int home = home(keys[j]);
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                keys[hole] = keys[j];
                deadlines[hole] = deadlines[j];
                digests[2 * hole] = digests[2 * j];
                digests[2 * hole + 1] = digests[2 * j + 1];
                if (cursor == j) {
                    cursor = hole; // the scan has not passed the entry it was about to read
                }
                hole = j;
            }
        }
        keys[hole] = null;
        size--;
    }

    /** What a scan does with a subscription that is due. */
    interface Due {
        void accept(String subscription);
    }

    /**
     * Calls {@code due} for every subscription whose deadline is before {@code judgedAt}, from where the last scan
     * stopped, until {@code deadlineNanos} ({@link System#nanoTime()}) has passed; true when it reached the end of the
     * table, which it then starts over from. {@code due} may {@link #put} or {@link #remove} the subscription it is given.
     */
    boolean scan(long judgedAt, long deadlineNanos, Due due) {
        int checked = 0;
        while (cursor < keys.length) {
            int i = cursor;
            String key = keys[i];
            if (key != null && deadlines[i] < judgedAt) {
                due.accept(key);
                if (keys[i] == key) {
                    cursor++; // else a removal moved another entry into this slot: read it next
                }
                if (System.nanoTime() > deadlineNanos) {
                    return false; // each one due costs a store read and write: the clock is read after each
                }
            } else {
                cursor++;
                if ((++checked & 1023) == 0 && System.nanoTime() > deadlineNanos) {
                    return false;
                }
            }
        }
        cursor = 0;
        return true;
    }

    private void grow() {
        String[] oldKeys = keys;
        long[] oldDeadlines = deadlines;
        long[] oldDigests = digests;
        keys = new String[oldKeys.length * 2];
        deadlines = new long[oldKeys.length * 2];
        digests = new long[oldKeys.length * 4];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != null) {
                int j = slot(oldKeys[i]);
                keys[j] = oldKeys[i];
                deadlines[j] = oldDeadlines[i];
                digests[2 * j] = oldDigests[2 * i];
                digests[2 * j + 1] = oldDigests[2 * i + 1];
                size++;
            }
        }
        cursor = 0; // a resize reorders the table: a scan under way starts over (it only repeats checks)
    }

    private int slot(String key) {
        int mask = keys.length - 1;
        int i = home(key);
        while (keys[i] != null && !keys[i].equals(key)) {
            i = (i + 1) & mask;
        }
        return i;
    }

    private int home(String key) {
        int h = key.hashCode() * 0x9E3779B9;
        return (h ^ (h >>> 16)) & (keys.length - 1);
    }
}

package io.contactaudit.evaluate;

import io.contactaudit.Sha256;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * What a task keeps in memory of each subscription, beside the store: the instant it goes stale — what the staleness
 * pass needs of every posture, without reading and decoding the store — and a digest of the content of the snapshot
 * its posture was last evaluated on, so that an unchanged snapshot need not be evaluated again
 * ({@link PostureMachine#onSnapshot(io.contactaudit.schema.PostureState, io.contactaudit.schema.SecurityContactSnapshot, long, boolean)}).
 * Filled from the store after the task starts, a slice at a time while snapshots are processed (no digests then), and
 * kept in step with every write to the store; a staleness pass reads the store only for the subscriptions it finds due.
 *
 * <p>An open-addressing table (linear probing, deletion by backward shift) held in arrays of numbers, so that a lookup
 * reads one run of memory instead of following references to a key's {@code String} and its bytes. A subscription is
 * known by 128 bits: a subscription id in the canonical form (a GUID: 32 lower-case hexadecimal digits in groups of 8,
 * 4, 4, 4, 12) by its own 128 bits, any other key by the first 128 bits of the SHA-256 of its characters. Only those
 * other keys keep their text, and that tells the two kinds apart: anyone can write a key's hash as a GUID, and the two
 * are still two subscriptions. A GUID's text is written again when a scan hands it out. Each slot holds the id's 128
 * bits beside the content digest's, and the deadline in an array of its own. A scan walks the slots
 * from a cursor, so that a pass can stop after a time slice and resume where it stopped.
 */
final class PostureIndex {

    /** A subscription that is already flagged stale: not due again until a snapshot arrives. */
    static final long NEVER = Long.MAX_VALUE;

    /** Longs per slot in {@link #slots}: the id's 128 bits, then the digest's. */
    private static final int STRIDE = 4;

    private final MessageDigest sha256 = Sha256.digest();
    private long[] slots = new long[16 * STRIDE]; // an empty slot's id is 0, 0: the all-zero GUID is known by its hash
    private long[] deadlines = new long[16];
    private String[] names = new String[16]; // the text of a key that is not a GUID in canonical form
    private int size;
    private int cursor;
    // the id of the key last looked up ({@link #identify}), and whether it is a hash: one thread uses a task's index
    private long high;
    private long low;
    private boolean hashed;

    /** How many subscriptions the index holds. */
    int size() {
        return size;
    }

    /** Sets when {@code subscription} goes stale: it is judged stale at any instant after {@code deadline}. */
    void put(String subscription, long deadline) {
        boolean guid = identify(subscription);
        int i = slot();
        if (empty(i)) {
            if (2 * (size + 1) > deadlines.length) {
                grow();
                i = slot();
            }
            slots[STRIDE * i] = high;
            slots[STRIDE * i + 1] = low;
            slots[STRIDE * i + 2] = 0;
            slots[STRIDE * i + 3] = 0;
            names[i] = guid ? null : subscription;
            size++;
        }
        deadlines[i] = deadline;
    }

    /** Notes the digest of the content {@code subscription}'s posture was evaluated on; 0, 0: none (not worth noting). */
    void digest(String subscription, long digestHigh, long digestLow) {
        identify(subscription);
        int i = slot();
        if (!empty(i)) {
            slots[STRIDE * i + 2] = digestHigh;
            slots[STRIDE * i + 3] = digestLow;
        }
    }

    /** Whether {@code subscription}'s posture was last evaluated on content of this digest (never for 0, 0). */
    boolean sameDigest(String subscription, long digestHigh, long digestLow) {
        identify(subscription);
        int i = slot();
        return !empty(i)
                && (digestHigh != 0 || digestLow != 0)
                && slots[STRIDE * i + 2] == digestHigh
                && slots[STRIDE * i + 3] == digestLow;
    }

    /** The deadline of {@code subscription}, or null when the index does not hold it. */
    Long deadline(String subscription) {
        identify(subscription);
        int i = slot();
        return empty(i) ? null : deadlines[i];
    }

    /** Forgets {@code subscription} (its posture was deleted). */
    void remove(String subscription) {
        identify(subscription);
        int i = slot();
        if (empty(i)) {
            return;
        }
        int mask = deadlines.length - 1;
        // backward-shift deletion: move up every entry of the run after i that may live at i
        int hole = i;
        for (int j = (i + 1) & mask; !empty(j); j = (j + 1) & mask) {
            int home = home(slots[STRIDE * j], slots[STRIDE * j + 1]);
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                System.arraycopy(slots, STRIDE * j, slots, STRIDE * hole, STRIDE);
                deadlines[hole] = deadlines[j];
                names[hole] = names[j];
                if (j >= cursor && hole < cursor) {
                    // an entry the scan has not read moves behind it: the scan goes back to read it (and repeats the
                    // checks between); an entry that wraps around to the end of the table is still ahead of it
                    cursor = hole;
                }
                hole = j;
            }
        }
        Arrays.fill(slots, STRIDE * hole, STRIDE * hole + STRIDE, 0);
        names[hole] = null;
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
        while (cursor < deadlines.length) {
            int i = cursor;
            if (!empty(i) && deadlines[i] < judgedAt) {
                long idHigh = slots[STRIDE * i];
                long idLow = slots[STRIDE * i + 1];
                due.accept(names[i] != null ? names[i] : guid(idHigh, idLow));
                if (slots[STRIDE * i] == idHigh && slots[STRIDE * i + 1] == idLow) {
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
        long[] oldSlots = slots;
        long[] oldDeadlines = deadlines;
        String[] oldNames = names;
        slots = new long[oldSlots.length * 2];
        deadlines = new long[oldDeadlines.length * 2];
        names = new String[oldNames.length * 2];
        long keepHigh = high;
        long keepLow = low;
        boolean keepHashed = hashed;
        for (int i = 0; i < oldDeadlines.length; i++) {
            high = oldSlots[STRIDE * i];
            low = oldSlots[STRIDE * i + 1];
            hashed = oldNames[i] != null;
            if (high != 0 || low != 0) {
                int j = slot();
                System.arraycopy(oldSlots, STRIDE * i, slots, STRIDE * j, STRIDE);
                deadlines[j] = oldDeadlines[i];
                names[j] = oldNames[i];
            }
        }
        high = keepHigh;
        low = keepLow;
        hashed = keepHashed;
        cursor = 0; // a resize reorders the table: a scan under way starts over (it only repeats checks)
    }

    /**
     * The slot of the id in {@link #high}, {@link #low} and of the kind {@link #hashed} says: where it is, or the empty
     * slot where it would go.
     */
    private int slot() {
        int mask = deadlines.length - 1;
        int i = home(high, low);
        while (!empty(i)
                && (slots[STRIDE * i] != high || slots[STRIDE * i + 1] != low || (names[i] != null) != hashed)) {
            i = (i + 1) & mask;
        }
        return i;
    }

    private boolean empty(int i) {
        return slots[STRIDE * i] == 0 && slots[STRIDE * i + 1] == 0;
    }

    /** An id's first slot: all its bits mixed (Murmur3's finalizer), as ids that follow a pattern share many. */
    private int home(long idHigh, long idLow) {
        long h = idHigh * 0x9E3779B97F4A7C15L + idLow;
        h = (h ^ (h >>> 33)) * 0xFF51AFD7ED558CCDL;
        h = (h ^ (h >>> 33)) * 0xC4CEB9FE1A85EC53L;
        return (int) (h ^ (h >>> 33)) & (deadlines.length - 1);
    }

    /** The longest distance of an entry from its first slot (tests: ids that follow a pattern spread out). */
    int longestProbe() {
        int mask = deadlines.length - 1;
        int longest = 0;
        for (int i = 0; i < deadlines.length; i++) {
            if (!empty(i)) {
                longest = Math.max(longest, (i - home(slots[STRIDE * i], slots[STRIDE * i + 1])) & mask);
            }
        }
        return longest;
    }

    /**
     * Sets {@link #high}, {@link #low} to the 128 bits {@code subscription} is known by, and {@link #hashed}; true when
     * they are its own (a GUID), false when its hash's (of its characters, two bytes each: every text its own bytes).
     */
    private boolean identify(String subscription) {
        if (readGuid(subscription)) {
            hashed = false;
            return true;
        }
        ByteBuffer chars = ByteBuffer.allocate(2 * subscription.length());
        for (int i = 0; i < subscription.length(); i++) {
            chars.putChar(subscription.charAt(i));
        }
        ByteBuffer hash = ByteBuffer.wrap(sha256.digest(chars.array()));
        high = hash.getLong();
        low = hash.getLong();
        hashed = true;
        return false;
    }

    /**
     * Whether {@code key} is a GUID in canonical form, other than the all-zero one (which marks an empty slot); when it
     * is, its 128 bits are in {@link #high}, {@link #low}.
     */
    private boolean readGuid(String key) {
        if (key.length() != 36) {
            return false;
        }
        long first = 0;
        long second = 0;
        int digits = 0;
        for (int i = 0; i < 36; i++) {
            char c = key.charAt(i);
            if (i == 8 || i == 13 || i == 18 || i == 23) {
                if (c != '-') {
                    return false;
                }
                continue;
            }
            int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            if (digit < 0) {
                return false;
            }
            if (digits++ < 16) {
                first = first << 4 | digit;
            } else {
                second = second << 4 | digit;
            }
        }
        if (first == 0 && second == 0) {
            return false;
        }
        high = first;
        low = second;
        return true;
    }

    /** The canonical text of the GUID of these 128 bits. */
    static String guid(long idHigh, long idLow) {
        String hex = String.format("%016x%016x", idHigh, idLow);
        return hex.substring(0, 8)
                + '-'
                + hex.substring(8, 12)
                + '-'
                + hex.substring(12, 16)
                + '-'
                + hex.substring(16, 20)
                + '-'
                + hex.substring(20);
    }
}

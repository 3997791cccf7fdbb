package io.contactaudit.collector;

import java.util.function.LongSupplier;

/**
 * A token bucket as Resource Manager meters reads: {@code capacity} tokens, refilled at {@code perSecond}. The collector
 * {@link #take() takes} one before each request, waiting its turn, so that a sweep stays under the limit instead of
 * meeting 429s; the local endpoint {@link #tryTake() tries} one per request and answers 429 when there is none.
 */
public final class TokenBucket {

    private final double capacity;
    private final double perNano;
    private final LongSupplier nanoTime;
    private double tokens;
    private long last;

    public TokenBucket(int capacity, double perSecond) {
        this(capacity, perSecond, System::nanoTime);
    }

    TokenBucket(int capacity, double perSecond, LongSupplier nanoTime) {
        if (capacity < 1 || !(perSecond > 0)) {
            throw new IllegalArgumentException("a token bucket needs a capacity of at least 1 and a positive rate, got "
                    + capacity + " and " + perSecond);
        }
        this.capacity = capacity;
        this.perNano = perSecond / 1e9;
        this.nanoTime = nanoTime;
        this.tokens = capacity;
        this.last = nanoTime.getAsLong();
    }

    /** Takes a token if there is one: 0, else the nanoseconds until there will be one (nothing taken). */
    public synchronized long tryTake() {
        refill();
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        return (long) Math.ceil((1 - tokens) / perNano);
    }

    /**
     * Reserves a token, in turn with the other callers: 0 when one was there, else the nanoseconds to wait before
     * using it.
     */
    synchronized long reserve() {
        refill();
        tokens -= 1;
        return tokens >= 0 ? 0 : (long) Math.ceil(-tokens / perNano);
    }

    /** Takes a token, waiting until it is there. */
    public void take() throws InterruptedException {
        long wait = reserve();
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }

    private void refill() {
        long now = nanoTime.getAsLong();
        tokens = Math.min(capacity, tokens + (now - last) * perNano);
        last = now;
    }
}

package io.contactaudit.collector;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/** What a client met: responses by HTTP status, 429 responses, time spent waiting, the lowest remaining-reads quota seen. */
public final class ThrottleStats {

    private final AtomicLong throttled = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong waitedMillis = new AtomicLong();
    private final AtomicLong minRemainingReads = new AtomicLong(Long.MAX_VALUE);
    private final ConcurrentMap<Integer, AtomicLong> byStatus = new ConcurrentHashMap<>();

    void response(int status) {
        byStatus.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
    }

    /** Responses received (after retries) by HTTP status, since the client was made. */
    public Map<Integer, Long> responsesByStatus() {
        Map<Integer, Long> copy = new TreeMap<>();
        byStatus.forEach((k, v) -> copy.put(k, v.get()));
        return copy;
    }

    void throttled() {
        throttled.incrementAndGet();
    }

    void retried(Duration waited) {
        retries.incrementAndGet();
        waitedMillis.addAndGet(waited.toMillis());
    }

    void remainingReads(String header) {
        if (header == null) {
            return;
        }
        try {
            long remaining = Long.parseLong(header.trim());
            minRemainingReads.accumulateAndGet(remaining, Math::min);
        } catch (NumberFormatException ignored) {
            // not a number: nothing to record
        }
    }

    /** HTTP 429 responses received (including those later retried successfully). */
    public long throttledResponses() {
        return throttled.get();
    }

    /** Requests retried (429, 5xx, network errors). */
    public long retries() {
        return retries.get();
    }

    /** Total time spent waiting before retries. */
    public Duration waited() {
        return Duration.ofMillis(waitedMillis.get());
    }

    /** Lowest {@code x-ms-ratelimit-remaining-subscription-reads} seen, or -1 when none was. */
    public long minRemainingReads() {
        long min = minRemainingReads.get();
        return min == Long.MAX_VALUE ? -1 : min;
    }
}

package io.contactaudit.collector;

import io.contactaudit.schema.CollectionStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The outcome of one collection run.
 *
 * @param runId           the run's id, carried by each of its snapshots
 * @param startedAt       when it started
 * @param duration        how long it took, publishing included
 * @param byStatus        snapshots per collection status
 * @param removed         subscriptions announced as gone (tombstones)
 * @param published       records written to Kafka
 * @param publishFailures records that could not be written
 * @param tooLarge        snapshots too large to publish, published as ERROR snapshots without their pages instead
 *                        (among those published)
 * @param firstPublishError the first publishing error, or null
 * @param throttledResponses HTTP 429 responses met
 * @param retries         requests retried
 * @param waited          time spent waiting before retries
 * @param minRemainingReads lowest x-ms-ratelimit-remaining-subscription-reads seen, -1 if none
 * @param tenants         each tenant's listing, when the collector reads named tenants (empty otherwise)
 */
public record RunSummary(
        String runId,
        Instant startedAt,
        Duration duration,
        Map<CollectionStatus, Integer> byStatus,
        int removed,
        int published,
        int publishFailures,
        int tooLarge,
        String firstPublishError,
        long throttledResponses,
        long retries,
        Duration waited,
        long minRemainingReads,
        List<TenantRun> tenants) {

    /**
     * One tenant's part of a run.
     *
     * @param listed       subscriptions its identity listed (delegated ones included)
     * @param read         of those, read through its identity (a subscription listed twice is read once)
     * @param listingError why its subscriptions could not be listed, or null
     */
    public record TenantRun(String tenantId, String name, int listed, int read, String listingError) {

        /** {@code name listed N, read M}, or {@code name NOT LISTED: why}. */
        public String line() {
            String who = name == null || name.equals(tenantId) ? tenantId : name;
            return listingError != null
                    ? who + " NOT LISTED: " + listingError
                    : who + " listed " + listed + ", read " + read;
        }
    }

    public RunSummary {
        tenants = tenants == null ? List.of() : List.copyOf(tenants);
    }

    /** The tenants whose listing failed. */
    public List<TenantRun> unlistedTenants() {
        return tenants.stream().filter(t -> t.listingError() != null).toList();
    }

    /** Snapshots in the run. */
    public int subscriptions() {
        return byStatus.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Whether every record was published. */
    public boolean publishedAll() {
        return publishFailures == 0;
    }

    /** Snapshots per second. */
    public double rate() {
        double seconds = Math.max(duration.toMillis(), 1) / 1000.0;
        return subscriptions() / seconds;
    }

    /** One line: counts per status, duration, throttling, publishing. */
    public String line() {
        Map<CollectionStatus, Integer> all = new EnumMap<>(CollectionStatus.class);
        for (CollectionStatus s : CollectionStatus.values()) {
            all.put(s, byStatus.getOrDefault(s, 0));
        }
        String statuses = all.entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", "));
        return String.format(
                Locale.ROOT,
                "run %s: %d subscriptions in %.1f s (%.0f/s): %s; removed %d; published %d%s, failed %d%s; "
                        + "throttled %d, retries %d, waited %.1f s, lowest remaining reads %s%s",
                runId,
                subscriptions(),
                duration.toMillis() / 1000.0,
                rate(),
                statuses,
                removed,
                published,
                tooLarge == 0 ? "" : " (" + tooLarge + " too large to publish: published as ERROR without their pages)",
                publishFailures,
                firstPublishError == null ? "" : " (" + firstPublishError + ")",
                throttledResponses,
                retries,
                waited.toMillis() / 1000.0,
                minRemainingReads < 0 ? "n/a" : String.valueOf(minRemainingReads),
                tenants.isEmpty()
                        ? ""
                        : "; tenants: " + tenants.stream().map(TenantRun::line).collect(Collectors.joining("; ")));
    }
}

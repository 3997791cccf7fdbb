package io.contactaudit.collector;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.contactaudit.Errors;
import io.contactaudit.rule.ResponseBody;
import io.contactaudit.rule.SecurityContactsNormalizer;
import io.contactaudit.schema.CollectionStatus;
import io.contactaudit.schema.SecurityContactSnapshot;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One collection run: discover the subscriptions (or take the given list), read each one's security
 * contacts with bounded concurrency, and publish exactly one snapshot per subscription whatever happened
 * — OK with the raw bodies, or FORBIDDEN / NOT_FOUND / THROTTLED / ERROR with the HTTP status, message
 * and request id. One bad subscription never aborts the run.
 */
public final class Collector {

    private static final Logger LOG = LoggerFactory.getLogger(Collector.class);
    private static final ObjectMapper JSON = SecurityContactsNormalizer.boundedMapper();
    /** Default securityContacts api-version. */
    public static final String DEFAULT_API_VERSION = "2023-12-01-preview";

    /**
     * @param apiVersion    securityContacts api-version requested
     * @param concurrency   subscriptions read at the same time
     * @param subscriptions explicit subscription ids; empty: every subscription the identity can see
     * @param include       only subscriptions whose id or name matches (null: all)
     * @param exclude       not the subscriptions whose id or name matches (null: none)
     * @param maxPages      most pages followed per subscription
     */
    public record Settings(
            String apiVersion,
            int concurrency,
            List<String> subscriptions,
            Pattern include,
            Pattern exclude,
            int maxPages) {
        public Settings {
            if (concurrency < 1) {
                throw new IllegalArgumentException("concurrency must be at least 1, got " + concurrency);
            }
        }

        public static Settings defaults() {
            return new Settings(DEFAULT_API_VERSION, 16, List.of(), null, null, 50);
        }
    }

    /** Hears about a run's progress. */
    public interface Progress {
        void started(int subscriptions);

        void collected(SecurityContactSnapshot snapshot);

        Progress NONE = new Progress() {
            @Override
            public void started(int subscriptions) {}

            @Override
            public void collected(SecurityContactSnapshot snapshot) {}
        };
    }

    private final ArmClient arm;
    private final Settings settings;
    private final Clock clock;
    /** The subscriptions of the last listing, by id: names and tenants for change-triggered reads. */
    private final Map<String, ArmClient.DiscoveredSubscription> listed = new ConcurrentHashMap<>();

    public Collector(ArmClient arm, Settings settings, Clock clock) {
        this.arm = arm;
        this.settings = settings;
        this.clock = clock;
    }

    /**
     * Runs once.
     *
     * @param sink  where snapshots and removals go
     * @param known subscriptions the pipeline knows (from the posture table) with their tenant; those of a listed
     *              tenant that are no longer listed at all are removed (filtered-out ones are not: another
     *              collector may own them)
     */
    public RunSummary run(SnapshotSink sink, Map<String, String> known, Progress progress) throws InterruptedException {
        return run(sink, known, progress, null);
    }

    /**
     * Runs once, as one run of a loop that runs every {@code interval}: each snapshot declares it, so that every
     * evaluator judges staleness with the same window (null: a one-shot run, which declares none).
     */
    public RunSummary run(SnapshotSink sink, Map<String, String> known, Progress progress, Duration interval)
            throws InterruptedException {
        Instant started = clock.instant();
        long startNanos = System.nanoTime();
        String runId = UUID.randomUUID().toString();
        long throttledBefore = arm.stats().throttledResponses();
        long retriesBefore = arm.stats().retries();
        Duration waitedBefore = arm.stats().waited();

        List<ArmClient.DiscoveredSubscription> listed = list();
        listed.forEach(l -> this.listed.put(l.id().toLowerCase(Locale.ROOT), l));
        List<ArmClient.DiscoveredSubscription> targets =
                listed.stream().filter(this::selected).toList();
        progress.started(targets.size());
        Queue<CompletableFuture<Void>> writes = new ConcurrentLinkedQueue<>();
        Map<CollectionStatus, Integer> byStatus = new EnumMap<>(CollectionStatus.class);
        ExecutorService pool =
                Executors.newFixedThreadPool(Math.min(settings.concurrency(), Math.max(1, targets.size())), daemon());
        try {
            List<Future<SecurityContactSnapshot>> reads = new ArrayList<>();
            for (ArmClient.DiscoveredSubscription target : targets) {
                reads.add(pool.submit(() -> {
                    SecurityContactSnapshot snapshot = collect(target, runId);
                    snapshot.setCollectionIntervalMs(interval == null ? null : interval.toMillis());
                    // may block while the brokers are away (the producer's max.block.ms), never loses the snapshot
                    // silently
                    writes.add(sink.publish(snapshot));
                    progress.collected(snapshot);
                    return snapshot;
                }));
            }
            for (Future<SecurityContactSnapshot> read : reads) {
                try {
                    byStatus.merge(read.get().getStatus(), 1, Integer::sum);
                } catch (ExecutionException e) {
                    // collect() catches everything; a failure here is a bug, and still must not lose the others
                    LOG.error("collection task failed: {}", Errors.messages(e.getCause()), e.getCause());
                    byStatus.merge(CollectionStatus.ERROR, 1, Integer::sum);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        int removed = 0;
        if (settings.subscriptions().isEmpty()) {
            Set<String> seen = new HashSet<>();
            Set<String> tenants = new HashSet<>();
            listed.forEach(t -> {
                seen.add(t.id().toLowerCase(Locale.ROOT));
                tenants.add(t.tenantId() == null ? "" : t.tenantId().toLowerCase(Locale.ROOT));
            });
            for (Map.Entry<String, String> entry : new TreeMap<>(known).entrySet()) {
                String gone = entry.getKey();
                String tenant =
                        entry.getValue() == null ? null : entry.getValue().toLowerCase(Locale.ROOT);
                if (tenant != null && tenants.contains(tenant) && !seen.contains(gone.toLowerCase(Locale.ROOT))) {
                    writes.add(sink.remove(gone));
                    removed++;
                    LOG.info("subscription {} is no longer visible: announcing its removal", gone);
                }
            }
        }
        int failures = 0;
        String firstError = null;
        for (CompletableFuture<Void> write : writes) {
            try {
                write.get();
            } catch (ExecutionException e) {
                failures++;
                if (firstError == null) {
                    firstError = Errors.messages(e.getCause());
                }
            }
        }
        return new RunSummary(
                runId,
                started,
                Duration.ofNanos(System.nanoTime() - startNanos),
                byStatus,
                removed,
                writes.size() - failures,
                failures,
                firstError,
                arm.stats().throttledResponses() - throttledBefore,
                arm.stats().retries() - retriesBefore,
                arm.stats().waited().minus(waitedBefore),
                arm.stats().minRemainingReads());
    }

    private static ThreadFactory daemon() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "contact-audit-collector-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** The subscriptions listed (before filters); explicit ids are taken as given. */
    List<ArmClient.DiscoveredSubscription> list() {
        List<ArmClient.DiscoveredSubscription> all;
        if (!settings.subscriptions().isEmpty()) {
            Map<String, ArmClient.DiscoveredSubscription> unique = new LinkedHashMap<>();
            for (String id : settings.subscriptions()) {
                String sub = id.trim().toLowerCase(Locale.ROOT);
                if (!sub.isEmpty()) {
                    unique.putIfAbsent(sub, new ArmClient.DiscoveredSubscription(sub, null, null, null));
                }
            }
            all = List.copyOf(unique.values());
        } else {
            try {
                all = arm.subscriptions();
            } catch (RuntimeException e) {
                throw new IllegalStateException(
                        "cannot list the subscriptions visible to the identity at " + arm.endpoint() + ": "
                                + Errors.messages(e),
                        e);
            }
        }
        return all;
    }

    /**
     * Reads one subscription again because Azure said one of its security contacts changed: a snapshot of a run of its
     * own that carries the change's id and time, or null when the subscription is outside this collector's scope
     * (not in {@code subscriptions}, or filtered out by include/exclude on its id or last listed name). Never throws.
     *
     * @param interval the poll's interval, declared on the snapshot as the poll declares it (null: none)
     */
    public SecurityContactSnapshot collectChanged(ChangeEvents.Change change, Duration interval) {
        String sub = change.subscriptionId().toLowerCase(Locale.ROOT);
        if (!settings.subscriptions().isEmpty()
                && settings.subscriptions().stream()
                        .map(s -> s.trim().toLowerCase(Locale.ROOT))
                        .noneMatch(sub::equals)) {
            return null;
        }
        ArmClient.DiscoveredSubscription target =
                listed.getOrDefault(sub, new ArmClient.DiscoveredSubscription(sub, change.tenantId(), null, null));
        if (!selected(target)) {
            return null;
        }
        SecurityContactSnapshot snapshot = collect(target, UUID.randomUUID().toString());
        snapshot.setCollectionIntervalMs(interval == null ? null : interval.toMillis());
        snapshot.setTriggerEventId(change.eventId());
        snapshot.setTriggerEventTime(change.eventTime());
        return snapshot;
    }

    /**
     * Reads one named subscription's contacts into a snapshot, whatever the scope settings say (an operator named
     * it); its name and tenant as last listed, when they were. Never throws.
     */
    public SecurityContactSnapshot read(String subscriptionId, String runId) {
        String sub = subscriptionId.trim().toLowerCase(Locale.ROOT);
        return collect(listed.getOrDefault(sub, new ArmClient.DiscoveredSubscription(sub, null, null, null)), runId);
    }

    private boolean selected(ArmClient.DiscoveredSubscription s) {
        boolean in = settings.include() == null || matches(settings.include(), s);
        boolean out = settings.exclude() != null && matches(settings.exclude(), s);
        return in && !out;
    }

    private static boolean matches(Pattern pattern, ArmClient.DiscoveredSubscription s) {
        return pattern.matcher(s.id()).find()
                || (s.name() != null && pattern.matcher(s.name()).find());
    }

    /** Reads one subscription's contacts into exactly one snapshot; never throws. */
    SecurityContactSnapshot collect(ArmClient.DiscoveredSubscription target, String runId) {
        String sub = target.id().toLowerCase(Locale.ROOT);
        SecurityContactSnapshot.Builder snapshot = SecurityContactSnapshot.newBuilder()
                .setSubscriptionId(sub)
                .setTenantId(target.tenantId())
                .setSubscriptionName(target.name())
                .setSubscriptionState(target.state())
                .setRunId(runId)
                .setApiVersion(settings.apiVersion());
        List<String> pages = new ArrayList<>();
        try {
            String url = "/subscriptions/" + sub + "/providers/Microsoft.Security/securityContacts?api-version="
                    + settings.apiVersion();
            long read = 0;
            while (true) {
                ArmClient.Response response = arm.get(url);
                snapshot.setHttpStatus(response.status()).setArmRequestId(response.requestId());
                read += response.body().length();
                if (read > ResponseBody.MAX_BYTES) {
                    snapshot.setStatus(CollectionStatus.ERROR)
                            .setErrorMessage("the pages of security contacts exceed " + ResponseBody.MAX_BYTES
                                    + " characters together; page " + (pages.size() + 1) + " not kept");
                    break;
                }
                pages.add(response.body());
                if (response.status() != 200) {
                    snapshot.setStatus(status(response.status())).setErrorMessage(response.error());
                    break;
                }
                String next = nextLink(response.body());
                if (next == null) {
                    snapshot.setStatus(CollectionStatus.OK);
                    break;
                }
                if (pages.size() >= settings.maxPages()) {
                    snapshot.setStatus(CollectionStatus.ERROR)
                            .setErrorMessage("more than " + settings.maxPages()
                                    + " pages of security contacts; stopped following nextLink");
                    break;
                }
                if (!sameHost(next)) {
                    snapshot.setStatus(CollectionStatus.ERROR)
                            .setErrorMessage(
                                    "nextLink points outside the Resource Manager endpoint, not followed: " + next);
                    break;
                }
                url = next;
            }
        } catch (RuntimeException e) {
            snapshot.setStatus(CollectionStatus.ERROR).setErrorMessage(describe(e));
        }
        // the raw pages are the snapshot's one representation of the contacts: the rule reads them, in the evaluator
        // and
        // in replay reevaluate; each page is parsed here once, for its nextLink (contacts stays empty)
        snapshot.setCollectedAt(clock.instant()).setRawBodies(pages);
        return snapshot.build();
    }

    private String describe(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException || t instanceof HttpTimeoutException) {
                return "request timed out (" + Errors.messages(e) + ")";
            }
        }
        return Errors.messages(e);
    }

    private boolean sameHost(String url) {
        try {
            URI next = URI.create(url);
            return arm.endpoint().getHost().equalsIgnoreCase(next.getHost())
                    && arm.endpoint().getPort() == next.getPort()
                    && "https".equalsIgnoreCase(next.getScheme());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    static CollectionStatus status(int http) {
        return switch (http) {
            case 401, 403 -> CollectionStatus.FORBIDDEN;
            case 404 -> CollectionStatus.NOT_FOUND;
            case 429 -> CollectionStatus.THROTTLED;
            default -> CollectionStatus.ERROR;
        };
    }

    /** {@code code: message} of an ARM error body, else the HTTP status. */
    /** The nextLink of a list page, or null (also for a bare array or an unreadable body). */
    static String nextLink(String body) {
        try {
            JsonNode link = JSON.readTree(body).path("nextLink");
            return link.isTextual() && !link.asText().isBlank() ? link.asText() : null;
        } catch (IOException | RuntimeException unreadable) {
            return null;
        }
    }
}

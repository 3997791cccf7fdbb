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
import java.util.HashMap;
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

    /** One identity and the tenant it reads. */
    public record Source(Tenant tenant, ArmClient arm) {}

    /** One identity's listing: the subscriptions it sees, or why it could not list them. */
    private record Listing(Source source, List<ArmClient.DiscoveredSubscription> subscriptions, String error) {}

    /** A subscription to read, and the identity to read it with. */
    private record Target(ArmClient.DiscoveredSubscription subscription, Source via) {}

    private final List<Source> sources;
    /** Whether the identities name their tenants (a tenants file), or one identity reads whatever it sees. */
    private final boolean named;

    private final Settings settings;
    private final Clock clock;
    /** Tenant id → display name, of the tenants named by the sources. */
    private final Map<String, String> tenantNames = new HashMap<>();
    /** The subscriptions of the last listing, by id, with the identity chosen to read each: for change-triggered reads. */
    private final Map<String, Target> listed = new ConcurrentHashMap<>();

    /** A collector of one identity, whatever tenant it belongs to. */
    public Collector(ArmClient arm, Settings settings, Clock clock) {
        this(List.of(new Source(Tenant.ANY, arm)), settings, clock);
    }

    /**
     * A collector of several identities, one per tenant: each lists what it sees; a subscription visible to several
     * (its own tenant's, and a managing tenant's through Azure Lighthouse) is read once, through its own tenant when
     * that tenant is one of them.
     */
    public Collector(List<Source> sources, Settings settings, Clock clock) {
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("a collector needs at least one identity");
        }
        if (sources.size() > 1 && !settings.subscriptions().isEmpty()) {
            throw new IllegalArgumentException("explicit subscriptions (collector.subscriptions) name no tenant: with"
                    + " several tenants, choose subscriptions with each tenant's include/exclude instead");
        }
        this.sources = List.copyOf(sources);
        this.settings = settings;
        this.clock = clock;
        this.named = sources.size() > 1 || sources.get(0).tenant().id() != null;
        sources.forEach(s -> {
            if (s.tenant().id() != null) {
                tenantNames.put(s.tenant().id(), s.tenant().name());
            }
        });
    }

    /**
     * Runs once.
     *
     * @param sink  where snapshots and removals go
     * @param known subscriptions the pipeline knows (from the posture table) with their tenant; those of a listed
     *              tenant that are no longer listed at all are removed (filtered-out ones are not: another
     *              collector may own them)
     */
    public RunSummary run(SnapshotSink sink, Map<String, KnownSubscriptions.Known> known, Progress progress)
            throws InterruptedException {
        return run(sink, known, progress, null);
    }

    /**
     * Runs once, as one run of a loop that runs every {@code interval}: each snapshot declares it, so that every
     * evaluator judges staleness with the same window (null: a one-shot run, which declares none).
     *
     * <p>Removal is per tenant: a known subscription no longer listed is removed only when the tenant that answers
     * for it (the one it was read through, else its own) was listed completely in this run. When that tenant's listing
     * failed, the subscription gets an ERROR snapshot that says so instead (never PASS, never removed).
     */
    public RunSummary run(
            SnapshotSink sink, Map<String, KnownSubscriptions.Known> known, Progress progress, Duration interval)
            throws InterruptedException {
        Instant started = clock.instant();
        long startNanos = System.nanoTime();
        String runId = UUID.randomUUID().toString();
        long throttledBefore = throttled();
        long tooLargeBefore = sink.tooLarge();
        long retriesBefore = retries();
        Duration waitedBefore = waited();

        List<Listing> listings = list();
        Map<String, Target> chosen = choose(listings);
        this.listed.putAll(chosen);
        List<Target> targets = chosen.values().stream().filter(t -> selected(t)).toList();
        List<SecurityContactSnapshot> unlisted =
                settings.subscriptions().isEmpty() ? unlisted(listings, chosen.keySet(), known, runId) : List.of();
        progress.started(targets.size() + unlisted.size());
        Queue<CompletableFuture<Void>> writes = new ConcurrentLinkedQueue<>();
        Map<CollectionStatus, Integer> byStatus = new EnumMap<>(CollectionStatus.class);
        Map<Source, Integer> read = new HashMap<>();
        for (SecurityContactSnapshot snapshot : unlisted) {
            snapshot.setCollectionIntervalMs(interval == null ? null : interval.toMillis());
            writes.add(sink.publish(snapshot));
            progress.collected(snapshot);
            byStatus.merge(snapshot.getStatus(), 1, Integer::sum);
        }
        // one pool per identity: a tenant that throttles or hangs holds its own threads, never another's
        Map<Source, ExecutorService> pools = new HashMap<>();
        try {
            List<Future<CollectionStatus>> reads = new ArrayList<>(targets.size());
            for (Target target : targets) {
                read.merge(target.via(), 1, Integer::sum);
                ExecutorService pool = pools.computeIfAbsent(
                        target.via(), s -> Executors.newFixedThreadPool(settings.concurrency(), daemon()));
                reads.add(pool.submit(() -> {
                    SecurityContactSnapshot snapshot = collect(target, runId);
                    snapshot.setCollectionIntervalMs(interval == null ? null : interval.toMillis());
                    // may block while the brokers are away (the producer's max.block.ms), never loses the snapshot
                    // silently
                    writes.add(sink.publish(snapshot));
                    progress.collected(snapshot);
                    return snapshot.getStatus(); // not the snapshot: a run of 50,000 holds none of them
                }));
            }
            for (Future<CollectionStatus> r : reads) {
                try {
                    byStatus.merge(r.get(), 1, Integer::sum);
                } catch (ExecutionException e) {
                    // collect() catches everything; a failure here is a bug, and still must not lose the others
                    LOG.error("collection task failed: {}", Errors.messages(e.getCause()), e.getCause());
                    byStatus.merge(CollectionStatus.ERROR, 1, Integer::sum);
                }
            }
        } finally {
            pools.values().forEach(ExecutorService::shutdownNow);
        }
        int removed = 0;
        if (settings.subscriptions().isEmpty()) {
            for (String gone : removable(listings, chosen.keySet(), known)) {
                writes.add(sink.remove(gone));
                removed++;
                LOG.info("subscription {} is no longer visible: announcing its removal", gone);
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
        List<RunSummary.TenantRun> tenants = new ArrayList<>();
        for (Listing l : listings) {
            tenants.add(new RunSummary.TenantRun(
                    l.source().tenant().id(),
                    l.source().tenant().name(),
                    l.subscriptions().size(),
                    read.getOrDefault(l.source(), 0),
                    l.error()));
        }
        return new RunSummary(
                runId,
                started,
                Duration.ofNanos(System.nanoTime() - startNanos),
                byStatus,
                removed,
                writes.size() - failures,
                failures,
                (int) (sink.tooLarge() - tooLargeBefore),
                firstError,
                throttled() - throttledBefore,
                retries() - retriesBefore,
                waited().minus(waitedBefore),
                sources.stream()
                        .mapToLong(s -> s.arm().stats().minRemainingReads())
                        .filter(n -> n >= 0)
                        .min()
                        .orElse(-1),
                named ? tenants : List.of());
    }

    private long throttled() {
        return sources.stream()
                .mapToLong(s -> s.arm().stats().throttledResponses())
                .sum();
    }

    private long retries() {
        return sources.stream().mapToLong(s -> s.arm().stats().retries()).sum();
    }

    private Duration waited() {
        return sources.stream().map(s -> s.arm().stats().waited()).reduce(Duration.ZERO, Duration::plus);
    }

    private static ThreadFactory daemon() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "contact-audit-collector-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Each identity's listing, all at once; explicit ids are taken as given. One identity alone that cannot list fails
     * the run (there is nothing to read); of several, each failure is its tenant's alone.
     */
    List<Listing> list() throws InterruptedException {
        if (!settings.subscriptions().isEmpty()) {
            Map<String, ArmClient.DiscoveredSubscription> unique = new LinkedHashMap<>();
            for (String id : settings.subscriptions()) {
                String sub = id.trim().toLowerCase(Locale.ROOT);
                if (!sub.isEmpty()) {
                    unique.putIfAbsent(sub, ArmClient.DiscoveredSubscription.of(sub, null));
                }
            }
            return List.of(new Listing(sources.get(0), List.copyOf(unique.values()), null));
        }
        if (!named) {
            Source only = sources.get(0);
            try {
                return List.of(new Listing(only, only.arm().subscriptions(), null));
            } catch (RuntimeException e) {
                throw new IllegalStateException(
                        "cannot list the subscriptions visible to the identity at "
                                + only.arm().endpoint() + ": " + Errors.messages(e),
                        e);
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(sources.size(), 16), daemon());
        try {
            List<Future<List<ArmClient.DiscoveredSubscription>>> lists = new ArrayList<>();
            for (Source source : sources) {
                lists.add(pool.submit(() -> source.arm().subscriptions()));
            }
            List<Listing> listings = new ArrayList<>();
            for (int i = 0; i < sources.size(); i++) {
                Source source = sources.get(i);
                try {
                    listings.add(new Listing(source, lists.get(i).get(), null));
                } catch (ExecutionException e) {
                    String why = Errors.messages(e.getCause());
                    LOG.error(
                            "cannot list the subscriptions of tenant {}: {}",
                            source.tenant().label(),
                            why);
                    listings.add(new Listing(source, List.of(), why));
                }
            }
            return listings;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Each listed subscription once, with the identity to read it: the first that lists it, unless the identity of
     * its own tenant lists it too (a delegated subscription seen both ways is read through its own tenant).
     */
    private static Map<String, Target> choose(List<Listing> listings) {
        Map<String, Target> chosen = new LinkedHashMap<>();
        for (Listing listing : listings) {
            for (ArmClient.DiscoveredSubscription sub : listing.subscriptions()) {
                String id = sub.id().toLowerCase(Locale.ROOT);
                Target before = chosen.get(id);
                if (before == null || !ownTenant(before) && ownTenant(new Target(sub, listing.source()))) {
                    chosen.put(id, new Target(sub, listing.source()));
                }
            }
        }
        return chosen;
    }

    private static boolean ownTenant(Target t) {
        return t.via().tenant().id() != null
                && t.via().tenant().id().equalsIgnoreCase(t.subscription().tenantId());
    }

    /**
     * The known subscriptions that were not listed because the listing of the tenant that answers for them failed:
     * an ERROR snapshot each, saying so.
     */
    private List<SecurityContactSnapshot> unlisted(
            List<Listing> listings, Set<String> seen, Map<String, KnownSubscriptions.Known> known, String runId) {
        Map<String, Listing> failed = new HashMap<>();
        listings.stream()
                .filter(l -> l.error() != null && l.source().tenant().id() != null)
                .forEach(l -> failed.put(l.source().tenant().id(), l));
        List<SecurityContactSnapshot> snapshots = new ArrayList<>();
        if (failed.isEmpty()) {
            return snapshots;
        }
        for (Map.Entry<String, KnownSubscriptions.Known> entry : new TreeMap<>(known).entrySet()) {
            String sub = entry.getKey().toLowerCase(Locale.ROOT);
            Listing listing = failed.get(entry.getValue().listedBy());
            if (listing == null || seen.contains(sub)) {
                continue;
            }
            // only what this collector reads: another one may read a subscription its filters leave out. With the
            // name the last listing in this process gave it, as the filters see it; without (a first run), only an
            // exclude that names its id leaves it out: in doubt, ERROR, never a PASS left standing
            Target last = listed.get(sub);
            boolean ours = last != null
                    ? selected(new Target(last.subscription(), listing.source()))
                    : !excludesId(listing.source().tenant(), sub);
            if (!ours) {
                continue;
            }
            Tenant tenant = listing.source().tenant();
            snapshots.add(SecurityContactSnapshot.newBuilder()
                    .setSubscriptionId(sub)
                    .setTenantId(entry.getValue().tenantId())
                    .setTenantName(tenantNames.get(entry.getValue().tenantId()))
                    .setReadThroughTenantId(tenant.id())
                    .setRunId(runId)
                    .setApiVersion(settings.apiVersion())
                    .setStatus(CollectionStatus.ERROR)
                    .setErrorMessage("tenant " + tenant.label() + " could not be listed, so the subscription was not"
                            + " read: " + listing.error())
                    .setCollectedAt(clock.instant())
                    .setRawBodies(List.of())
                    .build());
        }
        return snapshots;
    }

    /**
     * The known subscriptions listed by no identity, whose answering tenant was listed completely: gone. Filtered-out
     * ones are listed, so not gone; those of a tenant no identity here lists are another collector's (also one whose
     * delegated subscriptions a named identity here sees through Lighthouse).
     */
    private static List<String> removable(
            List<Listing> listings, Set<String> seen, Map<String, KnownSubscriptions.Known> known) {
        Set<String> failed = new HashSet<>();
        Set<String> complete = new HashSet<>();
        for (Listing l : listings) {
            if (l.error() != null) {
                failed.add(l.source().tenant().id());
                continue;
            }
            if (l.source().tenant().id() != null) {
                complete.add(l.source().tenant().id());
                continue;
            }
            // the single unnamed identity answers for the tenants its listing names; a named identity only for its
            // own (listing one subscription delegated from a tenant is not listing that tenant)
            l.subscriptions().forEach(s -> {
                if (s.tenantId() != null) {
                    complete.add(s.tenantId().toLowerCase(Locale.ROOT));
                }
            });
        }
        List<String> gone = new ArrayList<>();
        for (Map.Entry<String, KnownSubscriptions.Known> entry : new TreeMap<>(known).entrySet()) {
            String by = entry.getValue().listedBy();
            if (by != null
                    && complete.contains(by)
                    && !failed.contains(by)
                    && !seen.contains(entry.getKey().toLowerCase(Locale.ROOT))) {
                gone.add(entry.getKey());
            }
        }
        return gone;
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
        Target target = listed.get(sub);
        if (target == null) {
            Source via = sourceOf(change.tenantId());
            if (via == null) {
                return null;
            }
            target = new Target(ArmClient.DiscoveredSubscription.of(sub, change.tenantId()), via);
        }
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
        Target target = listed.get(sub);
        return collect(
                target != null ? target : new Target(ArmClient.DiscoveredSubscription.of(sub, null), sources.get(0)),
                runId);
    }

    /**
     * The identity for a subscription of {@code tenantId} that no listing showed: that tenant's, else the single
     * identity of a collector without tenants; null when no identity here reads that tenant.
     */
    private Source sourceOf(String tenantId) {
        for (Source s : sources) {
            if (s.tenant().id() == null || s.tenant().id().equalsIgnoreCase(tenantId)) {
                return s;
            }
        }
        return null;
    }

    private boolean excludesId(Tenant tenant, String sub) {
        return settings.exclude() != null && settings.exclude().matcher(sub).find()
                || tenant.exclude() != null && tenant.exclude().matcher(sub).find();
    }

    private boolean selected(Target t) {
        ArmClient.DiscoveredSubscription s = t.subscription();
        Tenant tenant = t.via().tenant();
        return (settings.include() == null || matches(settings.include(), s))
                && (settings.exclude() == null || !matches(settings.exclude(), s))
                && (tenant.include() == null || matches(tenant.include(), s))
                && (tenant.exclude() == null || !matches(tenant.exclude(), s));
    }

    private static boolean matches(Pattern pattern, ArmClient.DiscoveredSubscription s) {
        return pattern.matcher(s.id()).find()
                || (s.name() != null && pattern.matcher(s.name()).find());
    }

    /** Reads one subscription's contacts into exactly one snapshot, through the target's identity; never throws. */
    private SecurityContactSnapshot collect(Target target, String runId) {
        ArmClient.DiscoveredSubscription subscription = target.subscription();
        ArmClient arm = target.via().arm();
        String sub = subscription.id().toLowerCase(Locale.ROOT);
        String tenant =
                subscription.tenantId() == null ? null : subscription.tenantId().toLowerCase(Locale.ROOT);
        SecurityContactSnapshot.Builder snapshot = SecurityContactSnapshot.newBuilder()
                .setSubscriptionId(sub)
                .setTenantId(tenant)
                .setTenantName(tenant == null ? null : tenantNames.get(tenant))
                .setReadThroughTenantId(target.via().tenant().id())
                .setSubscriptionName(subscription.name())
                .setSubscriptionState(subscription.state())
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
                if (!sameHost(arm, next)) {
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

    private static String describe(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException || t instanceof HttpTimeoutException) {
                return "request timed out (" + Errors.messages(e) + ")";
            }
        }
        return Errors.messages(e);
    }

    private static boolean sameHost(ArmClient arm, String url) {
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

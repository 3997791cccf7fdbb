package io.contactaudit.bench;

import io.contactaudit.app.CollectorApp;
import io.contactaudit.collector.ArmClient;
import io.contactaudit.collector.Collector;
import io.contactaudit.collector.Credentials;
import io.contactaudit.collector.RunSummary;
import io.contactaudit.collector.SnapshotSink;
import io.contactaudit.config.ContactAuditConfig;
import io.contactaudit.config.TenantsFile;
import io.contactaudit.demo.ContactRenderer;
import io.contactaudit.demo.FakeArm;
import io.contactaudit.demo.Scenario;
import io.contactaudit.schema.SecurityContactSnapshot;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The collector against {@link FakeArm} with added latency per response, at several concurrencies in
 * one invocation, so that the figures compare on the same machine state. Publishing is replaced by a
 * counter: this measures collection (TLS, HTTP, JSON, normalisation), not Kafka.
 */
public final class CollectorBench {

    private CollectorBench() {}

    /** A tenant of {@code n} subscriptions spread over the three API generations. */
    public static Scenario tenant(int n, int latencyMs) {
        String[] generations = {ContactRenderer.V2017, ContactRenderer.V2020, ContactRenderer.V2023};
        String[] alerts = {"High", "Medium", "Low", "Off"};
        List<Scenario.Subscription> subs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String id = String.format(Locale.ROOT, "%08x-0000-4000-8000-%012x", i, i);
            subs.add(new Scenario.Subscription(
                    id,
                    "bench-" + i,
                    "Enabled",
                    generations[i % 3],
                    List.of(new Scenario.Contact(
                            "default", true, List.of("secops@contoso.com"), alerts[i % 4], List.of("Owner"), null)),
                    null,
                    null,
                    null,
                    null));
        }
        return new Scenario("00000000-0000-0000-0000-00000000bench", 1000, latencyMs, subs);
    }

    /** Runs the benchmark and prints one line per concurrency, then the ratios to the first. */
    public static void run(int subscriptions, int latencyMs, List<Integer> concurrencies, PrintWriter out)
            throws IOException, InterruptedException {
        out.printf(
                "collector benchmark: %d subscriptions, %d ms added latency per response, FakeArm over HTTPS, %d cores, max heap %d MiB%n",
                subscriptions,
                latencyMs,
                Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20);
        out.flush();
        List<Double> rates = new ArrayList<>();
        try (FakeArm arm = FakeArm.start(tenant(subscriptions, latencyMs))) {
            ArmClient client = new ArmClient(
                    ArmClient.Settings.defaults().withEndpoint(arm.endpoint()),
                    Credentials.fixed("bench"),
                    arm.clientSslContext(),
                    Clock.systemUTC());
            // warm-up: TLS handshakes, JIT, class loading
            new Collector(
                            client,
                            new Collector.Settings("2023-12-01-preview", 8, List.of(), null, null, 50),
                            Clock.systemUTC())
                    .run(new Counter(), Map.of(), Collector.Progress.NONE);
            for (int concurrency : concurrencies) {
                resetPeaks();
                Counter sink = new Counter();
                RunSummary summary = new Collector(
                                client,
                                new Collector.Settings("2023-12-01-preview", concurrency, List.of(), null, null, 50),
                                Clock.systemUTC())
                        .run(sink, Map.of(), Collector.Progress.NONE);
                rates.add(summary.rate());
                out.printf(
                        Locale.ROOT,
                        "concurrency %3d: %6d subscriptions in %8.2f s = %8.1f subscriptions/s, peak heap %5d MiB, statuses %s%n",
                        concurrency,
                        summary.subscriptions(),
                        summary.duration().toMillis() / 1000.0,
                        summary.rate(),
                        peakHeap() >> 20,
                        summary.byStatus());
                out.flush();
            }
        }
        for (int i = 1; i < rates.size(); i++) {
            out.printf(
                    Locale.ROOT,
                    "concurrency %d / concurrency %d: %.1fx%n",
                    concurrencies.get(i),
                    concurrencies.get(0),
                    rates.get(i) / rates.get(0));
        }
        out.flush();
    }

    /**
     * An estate of {@code subscriptions} over {@code tenants} tenants, each tenant's subscriptions its own and one in
     * fifty of each tenant's also delegated to the next tenant (Azure Lighthouse: listed twice, to be read once).
     */
    public static Scenario estate(int subscriptions, int tenants, int latencyMs) {
        Scenario one = tenant(subscriptions, latencyMs);
        List<Scenario.Subscription> subs = new ArrayList<>(subscriptions);
        for (int i = 0; i < subscriptions; i++) {
            int t = i % tenants;
            subs.add(one.subscriptions()
                    .get(i)
                    .inTenant(
                            tenantId(t),
                            (i / tenants) % 50 == 0 && tenants > 1 ? List.of(tenantId((t + 1) % tenants)) : null));
        }
        return new Scenario(tenantId(0), 1000, latencyMs, subs);
    }

    static String tenantId(int t) {
        return String.format(Locale.ROOT, "%08x-0000-4000-8000-00000000beef", t);
    }

    /**
     * A full sweep of an estate of many tenants, each read by its own identity (a client-secret credential of
     * azure-identity, its tokens from the local endpoint), with Resource Manager's read limits enforced by the endpoint
     * as documented (buckets of 250 refilled at 25/s: per identity for the subscription list, per identity and
     * subscription for the reads; 429 with Retry-After beyond). With {@code tenantWide}, every read of an identity
     * also shares one such bucket (the strictest reading of "per tenant"), and the collector paces each identity at
     * 25/s with a burst of 200. Prints the sweep's duration, rates, the floor the limits allow, heap and what was read
     * twice.
     */
    public static void runTenants(
            int subscriptions, int tenants, int latencyMs, int concurrency, boolean tenantWide, PrintWriter out)
            throws IOException, InterruptedException {
        out.printf(
                "collector benchmark, many tenants: %d subscriptions over %d tenants (1 in 50 also delegated to another"
                        + " tenant), %d ms added latency per response, read limits 250 + 25/s per identity for the"
                        + " list and per identity and subscription%s, collector.concurrency %d per tenant%s, %d cores,"
                        + " max heap %d MiB%n",
                subscriptions,
                tenants,
                latencyMs,
                tenantWide ? ", and per identity for every read" : "",
                concurrency,
                tenantWide ? ", paced at 25/s with a burst of 200" : ", not paced",
                Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20);
        out.flush();
        Scenario estate = estate(subscriptions, tenants, latencyMs);
        try (FakeArm arm = FakeArm.start(estate)) {
            arm.limitReads(250, 25);
            if (tenantWide) {
                for (int t = 0; t < tenants; t++) {
                    arm.limitTenantReads(tenantId(t), 250, 25);
                }
            }
            List<TenantsFile.Entry> entries = new ArrayList<>();
            Map<String, String> env = new HashMap<>();
            for (int t = 0; t < tenants; t++) {
                entries.add(TenantsFile.Entry.clientSecret(tenantId(t), "tenant-" + t, "bench-" + t, "SECRET_" + t));
                env.put("SECRET_" + t, "bench");
            }
            ContactAuditConfig config = ContactAuditConfig.of(Map.of(
                    ContactAuditConfig.CONCURRENCY_CONFIG,
                    String.valueOf(concurrency),
                    ContactAuditConfig.TENANT_READS_PER_SECOND_CONFIG,
                    tenantWide ? "25" : "0"));
            List<Collector.Source> sources =
                    CollectorApp.sources(config, new TenantsFile(entries), env, arm.endpoint(), arm.clientSslContext());
            resetPeaks();
            long idleHeap = usedHeap();
            // the whole heap's use, sampled: the pools' own peaks fall at different times, their sum overstates it
            AtomicLong sampled = new AtomicLong();
            Thread sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    sampled.accumulateAndGet(usedHeap(), Math::max);
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            sampler.setDaemon(true);
            sampler.start();
            Counter sink = new Counter();
            RunSummary summary = new Collector(sources, CollectorApp.settings(config), Clock.systemUTC())
                    .run(sink, Map.of(), Collector.Progress.NONE);
            sampler.interrupt();
            long peak = sampled.get();
            long requests = arm.discoveryRequests();
            int twice = 0;
            for (Scenario.Subscription sub : estate.subscriptions()) {
                int n = arm.contactRequests(sub.id());
                requests += n;
                twice += n > 1 ? 1 : 0;
            }
            double seconds = summary.duration().toMillis() / 1000.0;
            // what the limits allow at best: with a bucket for every read of an identity, each tenant's burst at once
            // then 25 reads a second per tenant; else the latency alone, with every thread busy
            double latencyFloor = requests * (latencyMs / 1000.0) / (concurrency * tenants);
            double floor =
                    tenantWide ? Math.max(latencyFloor, (requests - 250.0 * tenants) / (25.0 * tenants)) : latencyFloor;
            long throttled = 0;
            for (int t = 0; t < tenants; t++) {
                throttled += arm.throttledReads(tenantId(t));
            }
            out.printf(
                    Locale.ROOT,
                    "sweep: %d subscriptions in %.1f s = %.1f subscriptions/s, %d requests = %.1f requests/s"
                            + " (the floor for them: %.1f s, the sweep took %.2fx), 429 answered %d, read more"
                            + " than once %d, snapshots published %d, statuses %s%n",
                    summary.subscriptions(),
                    seconds,
                    summary.rate(),
                    requests,
                    requests / Math.max(seconds, 0.001),
                    floor,
                    seconds / Math.max(floor, 0.001),
                    throttled,
                    twice,
                    sink.count.get(),
                    summary.byStatus());
            out.printf(
                    Locale.ROOT,
                    "heap: %d MiB before the sweep (the endpoint's estate included), peak %d MiB (sampled every 50 ms), max heap"
                            + " %d MiB%n",
                    idleHeap >> 20,
                    peak >> 20,
                    Runtime.getRuntime().maxMemory() >> 20);
            out.printf(
                    Locale.ROOT,
                    "summary: %d subscriptions, %d tenants, %.1f s (target 300 s: %s), %.1f requests/s, 429 %d, peak"
                            + " heap %d MiB%n",
                    summary.subscriptions(),
                    tenants,
                    seconds,
                    seconds <= 300 ? "met" : "missed",
                    requests / Math.max(seconds, 0.001),
                    throttled,
                    peak >> 20);
            out.flush();
        }
    }

    private static long usedHeap() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void resetPeaks() {
        System.gc();
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    private static long peakHeap() {
        return ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP)
                .mapToLong(p -> p.getPeakUsage().getUsed())
                .sum();
    }

    /** Counts snapshots instead of publishing them. */
    private static final class Counter implements SnapshotSink {
        final AtomicLong count = new AtomicLong();

        @Override
        public CompletableFuture<Void> publish(SecurityContactSnapshot snapshot) {
            count.incrementAndGet();
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> remove(String subscriptionId) {
            return CompletableFuture.completedFuture(null);
        }
    }
}

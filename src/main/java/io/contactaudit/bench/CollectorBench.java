package io.contactaudit.bench;

import io.contactaudit.collector.ArmClient;
import io.contactaudit.collector.Collector;
import io.contactaudit.collector.Credentials;
import io.contactaudit.collector.RunSummary;
import io.contactaudit.collector.SnapshotSink;
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

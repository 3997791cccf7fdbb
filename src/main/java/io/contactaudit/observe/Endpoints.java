package io.contactaudit.observe;

import com.sun.net.httpserver.HttpHandler;
import io.contactaudit.collector.Collector;
import io.contactaudit.collector.CollectorLoop;
import io.contactaudit.collector.EventTrigger;
import io.contactaudit.collector.RunSummary;
import io.contactaudit.evaluate.ExceptionCounts;
import io.contactaudit.evaluate.StreamsRunner;
import io.contactaudit.schema.CollectionStatus;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The health and metrics endpoints of a process: its evaluator, its collector, or both. */
public final class Endpoints {

    private static final Logger LOG = LoggerFactory.getLogger(Endpoints.class);

    private Endpoints() {}

    /**
     * Starts the HTTP server on {@code host:port} for an evaluator, a collector, or both.
     *
     * @param evaluator the evaluator, or null
     * @param collector the collector loop, or null
     * @param arms      the collector's identities, for requests by HTTP status and each tenant's figures (or null)
     * @param events    the change-triggered reads' figures, or null
     * @param exceptions the evaluator's exceptions by state (null while it is not running), or null without an evaluator
     * @param posture    the evaluator's live posture pages, or null
     */
    public static ObservabilityServer start(
            String host,
            int port,
            StreamsRunner evaluator,
            CollectorLoop collector,
            List<Collector.Source> arms,
            EventTrigger.Stats events,
            Supplier<ExceptionCounts> exceptions,
            PostureView posture)
            throws IOException {
        List<ObservabilityServer.Check> checks = new ArrayList<>();
        List<ObservabilityServer.MetricSource> sources = new ArrayList<>();
        Map<String, Supplier<Number>> gauges = new LinkedHashMap<>();
        if (evaluator != null) {
            checks.add(new ObservabilityServer.Check(
                    "evaluator",
                    () -> evaluator.state() == KafkaStreams.State.RUNNING
                            ? null
                            : "Kafka Streams is " + evaluator.state()));
            sources.add(() -> evaluator.streams().metrics());
        }
        if (collector != null) {
            checks.add(new ObservabilityServer.Check("collector", collector::notReadyBecause));
            gauges.putAll(collectorGauges(collector));
        }
        if (arms != null) {
            for (int status : new int[] {200, 401, 403, 404, 429, 500, 502, 503, 504}) {
                gauges.put(
                        "contact_audit_collector_requests_total{status=\"" + status + "\"}",
                        () -> arms.stream()
                                .mapToLong(
                                        a -> a.arm().stats().responsesByStatus().getOrDefault(status, 0L))
                                .sum());
            }
            if (collector != null) {
                gauges.putAll(tenantGauges(collector, arms));
            }
        }
        if (events != null) {
            gauges.putAll(eventGauges(events));
        }
        if (exceptions != null) {
            gauges.putAll(exceptionGauges(exceptions));
        }
        Map<String, HttpHandler> pages = new LinkedHashMap<>();
        if (posture != null) {
            pages.put("/posture", posture::handleJson);
            pages.put("/", posture::handlePage);
        }
        ObservabilityServer server = ObservabilityServer.start(host, port, checks, sources, gauges, pages);
        LOG.info(
                "health and metrics on http://{}:{}/ (/health/live, /health/ready, /metrics{})",
                host,
                server.port(),
                posture == null ? "" : ", the live posture: / and /posture");
        return server;
    }

    /** The exceptions by state, counted once per scrape (the four gauges share one count a second). */
    static Map<String, Supplier<Number>> exceptionGauges(Supplier<ExceptionCounts> exceptions) {
        AtomicReference<ExceptionCounts> last = new AtomicReference<>();
        AtomicLong countedAt = new AtomicLong();
        Supplier<ExceptionCounts> counts = () -> {
            long now = System.nanoTime();
            if (last.get() == null || now - countedAt.get() > 1_000_000_000L) {
                last.set(exceptions.get());
                countedAt.set(now);
            }
            return last.get();
        };
        Map<String, Supplier<Number>> g = new LinkedHashMap<>();
        g.put("contact_audit_exceptions{state=\"active\"}", () -> count(counts, ExceptionCounts::active));
        g.put("contact_audit_exceptions{state=\"expiring_30d\"}", () -> count(counts, ExceptionCounts::expiring));
        g.put("contact_audit_exceptions{state=\"expired\"}", () -> count(counts, ExceptionCounts::expired));
        g.put("contact_audit_exceptions{state=\"revoked\"}", () -> count(counts, ExceptionCounts::revoked));
        return g;
    }

    private static Number count(Supplier<ExceptionCounts> counts, Function<ExceptionCounts, Number> f) {
        ExceptionCounts c = counts.get();
        return c == null ? null : f.apply(c);
    }

    static Map<String, Supplier<Number>> eventGauges(EventTrigger.Stats events) {
        Map<String, Supplier<Number>> g = new LinkedHashMap<>();
        g.put("contact_audit_events_received_total", events.received::get);
        g.put("contact_audit_events_matched_total", events.matched::get);
        g.put("contact_audit_events_ignored_total", events.ignored::get);
        g.put("contact_audit_events_malformed_total", events.malformed::get);
        g.put("contact_audit_events_duplicates_total", events.duplicates::get);
        g.put("contact_audit_events_out_of_scope_total", events.outOfScope::get);
        g.put("contact_audit_events_triggered_reads_total", events.triggeredReads::get);
        g.put(
                "contact_audit_events_last_trigger_lag_seconds",
                () -> events.lastLagMillis.get() < 0 ? null : events.lastLagMillis.get() / 1000.0);
        return g;
    }

    static Map<String, Supplier<Number>> collectorGauges(CollectorLoop loop) {
        Map<String, Supplier<Number>> g = new LinkedHashMap<>();
        g.put("contact_audit_collector_runs_total", loop::runs);
        g.put("contact_audit_collector_failed_runs_total", loop::failedRuns);
        g.put(
                "contact_audit_collector_last_run_seconds",
                () -> last(loop, s -> s.duration().toMillis() / 1000.0));
        g.put(
                "contact_audit_collector_last_run_completed_timestamp_seconds",
                () -> last(loop, s -> s.startedAt().plus(s.duration()).toEpochMilli() / 1000.0));
        for (CollectionStatus status : CollectionStatus.values()) {
            g.put(
                    "contact_audit_collector_last_run_snapshots{status=\""
                            + status.name().toLowerCase(Locale.ROOT) + "\"}",
                    () -> last(loop, s -> s.byStatus().getOrDefault(status, 0)));
        }
        g.put("contact_audit_collector_last_run_removed", () -> last(loop, RunSummary::removed));
        g.put("contact_audit_collector_last_run_publish_failures", () -> last(loop, RunSummary::publishFailures));
        g.put("contact_audit_collector_last_run_too_large", () -> last(loop, RunSummary::tooLarge));
        g.put("contact_audit_collector_last_run_throttled_responses", () -> last(loop, RunSummary::throttledResponses));
        g.put("contact_audit_collector_last_run_retries", () -> last(loop, RunSummary::retries));
        g.put(
                "contact_audit_collector_last_run_throttle_wait_seconds",
                () -> last(loop, s -> s.waited().toMillis() / 1000.0));
        g.put(
                "contact_audit_collector_remaining_subscription_reads",
                () -> last(loop, s -> s.minRemainingReads() < 0 ? null : s.minRemainingReads()));
        return g;
    }

    /** Each named tenant's figures: listed in the last run, its listing failed (1) or not (0), 429s met. */
    static Map<String, Supplier<Number>> tenantGauges(CollectorLoop loop, List<Collector.Source> arms) {
        Map<String, Supplier<Number>> g = new LinkedHashMap<>();
        for (Collector.Source source : arms) {
            String id = source.tenant().id();
            if (id == null) {
                continue;
            }
            String labels = "{tenant=\"" + id + "\",tenant_name=\""
                    + label(source.tenant().name()) + "\"}";
            g.put(
                    "contact_audit_collector_tenant_listed_subscriptions" + labels,
                    () -> tenant(loop, id, t -> t.listingError() == null ? t.listed() : null));
            g.put(
                    "contact_audit_collector_tenant_listing_failed" + labels,
                    () -> tenant(loop, id, t -> t.listingError() == null ? 0 : 1));
            g.put(
                    "contact_audit_collector_tenant_throttled_responses_total" + labels,
                    () -> source.arm().stats().throttledResponses());
        }
        return g;
    }

    private static Number tenant(CollectorLoop loop, String id, Function<RunSummary.TenantRun, Number> f) {
        RunSummary s = loop.last();
        if (s == null) {
            return null;
        }
        return s.tenants().stream()
                .filter(t -> id.equals(t.tenantId()))
                .findFirst()
                .map(f)
                .orElse(null);
    }

    /** A Prometheus label value: backslash, quote and newline escaped. */
    private static String label(String value) {
        return value == null
                ? ""
                : value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static Number last(CollectorLoop loop, Function<RunSummary, Number> f) {
        RunSummary s = loop.last();
        return s == null ? null : f.apply(s);
    }
}

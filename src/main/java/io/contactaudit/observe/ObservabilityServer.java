package io.contactaudit.observe;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * Liveness, readiness and Prometheus metrics over HTTP ({@code http.port}; off unless set):
 * <ul>
 *   <li>{@code GET /health/live}: 200 while the process runs;</li>
 *   <li>{@code GET /health/ready}: 200 when every readiness check passes (the evaluator RUNNING, the
 *       collector's last run completed), else 503 with the failing checks;</li>
 *   <li>{@code GET /metrics}: Prometheus text format: the Kafka clients' and Streams' own metrics (our
 *       sensors included) and the collector's gauges;</li>
 *   <li>with an evaluator, {@code GET /posture} and {@code GET /}: the live posture ({@link PostureView}).</li>
 * </ul>
 */
public final class ObservabilityServer implements AutoCloseable {

    /** A named readiness check: null when ready, else why not. */
    public record Check(String name, Supplier<String> notReadyBecause) {}

    /** Where metrics come from. */
    public interface MetricSource {
        Map<MetricName, ? extends Metric> metrics();
    }

    private final HttpServer server;
    private final List<Check> checks;
    private final List<MetricSource> sources;
    private final Map<String, Supplier<Number>> gauges;

    private ObservabilityServer(
            HttpServer server, List<Check> checks, List<MetricSource> sources, Map<String, Supplier<Number>> gauges) {
        this.server = server;
        this.checks = checks;
        this.sources = sources;
        this.gauges = gauges;
    }

    /**
     * Starts on {@code host:port} (port 0: a free one).
     *
     * @param gauges extra gauges by Prometheus name (with optional {@code {label="v"}})
     */
    public static ObservabilityServer start(
            String host, int port, List<Check> checks, List<MetricSource> sources, Map<String, Supplier<Number>> gauges)
            throws IOException {
        return start(host, port, checks, sources, gauges, Map.of());
    }

    /**
     * Starts on {@code host:port} (port 0: a free one), with more pages.
     *
     * @param pages more handlers by path (e.g. the live posture's {@code /posture} and {@code /})
     */
    public static ObservabilityServer start(
            String host,
            int port,
            List<Check> checks,
            List<MetricSource> sources,
            Map<String, Supplier<Number>> gauges,
            Map<String, HttpHandler> pages)
            throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
        ObservabilityServer o = new ObservabilityServer(server, List.copyOf(checks), List.copyOf(sources), gauges);
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "contact-audit-http");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/health/live", e -> send(e, 200, "text/plain", "live\n"));
        server.createContext("/health/ready", o::ready);
        server.createContext("/metrics", e -> send(e, 200, "text/plain; version=0.0.4; charset=utf-8", o.prometheus()));
        pages.forEach(server::createContext);
        server.start();
        return o;
    }

    /** The port listened on. */
    public int port() {
        return server.getAddress().getPort();
    }

    private void ready(HttpExchange exchange) throws IOException {
        List<String> failing = new ArrayList<>();
        for (Check check : checks) {
            String why = check.notReadyBecause().get();
            if (why != null) {
                failing.add(check.name() + ": " + why);
            }
        }
        if (failing.isEmpty()) {
            send(exchange, 200, "text/plain", "ready\n");
        } else {
            send(exchange, 503, "text/plain", "not ready\n" + String.join("\n", failing) + "\n");
        }
    }

    /** The metrics in Prometheus text format. */
    String prometheus() {
        Map<String, List<String>> families = new TreeMap<>();
        for (MetricSource source : sources) {
            for (Map.Entry<MetricName, ? extends Metric> e : source.metrics().entrySet()) {
                Object value = e.getValue().metricValue();
                if (!(value instanceof Number n)
                        || Double.isNaN(n.doubleValue())
                        || Double.isInfinite(n.doubleValue())) {
                    continue;
                }
                MetricName name = e.getKey();
                String family = sanitize("kafka_" + name.group().replace("-metrics", "") + "_" + name.name());
                if (name.group().startsWith("stream-contact-audit")) {
                    family = sanitize("contact_audit_" + name.name());
                }
                StringBuilder labels = new StringBuilder();
                new TreeMap<>(name.tags())
                        .forEach((k, v) -> labels.append(labels.length() == 0 ? "" : ",")
                                .append(sanitize(k))
                                .append("=\"")
                                .append(v.replace("\\", "\\\\").replace("\"", "\\\""))
                                .append('"'));
                families.computeIfAbsent(family, k -> new ArrayList<>())
                        .add(family + (labels.length() == 0 ? "" : "{" + labels + "}") + " " + n.doubleValue());
            }
        }
        gauges.forEach((name, value) -> {
            Number n = value.get();
            if (n != null) {
                String family = name.contains("{") ? name.substring(0, name.indexOf('{')) : name;
                families.computeIfAbsent(family, k -> new ArrayList<>()).add(name + " " + n.doubleValue());
            }
        });
        StringBuilder text = new StringBuilder();
        families.forEach((family, lines) -> {
            text.append("# TYPE ").append(family).append(" gauge\n");
            lines.stream().distinct().forEach(l -> text.append(l).append('\n'));
        });
        return text.toString();
    }

    private static String sanitize(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    }

    /** Answers {@code exchange} with {@code body} (UTF-8) and closes it. */
    static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        try (exchange) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", type);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

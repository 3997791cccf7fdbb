package io.contactaudit.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.stats.CumulativeSum;
import org.junit.jupiter.api.Test;

class ObservabilityServerTest {

    final HttpClient http = HttpClient.newHttpClient();

    HttpResponse<String> get(ObservabilityServer server, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void livenessReadinessAndPrometheusMetrics() throws Exception {
        AtomicReference<String> notReady = new AtomicReference<>("Kafka Streams is REBALANCING");
        try (Metrics metrics = new Metrics()) {
            MetricName name = metrics.metricName(
                    "findings-pass-total",
                    "stream-contact-audit-metrics",
                    "",
                    Map.of("thread-id", "t1", "contact-audit-id", "evaluate"));
            metrics.sensor("s").add(name, new CumulativeSum());
            metrics.sensor("s").record(2);
            try (ObservabilityServer server = ObservabilityServer.start(
                    "127.0.0.1",
                    0,
                    List.of(new ObservabilityServer.Check("evaluator", notReady::get)),
                    List.of(metrics::metrics),
                    Map.of(
                            "contact_audit_collector_runs_total",
                            () -> 3,
                            "contact_audit_collector_last_run_snapshots{status=\"ok\"}",
                            () -> 40))) {
                assertThat(get(server, "/health/live").statusCode()).isEqualTo(200);
                HttpResponse<String> waiting = get(server, "/health/ready");
                assertThat(waiting.statusCode()).isEqualTo(503);
                assertThat(waiting.body()).contains("evaluator: Kafka Streams is REBALANCING");
                notReady.set(null);
                assertThat(get(server, "/health/ready").statusCode()).isEqualTo(200);

                HttpResponse<String> scraped = get(server, "/metrics");
                assertThat(scraped.headers().firstValue("Content-Type"))
                        .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
                assertThat(scraped.body())
                        .contains("# TYPE contact_audit_findings_pass_total gauge")
                        .contains(
                                "contact_audit_findings_pass_total{contact_audit_id=\"evaluate\",thread_id=\"t1\"} 2.0")
                        .contains("contact_audit_collector_runs_total 3.0")
                        .contains("contact_audit_collector_last_run_snapshots{status=\"ok\"} 40.0");
            }
        }
    }
}

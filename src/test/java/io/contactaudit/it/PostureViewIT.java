package io.contactaudit.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.contactaudit.app.CollectorApp;
import io.contactaudit.app.EvaluatorApp;
import io.contactaudit.app.KafkaSetup;
import io.contactaudit.collector.Collector;
import io.contactaudit.config.ContactAuditConfig;
import io.contactaudit.demo.ContactRenderer;
import io.contactaudit.demo.FakeArm;
import io.contactaudit.demo.Scenario;
import io.contactaudit.kafka.Topics;
import io.contactaudit.observe.Endpoints;
import io.contactaudit.observe.ObservabilityServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live posture of two evaluators sharing the snapshots' partitions: either one's {@code /posture} answers for every
 * subscription (its own state, and the other's through its {@code application.server}), filters apply, and {@code /}
 * renders the totals and the failing subscriptions.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PostureViewIT {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void eitherInstanceAnswersForAllOfThem() throws Exception {
        String prefix = TestKafka.uniquePrefix("posture-view");
        List<Scenario.Subscription> subs = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String id = String.format("f0000000-0000-4000-8000-%012d", i);
            subs.add(new Scenario.Subscription(
                    id,
                    "s" + i,
                    "Enabled",
                    ContactRenderer.V2023,
                    List.of(new Scenario.Contact(
                            "default",
                            true,
                            List.of("secops@contoso.com"),
                            i % 4 == 0 ? "Off" : "High",
                            List.of(),
                            null)),
                    null,
                    null,
                    null,
                    null));
        }
        int portA = TestRegistry.freePort();
        int portB = TestRegistry.freePort();
        ContactAuditConfig a = config(prefix, "a", portA);
        ContactAuditConfig b = config(prefix, "b", portB);
        Topics topics = KafkaSetup.topics(a);
        KafkaSetup.prepare(a, topics);
        try (FakeArm arm = FakeArm.start(new Scenario("tenant-x", 100, 0, subs));
                EvaluatorApp first = EvaluatorApp.create(a, topics);
                EvaluatorApp second = EvaluatorApp.create(b, topics);
                ObservabilityServer httpA = Endpoints.start(
                        "127.0.0.1", portA, first.runner(), null, null, null, null, first.postureView(a));
                ObservabilityServer httpB = Endpoints.start(
                        "127.0.0.1", portB, second.runner(), null, null, null, null, second.postureView(b));
                CollectorApp collector = CollectorApp.create(
                        a,
                        topics,
                        CollectorApp.arm(a, arm.endpoint(), arm.clientSslContext()),
                        Collector.Progress.NONE)) {
            first.start();
            second.start();
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> first.runner().state() == KafkaStreams.State.RUNNING
                            && second.runner().state() == KafkaStreams.State.RUNNING);
            assertThat(collector.once().publishedAll()).isTrue();

            HttpClient http = HttpClient.newHttpClient();
            JsonNode[] all = new JsonNode[1];
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> {
                        all[0] = JSON.readTree(get(http, portA, "/posture"));
                        return all[0].path("count").asInt() == 12;
                    });
            assertThat(all[0].path("instances")).hasSize(2);
            assertThat(all[0].path("unreachable")).isEmpty();
            JsonNode local = JSON.readTree(get(http, portA, "/posture?local=true"));
            assertThat(local.path("count").asInt())
                    .as("each instance holds part of the estate (the snapshots have 3 partitions)")
                    .isBetween(1, 11);
            JsonNode failing = JSON.readTree(get(http, portB, "/posture?verdict=FAIL&tenant=tenant-x"));
            assertThat(failing.path("count").asInt()).isEqualTo(3);
            failing.path("subscriptions")
                    .forEach(p -> assertThat(p.path("verdict").asText()).isEqualTo("FAIL"));
            assertThat(http.send(
                                    HttpRequest.newBuilder(
                                                    URI.create("http://127.0.0.1:" + portA + "/posture?verdict=MAYBE"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .statusCode())
                    .isEqualTo(400);

            String page = get(http, portB, "/");
            assertThat(page)
                    .contains("<b data-state=\"PASS\">9</b>", "<b data-state=\"FAIL\">3</b>")
                    .contains("f0000000-0000-4000-8000-000000000004")
                    .doesNotContain("<script");
        }
    }

    static String get(HttpClient http, int port, String path) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }

    ContactAuditConfig config(String prefix, String instance, int port) {
        Map<String, String> values = new HashMap<>();
        values.put(ContactAuditConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers());
        values.put(ContactAuditConfig.TOPIC_PREFIX_CONFIG, prefix);
        values.put(ContactAuditConfig.TOPICS_PARTITIONS_CONFIG, "3");
        values.put(ContactAuditConfig.STATE_DIR_CONFIG, dir.resolve(instance).toString());
        values.put(ContactAuditConfig.HTTP_HOST_CONFIG, "127.0.0.1");
        values.put(ContactAuditConfig.HTTP_PORT_CONFIG, String.valueOf(port));
        return ContactAuditConfig.of(values);
    }
}

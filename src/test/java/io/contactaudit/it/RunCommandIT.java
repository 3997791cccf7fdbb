package io.contactaudit.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.contactaudit.kafka.Topics;
import io.contactaudit.schema.DriftEvent;
import io.contactaudit.schema.DriftKind;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code run} with its own embedded broker: collects and evaluates, stops on SIGTERM, and starts again on the same data. */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class RunCommandIT {

    @TempDir
    Path dir;

    static final String SCENARIO = """
        tenantId: 11111111-2222-3333-4444-555555555555
        subscriptions:
          - {id: 70000000-0000-0000-0000-000000000001, name: a, contacts: [{emails: [a@contoso.com], alerts: High}]}
          - {id: 70000000-0000-0000-0000-000000000002, name: b, generation: 2020-01-01-preview, contacts: [{alerts: Off}]}
        """;

    @Test
    void runsStopsAndResumesOnTheSameData() throws Exception {
        Path scenario = Files.writeString(dir.resolve("tenant.yaml"), SCENARIO);
        Path data = dir.resolve("kafka");
        String[] args = {
            "run",
            "--embedded-kafka",
            data.toString(),
            "--scenario",
            scenario.toString(),
            "--interval",
            "PT2S",
            "--state-dir",
            dir.resolve("streams").toString()
        };
        for (String name : new String[] {"first", "second"}) {
            Jar jar = new Jar(dir, name);
            Process process = jar.start(Map.of(), args);
            try {
                // what the process wrote so far, should it not get there
                await().atMost(Duration.ofSeconds(120))
                        .untilAsserted(() -> assertThat(jar.out()
                                        .lines()
                                        .filter(l -> l.contains("2 subscriptions"))
                                        .count())
                                .as("%s run; stdout:%n%s%nstderr:%n%s", name, jar.out(), jar.err())
                                .isGreaterThanOrEqualTo(2));
                assertThat(jar.out()).contains("embedded Kafka broker at 127.0.0.1:", "OK 2", "published 2, failed 0");
            } finally {
                process.destroy();
                assertThat(process.waitFor(90, TimeUnit.SECONDS))
                        .as("stops on SIGTERM")
                        .isTrue();
            }
            assertThat(jar.err()).contains("-> NOT_RUNNING");
        }
        assertThat(data.resolve("logs").resolve("meta.properties")).exists();
    }

    /**
     * {@code run --scenario --events}: a change made through the simulated Resource Manager's API (as with {@code curl
     * -k -X PUT}) reaches the pipeline as Azure's change events, and the subscription is read and judged at once, long
     * before the next poll.
     */
    @Test
    void aChangeThroughTheSimulatedApiIsJudgedAtOnce() throws Exception {
        Path scenario = Files.writeString(dir.resolve("tenant.yaml"), SCENARIO);
        Jar jar = new Jar(dir, "events");
        Process process = jar.start(
                Map.of(),
                "run",
                "--embedded-kafka",
                dir.resolve("kafka").toString(),
                "--scenario",
                scenario.toString(),
                "--interval",
                "PT1H",
                "--events",
                "--state-dir",
                dir.resolve("streams").toString());
        try {
            await().atMost(Duration.ofSeconds(120)).until(() -> jar.out().contains("2 subscriptions"));
            String out = jar.out();
            Matcher arm =
                    Pattern.compile("changes made through (https://\\S+/) ").matcher(out);
            Matcher kafka = Pattern.compile("embedded Kafka broker at (\\S+),").matcher(out);
            assertThat(arm.find()).as(out).isTrue();
            assertThat(kafka.find()).as(out).isTrue();

            String a = "70000000-0000-0000-0000-000000000001";
            HttpResponse<String> put = insecureClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(arm.group(1) + "subscriptions/" + a
                                            + "/providers/Microsoft.Security/securityContacts/default"
                                            + "?api-version=2023-12-01-preview"))
                                    .header("Authorization", "Bearer anything")
                                    .PUT(HttpRequest.BodyPublishers.ofString(
                                            "{\"properties\": {\"emails\": \"a@contoso.com\", \"isEnabled\": true,"
                                                    + " \"notificationsSources\": []}}"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).as(put.body()).isEqualTo(200);

            Topics topics = Topics.create("contact-audit");
            List<DriftEvent> drift = TestKafka.readCommitted(
                            kafka.group(1),
                            topics.drift().name(),
                            Serdes.String().deserializer(),
                            topics.drift().value().deserializer(),
                            1,
                            Duration.ofSeconds(60))
                    .stream()
                    .map(ConsumerRecord::value)
                    .toList();
            assertThat(drift)
                    .as("judged on the change's event, not the poll an hour later")
                    .singleElement()
                    .satisfies(d -> {
                        assertThat(d.getSubscriptionId()).isEqualTo(a);
                        assertThat(d.getKind()).isEqualTo(DriftKind.REGRESSED);
                        assertThat(d.getTriggerEventId()).isNotNull();
                    });
        } finally {
            process.destroy();
            assertThat(process.waitFor(90, TimeUnit.SECONDS)).isTrue();
        }
    }

    /** The simulated Resource Manager's certificate is made at its start: a client like curl -k. */
    static HttpClient insecureClient() throws Exception {
        TrustManager[] trustAll = {
            new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {}

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {}

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }
        };
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trustAll, new SecureRandom());
        SSLParameters parameters = new SSLParameters();
        parameters.setEndpointIdentificationAlgorithm(null);
        return HttpClient.newBuilder()
                .sslContext(context)
                .sslParameters(parameters)
                .build();
    }
}

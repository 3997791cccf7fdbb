package io.contactaudit.collector;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.contactaudit.demo.FakeArm;
import io.contactaudit.demo.Scenario;
import io.contactaudit.demo.SelfSignedCertificate;
import io.contactaudit.rule.HighSeverityAlertEmailRule;
import io.contactaudit.rule.Profile;
import io.contactaudit.rule.ResponseBody;
import io.contactaudit.schema.CollectionStatus;
import io.contactaudit.schema.SecurityContactSnapshot;
import io.contactaudit.schema.Verdict;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One subscription answering with a hostile body makes that snapshot an ERROR with the reason; the others are
 * collected as usual. The client reads no more than {@link ResponseBody#MAX_BYTES} of any body.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CollectorHostileBodyTest {

    static final String TENANT = CollectorTest.TENANT;
    static final String GOOD =
            "{\"value\":[{\"id\":\"/subscriptions/%s/providers/Microsoft.Security/securityContacts/default\","
                    + "\"name\":\"default\",\"properties\":{\"isEnabled\":true,\"emails\":\"a@contoso.com\","
                    + "\"notificationsSources\":[{\"sourceType\":\"Alert\",\"minimalSeverity\":\"High\"}]}}]}";

    static String id(int n) {
        return String.format("cafecafe-0000-0000-0000-%012d", n);
    }

    static Map<String, SecurityContactSnapshot> collect(URI endpoint, javax.net.ssl.SSLContext ssl, List<String> ids)
            throws InterruptedException {
        ArmClient.Settings settings = ArmClient.Settings.defaults()
                .withEndpoint(endpoint)
                .withRequestTimeout(Duration.ofSeconds(20))
                .withRetries(0, Duration.ofMillis(10), Duration.ofMillis(10));
        ArmClient arm = new ArmClient(settings, Credentials.fixed("test-token"), ssl, Clock.systemUTC());
        Collector.Settings run = new Collector.Settings(Collector.DEFAULT_API_VERSION, 4, ids, null, null, 50);
        CollectorTest.Recorder sink = new CollectorTest.Recorder();
        new Collector(arm, run, Clock.systemUTC()).run(sink, Map.of(), Collector.Progress.NONE);
        return sink.byId();
    }

    static void refused(SecurityContactSnapshot snapshot, String... message) {
        assertThat(snapshot.getStatus()).isEqualTo(CollectionStatus.ERROR);
        assertThat(snapshot.getErrorMessage()).contains(message);
        assertThat(snapshot.getRawBodies()).isEmpty();
        assertThat(HighSeverityAlertEmailRule.evaluate(snapshot, Profile.DEFAULT)
                        .verdict())
                .isEqualTo(Verdict.ERROR);
    }

    @Test
    void hostileBodiesFromTheFakeArmAreErrorsAndTheOthersAreCollected() throws Exception {
        StringBuilder many = new StringBuilder("{\"value\":[");
        for (int i = 0; i < 100_000; i++) {
            many.append(i == 0 ? "" : ",")
                    .append(
                            String.format(GOOD, id(5)),
                            10,
                            String.format(GOOD, id(5)).length() - 2);
        }
        List<Scenario.Subscription> subs = List.of(
                sub(1, String.format(GOOD, id(1))),
                sub(2, "[" + " ".repeat(100 * 1024 * 1024) + "]"),
                sub(3, "[".repeat(100_000) + "]".repeat(100_000)),
                sub(
                        4,
                        "[{\"properties\":{\"alertNotifications\":\"On\",\"emails\":\"" + "a".repeat(3 * 1024 * 1024)
                                + "\"}}]"),
                sub(5, many.append("]}").toString()),
                sub(6, String.format(GOOD, id(6))));
        try (FakeArm arm = FakeArm.start(new Scenario(TENANT, 100, 0, subs))) {
            long started = System.nanoTime();
            Map<String, SecurityContactSnapshot> byId = collect(
                    arm.endpoint(),
                    arm.clientSslContext(),
                    subs.stream().map(Scenario.Subscription::id).toList());
            System.out.printf(
                    "collector, six subscriptions, four hostile: %d ms%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));

            assertThat(byId).hasSize(6);
            for (int ok : new int[] {1, 6}) {
                assertThat(byId.get(id(ok)).getStatus()).isEqualTo(CollectionStatus.OK);
                assertThat(HighSeverityAlertEmailRule.evaluate(byId.get(id(ok)), Profile.DEFAULT)
                                .verdict())
                        .isEqualTo(Verdict.PASS);
            }
            refused(byId.get(id(2)), "larger than 4194304 bytes", "Content-Length 104857602");
            refused(byId.get(id(5)), "larger than 4194304 bytes");
            // within the size limit: collected verbatim, and the rule refuses them
            for (int parsed : new int[] {3, 4}) {
                SecurityContactSnapshot snapshot = byId.get(id(parsed));
                assertThat(snapshot.getStatus()).isEqualTo(CollectionStatus.OK);
                assertThat(snapshot.getContacts()).isEmpty();
                assertThat(HighSeverityAlertEmailRule.evaluate(snapshot, Profile.DEFAULT)
                                .reasonCodes())
                        .containsExactly("BODY_TOO_LARGE");
            }
        }
    }

    static Scenario.Subscription sub(int n, String body) {
        return new Scenario.Subscription(id(n), "sub " + n, "Enabled", null, List.of(), null, body, null, null);
    }

    /**
     * A server that streams without a Content-Length, as a proxy or a broken service might: an endless body, and
     * a body with invalid UTF-8. Counts what it managed to send.
     */
    @Test
    void aStreamedBodyIsReadNoFurtherThanTheLimit() throws Exception {
        SelfSignedCertificate certificate = SelfSignedCertificate.create();
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setHttpsConfigurator(new HttpsConfigurator(certificate.serverContext()));
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "hostile-arm");
            t.setDaemon(true);
            return t;
        }));
        AtomicLong sent = new AtomicLong();
        server.createContext("/", exchange -> serve(exchange, sent));
        server.start();
        try {
            URI endpoint = URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/");
            long started = System.nanoTime();
            Map<String, SecurityContactSnapshot> byId =
                    collect(endpoint, certificate.clientContext(), List.of(id(1), id(2), id(3)));
            System.out.printf(
                    "collector, an endless streamed body, invalid UTF-8 and a good one: %d ms, %d bytes sent%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), sent.get());

            refused(byId.get(id(1)), "larger than 4194304 bytes");
            refused(byId.get(id(2)), "not valid UTF-8", "byte offset");
            assertThat(byId.get(id(3)).getStatus()).isEqualTo(CollectionStatus.OK);
            assertThat(HighSeverityAlertEmailRule.evaluate(byId.get(id(3)), Profile.DEFAULT)
                            .verdict())
                    .isEqualTo(Verdict.PASS);
            // the endless body stopped soon after the limit (socket and TLS buffers hold some more)
            assertThat(sent.get()).isLessThan(ResponseBody.MAX_BYTES + 16L * 1024 * 1024);
        } finally {
            server.stop(0);
        }
    }

    private static void serve(HttpExchange exchange, AtomicLong sent) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                if (path.contains(id(1))) {
                    byte[] chunk = ("," + String.format(GOOD, id(1))).getBytes(StandardCharsets.UTF_8);
                    out.write('[');
                    for (int i = 0; i < 1_000_000; i++) {
                        out.write(chunk);
                        sent.addAndGet(chunk.length);
                    }
                } else if (path.contains(id(2))) {
                    byte[] body = String.format(GOOD, id(2)).getBytes(StandardCharsets.UTF_8);
                    body[body.length / 2] = (byte) 0xFF;
                    out.write(body);
                } else {
                    out.write(String.format(GOOD, id(3)).getBytes(StandardCharsets.UTF_8));
                }
            }
        } catch (IOException clientWentAway) {
            // the client stopped reading past the limit
        }
    }
}

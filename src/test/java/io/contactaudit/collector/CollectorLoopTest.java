package io.contactaudit.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.contactaudit.demo.FakeArm;
import io.contactaudit.demo.Scenario;
import io.contactaudit.observe.Endpoints;
import io.contactaudit.observe.ObservabilityServer;
import io.contactaudit.schema.SecurityContactSnapshot;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The loop around the collector: removals announced once, readiness, and giving up on runs that publish nothing. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CollectorLoopTest {
    private static final KnownSubscriptions.Known IN_TENANT = KnownSubscriptions.Known.of(CollectorLoopTest.TENANT);

    static final String TENANT = CollectorTest.TENANT;
    static final String KEPT = "20000000-0000-0000-0000-000000000001";
    static final String GONE = "20000000-0000-0000-0000-000000000002";
    static FakeArm arm;

    @BeforeAll
    static void start() throws IOException {
        arm = FakeArm.start(listing(KEPT));
    }

    @AfterAll
    static void stop() {
        arm.close();
    }

    static Scenario listing(String... ids) {
        List<Scenario.Subscription> subs = new ArrayList<>();
        for (String id : ids) {
            subs.add(CollectorTest.sub(id, null, CollectorTest.contact("High")));
        }
        return new Scenario(TENANT, 100, 0, subs);
    }

    static Collector collector() {
        ArmClient client = new ArmClient(
                ArmClient.Settings.defaults().withEndpoint(arm.endpoint()),
                Credentials.fixed("t"),
                arm.clientSslContext(),
                Clock.systemUTC());
        return new Collector(client, Collector.Settings.defaults(), Clock.systemUTC());
    }

    /** A sink whose writes fail while {@code failing} is set. */
    static final class Sink implements SnapshotSink {
        final CollectorTest.Recorder recorded = new CollectorTest.Recorder();
        final AtomicBoolean failing = new AtomicBoolean();

        @Override
        public CompletableFuture<Void> publish(SecurityContactSnapshot snapshot) {
            return failing.get()
                    ? CompletableFuture.failedFuture(new IllegalStateException("schema not found"))
                    : recorded.publish(snapshot);
        }

        @Override
        public CompletableFuture<Void> remove(String subscriptionId) {
            return failing.get()
                    ? CompletableFuture.failedFuture(new IllegalStateException("broker away"))
                    : recorded.remove(subscriptionId);
        }
    }

    @Test
    void aRemovalIsAnnouncedOnceUntilThePostureShowsItGoneOrItIsListedAgain() throws Exception {
        arm.scenario(listing(KEPT));
        Sink sink = new Sink();
        Map<String, KnownSubscriptions.Known> posture = new HashMap<>(Map.of(KEPT, IN_TENANT, GONE, IN_TENANT));
        CollectorLoop loop = new CollectorLoop(collector(), sink, () -> Map.copyOf(posture), Collector.Progress.NONE);

        // the evaluator is away (rejoining its group): the posture topic keeps showing the removed subscription
        assertThat(loop.once().removed()).isEqualTo(1);
        assertThat(loop.once().removed()).isZero();
        assertThat(loop.once().removed()).isZero();
        assertThat(sink.recorded.removed).containsExactly(GONE);

        // the evaluator took the tombstone; should the subscription come back in the posture, it is news again
        posture.remove(GONE);
        loop.once();
        posture.put(GONE, IN_TENANT);
        loop.once();
        assertThat(sink.recorded.removed).containsExactly(GONE, GONE);

        // listed again, then gone again: announced again
        arm.scenario(listing(KEPT, GONE));
        assertThat(loop.once().removed()).isZero();
        arm.scenario(listing(KEPT));
        assertThat(loop.once().removed()).isEqualTo(1);
        assertThat(sink.recorded.removed).containsExactly(GONE, GONE, GONE);
    }

    @Test
    void aRemovalThatWasNotWrittenIsAnnouncedAgain() throws Exception {
        arm.scenario(listing(KEPT));
        Sink sink = new Sink();
        CollectorLoop loop = new CollectorLoop(
                collector(), sink, () -> Map.of(KEPT, IN_TENANT, GONE, IN_TENANT), Collector.Progress.NONE);
        sink.failing.set(true);
        assertThat(loop.once().publishFailures()).isEqualTo(2);
        sink.failing.set(false);
        assertThat(loop.once().removed()).isEqualTo(1);
        assertThat(sink.recorded.removed).containsExactly(GONE);
    }

    @Test
    void runsThatPublishNothingMakeItNotReadyAndItGivesUpAfterTheConfiguredNumber() throws Exception {
        arm.scenario(listing(KEPT));
        Sink sink = new Sink();
        CollectorLoop loop =
                new CollectorLoop(collector(), sink, () -> Map.of(KEPT, IN_TENANT), Collector.Progress.NONE);
        try (ObservabilityServer http = Endpoints.start("127.0.0.1", 0, null, loop, null, null, null, null)) {
            assertThat(ready(http)).isEqualTo("503 not ready\ncollector: no collection run has completed yet\n");
            loop.once();
            assertThat(loop.notReadyBecause()).isNull();
            assertThat(ready(http)).startsWith("200");

            sink.failing.set(true);
            List<RunSummary> summaries = new ArrayList<>();
            assertThat(loop.every(Duration.ofMillis(10), 3, summaries::add)).isFalse();
            assertThat(summaries)
                    .hasSize(3)
                    .allSatisfy(s -> assertThat(s.published()).isZero());
            assertThat(loop.gaveUp())
                    .isEqualTo("3 collection runs in a row published nothing; "
                            + "the last run failed to publish 1 of 1 records: schema not found");
            assertThat(ready(http)).isEqualTo("503 not ready\ncollector: " + loop.gaveUp() + "\n");
        }
    }

    @Test
    void aRunThatFailsBeforePublishingCountsAndOneThatPublishesStartsTheCountAgain() {
        arm.scenario(listing(KEPT));
        Sink sink = new Sink();
        int[] reads = {0};
        CollectorLoop loop = new CollectorLoop(
                collector(),
                sink,
                () -> {
                    reads[0]++;
                    if (reads[0] == 2) {
                        return Map.of(); // the one run in between that publishes
                    }
                    throw new IllegalStateException("reading the posture topic took longer than PT30S");
                },
                Collector.Progress.NONE);
        assertThat(loop.every(Duration.ofMillis(10), 2, s -> {})).isFalse();
        assertThat(reads[0]).isEqualTo(4);
        assertThat(loop.gaveUp())
                .isEqualTo("2 collection runs in a row published nothing; "
                        + "the last collection run failed: reading the posture topic took longer than PT30S");
    }

    static String ready(ObservabilityServer http) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + "/health/ready"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }
}

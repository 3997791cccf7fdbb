package io.contactaudit.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.contactaudit.app.KafkaSetup;
import io.contactaudit.collector.ArmClient;
import io.contactaudit.collector.Collector;
import io.contactaudit.collector.Credentials;
import io.contactaudit.collector.RunSummary;
import io.contactaudit.collector.SnapshotPublisher;
import io.contactaudit.config.ContactAuditConfig;
import io.contactaudit.demo.FakeArm;
import io.contactaudit.demo.Scenario;
import io.contactaudit.embedded.EmbeddedKafka;
import io.contactaudit.kafka.TopicProvisioner;
import io.contactaudit.kafka.Topics;
import io.contactaudit.schema.SecurityContactSnapshot;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker stops in the middle of a collection run and comes back (same data, same port): every
 * snapshot arrives exactly once (idempotent producer), and the run summary says so.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class BrokerOutageIT {

    static final int SUBSCRIPTIONS = 200;

    @TempDir
    Path dir;

    /** The running broker, stopped after the test whatever happens: one left running after its data directory is deleted halts this JVM. */
    private EmbeddedKafka broker;

    @AfterEach
    void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void snapshotsPublishedAcrossABrokerRestartArriveOnceEach() throws Exception {
        Path data = dir.resolve("kafka");
        broker = EmbeddedKafka.start(data);
        int port = URI.create("kafka://" + broker.bootstrapServers()).getPort();
        String bootstrap = broker.bootstrapServers();
        Topics topics = Topics.create("outage");
        ContactAuditConfig config = ContactAuditConfig.of(Map.of(
                ContactAuditConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ContactAuditConfig.TOPIC_PREFIX_CONFIG,
                "outage",
                ContactAuditConfig.TOPICS_PARTITIONS_CONFIG,
                "3"));
        KafkaSetup.prepare(config, topics);

        List<Scenario.Subscription> subs = new ArrayList<>();
        for (int i = 0; i < SUBSCRIPTIONS; i++) {
            subs.add(new Scenario.Subscription(
                    String.format(Locale.ROOT, "60000000-0000-0000-0000-%012d", i),
                    "s" + i,
                    null,
                    null,
                    List.of(new Scenario.Contact(null, true, List.of("a@contoso.com"), "High", List.of(), null)),
                    null,
                    null,
                    null,
                    null));
        }
        AtomicInteger collected = new AtomicInteger();
        try (FakeArm arm = FakeArm.start(new Scenario("t", 100, 25, subs));
                SnapshotPublisher publisher =
                        SnapshotPublisher.create(config.kafkaClientProperties(), topics.snapshots())) {
            ArmClient client = new ArmClient(
                    ArmClient.Settings.defaults().withEndpoint(arm.endpoint()),
                    Credentials.fixed("it"),
                    arm.clientSslContext(),
                    Clock.systemUTC());
            Collector collector = new Collector(
                    client,
                    new Collector.Settings("2023-12-01-preview", 2, List.of(), null, null, 50),
                    Clock.systemUTC());
            CompletableFuture<RunSummary> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return collector.run(publisher, Map.of(), new Collector.Progress() {
                        @Override
                        public void started(int n) {}

                        @Override
                        public void collected(SecurityContactSnapshot snapshot) {
                            collected.incrementAndGet();
                        }
                    });
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });

            await().atMost(Duration.ofSeconds(60)).until(() -> collected.get() >= SUBSCRIPTIONS / 5);
            broker.close();
            broker = null;
            // the outage is real: the broker does not answer
            try (Admin admin = TopicProvisioner.admin(config.kafkaClientProperties(), Duration.ofSeconds(2))) {
                assertThatThrownBy(() -> TopicProvisioner.awaitBrokers(admin, bootstrap, Duration.ofSeconds(2)))
                        .hasMessageContaining("cannot reach Kafka");
            }
            assertThat(run).as("the run is still going").isNotDone();
            broker = EmbeddedKafka.start(data, port);

            RunSummary summary = run.get(120, TimeUnit.SECONDS);
            assertThat(summary.subscriptions()).isEqualTo(SUBSCRIPTIONS);
            assertThat(summary.published()).isEqualTo(SUBSCRIPTIONS);
            assertThat(summary.publishFailures()).isZero();

            List<ConsumerRecord<String, byte[]>> records = TestKafka.readCommitted(
                    bootstrap,
                    topics.snapshots().name(),
                    Serdes.String().deserializer(),
                    Serdes.ByteArray().deserializer(),
                    SUBSCRIPTIONS,
                    Duration.ofSeconds(60));
            assertThat(records).hasSize(SUBSCRIPTIONS);
            assertThat(records.stream().map(ConsumerRecord::key).collect(Collectors.toSet()))
                    .hasSize(SUBSCRIPTIONS);
        }
    }
}

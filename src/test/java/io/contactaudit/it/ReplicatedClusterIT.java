package io.contactaudit.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.contactaudit.app.CollectorApp;
import io.contactaudit.app.EvaluatorApp;
import io.contactaudit.app.KafkaSetup;
import io.contactaudit.collector.Collector;
import io.contactaudit.collector.RunSummary;
import io.contactaudit.config.ContactAuditConfig;
import io.contactaudit.demo.ContactRenderer;
import io.contactaudit.demo.FakeArm;
import io.contactaudit.demo.Scenario;
import io.contactaudit.kafka.Topics;
import io.contactaudit.schema.ComplianceFinding;
import io.contactaudit.schema.DriftEvent;
import io.contactaudit.schema.DriftKind;
import io.contactaudit.schema.SecurityContactSnapshot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline on a replicated cluster: three KRaft brokers in this JVM, every topic with three replicas and
 * {@code min.insync.replicas} 2. Mid-run the leader of the snapshot partition, and in the next run the leader of the
 * evaluator's changelog, stops and comes back; then two brokers stop at once (below min.insync.replicas) during a run,
 * and one returns. Every record is counted: each snapshot the collector says it published is there once for a
 * read_committed reader, evaluated once (one finding each), and the drift is exactly the changes made.
 */
@Timeout(value = 420, unit = TimeUnit.SECONDS)
class ReplicatedClusterIT {

    static final int SUBSCRIPTIONS = 240;
    /** Subscriptions whose alerts go off in run 2 and back on in run 3. */
    static final int FLIPPED = 40;

    static final String TENANT = "5e0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b";

    @TempDir
    Path dir;

    private KafkaCluster cluster;
    /** Snapshots read in the current run. */
    private final AtomicInteger collected = new AtomicInteger();

    @AfterEach
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    static Scenario tenant(boolean flipped) {
        List<Scenario.Subscription> subs = new ArrayList<>();
        for (int i = 0; i < SUBSCRIPTIONS; i++) {
            String alerts = flipped && i < FLIPPED ? "Off" : "High";
            subs.add(new Scenario.Subscription(
                    String.format(Locale.ROOT, "%08x-1111-4000-8000-%012x", i, i),
                    "replicated-" + i,
                    "Enabled",
                    ContactRenderer.V2023,
                    List.of(new Scenario.Contact(
                            "default", true, List.of("secops@contoso.com"), alerts, List.of("Owner"), null)),
                    null,
                    null,
                    null,
                    null));
        }
        // 100 ms per response, 4 at a time: a run takes ~6 s, long enough to lose a broker in the middle of it
        return new Scenario(TENANT, 100, 100, subs);
    }

    @Test
    void everySnapshotIsEvaluatedOnceAcrossLostLeadersAndALostQuorum() throws Exception {
        cluster = KafkaCluster.start(dir.resolve("cluster"), 3);
        String prefix = "replicated";
        Map<String, String> values = new HashMap<>();
        values.put(ContactAuditConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        values.put(ContactAuditConfig.TOPIC_PREFIX_CONFIG, prefix);
        values.put(ContactAuditConfig.TOPICS_PARTITIONS_CONFIG, "3");
        values.put(ContactAuditConfig.TOPICS_REPLICATION_FACTOR_CONFIG, "3");
        values.put(ContactAuditConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        values.put(ContactAuditConfig.FINDINGS_EMIT_CONFIG, "every");
        values.put(ContactAuditConfig.CONCURRENCY_CONFIG, "4");
        values.put("replication.factor", "3"); // the evaluator's changelog and repartition topics
        ContactAuditConfig config = ContactAuditConfig.of(values);
        Topics topics = KafkaSetup.topics(config);
        KafkaSetup.prepare(config, topics);
        String changelog = config.applicationId() + "-posture-store-changelog";

        List<RunSummary> runs = new ArrayList<>();
        try (FakeArm arm = FakeArm.start(tenant(false));
                EvaluatorApp evaluator = EvaluatorApp.create(config, topics);
                CollectorApp collector = CollectorApp.create(
                        config,
                        topics,
                        CollectorApp.arm(config, arm.endpoint(), arm.clientSslContext()),
                        new Collector.Progress() {
                            @Override
                            public void started(int subscriptions) {}

                            @Override
                            public void collected(SecurityContactSnapshot snapshot) {
                                collected.incrementAndGet();
                            }
                        })) {
            evaluator.start();
            assertReplicated(topics.snapshots().name());

            runs.add(collector.once());

            // run 2: some alerts go off; the leader of the snapshot partition 0 stops in the middle of it
            arm.scenario(tenant(true));
            int snapshotLeader = cluster.leaderOf(topics.snapshots().name(), 0);
            runs.add(runLosing(collector, () -> cluster.stop(snapshotLeader)));
            cluster.restart(snapshotLeader);
            awaitAllInSync(topics.snapshots().name());

            // run 3: they come back on; the leader of the evaluator's changelog partition 0 stops in the middle
            arm.scenario(tenant(false));
            assertReplicated(changelog);
            int changelogLeader = cluster.leaderOf(changelog, 0);
            runs.add(runLosing(collector, () -> cluster.stop(changelogLeader)));
            cluster.restart(changelogLeader);
            awaitAllInSync(topics.snapshots().name());

            // run 4: two brokers stop (one replica left, below min.insync.replicas 2): the run waits, loses nothing
            int lonely = cluster.leaderOf(topics.snapshots().name(), 1);
            List<Integer> stopped =
                    List.of(1, 2, 3).stream().filter(id -> id != lonely).toList();
            stopped.forEach(cluster::stop);
            CompletableFuture<RunSummary> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    return collector.once();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            await().during(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(10)).until(() -> !waiting.isDone());
            cluster.restart(stopped.get(0));
            runs.add(waiting.get(180, TimeUnit.SECONDS));
            cluster.restart(stopped.get(1));

            assertThat(runs)
                    .as("every run published every subscription, and said so")
                    .allSatisfy(run -> {
                        assertThat(run.subscriptions()).isEqualTo(SUBSCRIPTIONS);
                        assertThat(run.published()).isEqualTo(SUBSCRIPTIONS);
                        assertThat(run.publishFailures()).isZero();
                    });

            int total = runs.size() * SUBSCRIPTIONS;
            List<SecurityContactSnapshot> snapshots = values(
                    read(topics.snapshots().name(), topics.snapshots().value().deserializer(), total));
            assertThat(snapshots).hasSize(total);
            assertThat(distinct(snapshots, s -> s.getSubscriptionId() + "/" + s.getRunId()))
                    .as("no snapshot twice")
                    .isEqualTo(total);

            List<ComplianceFinding> findings = values(
                    read(topics.findings().name(), topics.findings().value().deserializer(), total));
            assertThat(findings).as("one finding per snapshot").hasSize(total);
            assertThat(distinct(findings, ComplianceFinding::getEventId)).isEqualTo(total);

            List<DriftEvent> drift =
                    values(read(topics.drift().name(), topics.drift().value().deserializer(), 2 * FLIPPED));
            Map<DriftKind, Long> kinds =
                    drift.stream().collect(Collectors.groupingBy(DriftEvent::getKind, Collectors.counting()));
            assertThat(kinds)
                    .as("exactly the changes made")
                    .isEqualTo(Map.of(DriftKind.REGRESSED, (long) FLIPPED, DriftKind.REMEDIATED, (long) FLIPPED));
            assertThat(evaluator.runner().failure()).isNull();
        }
    }

    /** Runs the collector once and calls {@code lose} when a fifth of the subscriptions are read. */
    private RunSummary runLosing(CollectorApp collector, Runnable lose) throws Exception {
        collected.set(0);
        CompletableFuture<RunSummary> run = CompletableFuture.supplyAsync(() -> {
            try {
                return collector.once();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(60)).until(() -> collected.get() >= SUBSCRIPTIONS / 5);
        assertThat(run).as("the broker is lost in the middle of the run").isNotDone();
        lose.run();
        return run.get(180, TimeUnit.SECONDS);
    }

    private void assertReplicated(String topic) throws Exception {
        try (Admin admin = cluster.admin()) {
            TopicDescription description = admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get(30, TimeUnit.SECONDS)
                    .get(topic);
            assertThat(description.partitions())
                    .allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config config = admin.describeConfigs(List.of(resource))
                    .all()
                    .get(30, TimeUnit.SECONDS)
                    .get(resource);
            assertThat(config.get("min.insync.replicas").value()).isEqualTo("2");
        }
    }

    /** Waits until every partition of {@code topic} has all three replicas in sync again. */
    private void awaitAllInSync(String topic) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            try (Admin admin = cluster.admin()) {
                assertThat(admin.describeTopics(List.of(topic))
                                .allTopicNames()
                                .get(30, TimeUnit.SECONDS)
                                .get(topic)
                                .partitions())
                        .allSatisfy(p -> assertThat(p.isr()).hasSize(3));
            }
        });
    }

    private <V> List<ConsumerRecord<String, V>> read(String topic, Deserializer<V> value, int count) {
        return TestKafka.readCommitted(
                cluster.bootstrapServers(),
                topic,
                Serdes.String().deserializer(),
                value,
                count,
                Duration.ofSeconds(120));
    }

    private static <V> List<V> values(List<ConsumerRecord<String, V>> records) {
        return records.stream().map(ConsumerRecord::value).toList();
    }

    private static <V> long distinct(List<V> values, Function<V, String> key) {
        return values.stream().map(key).distinct().count();
    }
}

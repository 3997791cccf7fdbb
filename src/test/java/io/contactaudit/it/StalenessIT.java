package io.contactaudit.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.contactaudit.app.EvaluatorApp;
import io.contactaudit.app.KafkaSetup;
import io.contactaudit.config.ContactAuditConfig;
import io.contactaudit.evaluate.StreamsRunner;
import io.contactaudit.kafka.Topics;
import io.contactaudit.schema.CollectionStatus;
import io.contactaudit.schema.DriftEvent;
import io.contactaudit.schema.DriftKind;
import io.contactaudit.schema.SecurityContactSnapshot;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * STALE means "not collected", never "not yet processed": a collector publishes every subscription every 2 s
 * (declaring that interval, so the window is 6 s) while evaluators stop, restart, join and fail over; no STALE may
 * appear while the collector runs, and once it stops every subscription is flagged STALE exactly once, promptly.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class StalenessIT {

    static final int SUBSCRIPTIONS = 1500;
    static final Duration CADENCE = Duration.ofSeconds(2);
    static final Duration WINDOW = CADENCE.multipliedBy(3);
    static final Duration CHECK = Duration.ofMillis(250);

    @TempDir
    Path dir;

    @Test
    void anEvaluatorRestartedAfterAnOutageLongerThanTheWindowReadsItsBacklogWithoutFalseStale() throws Exception {
        String prefix = TestKafka.uniquePrefix("stale-restart");
        Topics topics = provision(prefix, 3);
        ContactAuditConfig config = evaluator(prefix, "state", "PT1H");
        try (Collector collector = new Collector(topics);
                Watch watch = new Watch(topics)) {
            try (StreamsRunner first = EvaluatorApp.create(config, topics).runner()) {
                first.start();
                watch.awaitFindings(SUBSCRIPTIONS, Duration.ofSeconds(90));
            }
            int stoppedAt = collector.cycles.get();
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> collector.cycles.get() >= stoppedAt + 6); // 12 s: twice the window

            try (StreamsRunner restarted = EvaluatorApp.create(config, topics).runner()) {
                restarted.start();
                int restartedAt = collector.cycles.get();
                await().atMost(Duration.ofSeconds(60)).until(() -> collector.cycles.get() >= restartedAt + 3);
                assertCaughtUpWithoutStaleThenFlagsEverySubscription(collector, watch);
            }
        }
    }

    @Test
    void aJoiningInstanceAndATakeoverByAnInstanceConfiguredOtherwiseGiveNoFalseStale() throws Exception {
        String prefix = TestKafka.uniquePrefix("stale-takeover");
        Topics topics = provision(prefix, 6);
        try (Collector collector = new Collector(topics);
                Watch watch = new Watch(topics)) {
            StreamsRunner first = EvaluatorApp.create(staying(prefix, "first", "PT1H"), topics)
                    .runner();
            try {
                first.start();
                watch.awaitFindings(SUBSCRIPTIONS, Duration.ofSeconds(90));
                // a second instance, whose own stale.after (2 s) is shorter than the cadence: it must judge by the
                // window
                // the snapshots declare, or it would flag every subscription between two collections
                try (StreamsRunner second = EvaluatorApp.create(evaluator(prefix, "second", "PT2S"), topics)
                        .runner()) {
                    second.start();
                    await().atMost(Duration.ofSeconds(90))
                            .until(() -> activeTasks(second) > 0 && activeTasks(first) < 6);
                    int joinedAt = collector.cycles.get();
                    await().atMost(Duration.ofSeconds(60)).until(() -> collector.cycles.get() >= joinedAt + 3);

                    // the first instance goes away without leaving the group: its tasks wait out the session timeout
                    // (longer than the window), then the second takes them over with a backlog to read
                    first.close();
                    await().atMost(Duration.ofSeconds(90)).until(() -> activeTasks(second) == 6);
                    int tookOverAt = collector.cycles.get();
                    await().atMost(Duration.ofSeconds(60)).until(() -> collector.cycles.get() >= tookOverAt + 3);
                    assertCaughtUpWithoutStaleThenFlagsEverySubscription(collector, watch);
                }
            } finally {
                first.close();
            }
        }
    }

    /**
     * Stops the collector, waits until every snapshot it published is evaluated, checks that no STALE was false, then
     * waits until every subscription is STALE for its last snapshot, once.
     *
     * <p>A STALE is false when the collector did collect in time: a snapshot of the subscription was collected within the
     * window after the one the STALE names, and was in the topic (acknowledged a second before) when the STALE was
     * raised. A collector that misses its cadence, or publishes a cycle late, on this loaded machine makes a true STALE.
     */
    static void assertCaughtUpWithoutStaleThenFlagsEverySubscription(Collector collector, Watch watch) {
        Instant last = collector.stop();
        watch.awaitFindings(collector.published.get(), Duration.ofSeconds(120));
        watch.poll();
        List<Map.Entry<Instant, Instant>> cycles = List.copyOf(collector.collected);
        long falseStale = watch.stale.stream()
                .filter(s -> cycles.stream()
                        .anyMatch(c -> c.getKey().isAfter(s.previous())
                                && !c.getKey().isAfter(s.previous().plus(WINDOW))
                                && c.getValue().plusSeconds(1).isBefore(s.detected())))
                .count();
        assertThat(falseStale)
                .as(
                        "STALE of subscriptions collected within their window (of %d STALE, %d cycles)",
                        watch.stale.size(), cycles.size())
                .isZero();

        await().atMost(WINDOW.plus(CHECK).plusSeconds(10))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> watch.poll().staleFor(last).size() >= SUBSCRIPTIONS);
        Duration after = Duration.between(last, Instant.now());
        assertThat(watch.staleFor(last))
                .as("every subscription STALE for its last snapshot, once")
                .hasSize(SUBSCRIPTIONS)
                .doesNotHaveDuplicates();
        // the bound: the window of the last snapshot plus a check interval, plus what this loaded machine adds (the
        // backlog's evaluation is waited for first: 5 s of slack was exceeded by 0.9 s once, in a clean-clone CI run)
        assertThat(after)
                .as("flagged within the window")
                .isLessThan(WINDOW.plus(CHECK).plusSeconds(8));
    }

    static Topics provision(String prefix, int partitions) {
        Topics topics = Topics.create(prefix);
        KafkaSetup.prepare(
                ContactAuditConfig.of(Map.of(
                        ContactAuditConfig.BOOTSTRAP_SERVERS_CONFIG,
                        TestKafka.bootstrapServers(),
                        ContactAuditConfig.TOPIC_PREFIX_CONFIG,
                        prefix,
                        ContactAuditConfig.TOPICS_PARTITIONS_CONFIG,
                        String.valueOf(partitions))),
                topics);
        return topics;
    }

    ContactAuditConfig evaluator(String prefix, String state, String staleAfter) {
        return ContactAuditConfig.of(values(prefix, state, staleAfter));
    }

    /** An evaluator that, like a crashed one, does not leave the group when it closes: its tasks wait out the session timeout. */
    ContactAuditConfig staying(String prefix, String state, String staleAfter) {
        Map<String, String> values = values(prefix, state, staleAfter);
        values.put("main.consumer.internal.leave.group.on.close", "false");
        return ContactAuditConfig.of(values);
    }

    Map<String, String> values(String prefix, String state, String staleAfter) {
        return new java.util.HashMap<>(Map.of(
                ContactAuditConfig.BOOTSTRAP_SERVERS_CONFIG,
                TestKafka.bootstrapServers(),
                ContactAuditConfig.TOPIC_PREFIX_CONFIG,
                prefix,
                ContactAuditConfig.STATE_DIR_CONFIG,
                dir.resolve(state).toString(),
                ContactAuditConfig.STALE_AFTER_CONFIG,
                staleAfter,
                ContactAuditConfig.STALE_CHECK_INTERVAL_CONFIG,
                CHECK.toString(),
                // a finding per snapshot: the watch counts them to know that every snapshot was evaluated
                ContactAuditConfig.FINDINGS_EMIT_CONFIG,
                "every",
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG,
                "8000",
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG,
                "1000"));
    }

    static int activeTasks(StreamsRunner runner) {
        if (runner.state() != KafkaStreams.State.RUNNING) {
            return -1;
        }
        return runner.streams().metadataForLocalThreads().stream()
                .mapToInt(t -> t.activeTasks().size())
                .sum();
    }

    /** Publishes a snapshot of every subscription every {@link #CADENCE}, each declaring that interval, as a collector loop does. */
    static final class Collector implements AutoCloseable {
        final AtomicInteger cycles = new AtomicInteger();
        final AtomicLong published = new AtomicLong();
        /** Each cycle's collection time (as the snapshots carry it) and when all of it was acknowledged. */
        final List<Map.Entry<Instant, Instant>> collected = new CopyOnWriteArrayList<>();

        private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();
        private final KafkaProducer<String, SecurityContactSnapshot> producer;
        private volatile Instant last;

        Collector(Topics topics) {
            // several requests in flight and lingering batches: a cycle is published in a fraction of the cadence
            producer = new KafkaProducer<>(
                    Map.of(
                            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                            TestKafka.bootstrapServers(),
                            ProducerConfig.ACKS_CONFIG,
                            "all",
                            ProducerConfig.LINGER_MS_CONFIG,
                            5),
                    Serdes.String().serializer(),
                    topics.snapshots().value().serializer());
            loop.scheduleAtFixedRate(
                    () -> {
                        Instant at = Instant.now();
                        String run = "run-" + cycles.get();
                        for (int i = 0; i < SUBSCRIPTIONS; i++) {
                            String sub = String.format(Locale.ROOT, "70000000-0000-0000-0000-%012d", i);
                            SecurityContactSnapshot snapshot = SecurityContactSnapshot.newBuilder()
                                    .setSubscriptionId(sub)
                                    .setRunId(run)
                                    .setCollectedAt(at)
                                    .setApiVersion("2023-12-01-preview")
                                    .setStatus(CollectionStatus.OK)
                                    .setRawBodies(List.of(CrashRecoveryIT.body(sub, "High")))
                                    .setCollectionIntervalMs(CADENCE.toMillis())
                                    .build();
                            producer.send(new ProducerRecord<>(
                                    topics.snapshots().name(), null, at.toEpochMilli(), sub, snapshot));
                        }
                        producer.flush();
                        published.addAndGet(SUBSCRIPTIONS);
                        last = Instant.ofEpochMilli(at.toEpochMilli()); // as the snapshot carries it
                        collected.add(Map.entry(Instant.ofEpochMilli(at.toEpochMilli()), Instant.now()));
                        cycles.incrementAndGet();
                    },
                    0,
                    CADENCE.toMillis(),
                    TimeUnit.MILLISECONDS);
        }

        /** Stops after the current cycle; the collection time of the last one. */
        Instant stop() {
            loop.shutdown();
            try {
                assertThat(loop.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return last;
        }

        @Override
        public void close() {
            loop.shutdownNow();
            producer.close();
        }
    }

    /** Reads findings and drift with read_committed as they come: distinct finding events, and STALE per subscription. */
    static final class Watch implements AutoCloseable {
        final Set<String> findingEvents = new HashSet<>();
        /** Findings read, duplicates included. */
        long findingsRead;
        /** A STALE: the subscription, the collection time of the last snapshot it was flagged after, when it was raised. */
        record Stale(String subscription, Instant previous, Instant detected) {}

        final List<Stale> stale = new ArrayList<>();
        private final KafkaConsumer<String, byte[]> consumer;
        private final Topics topics;

        Watch(Topics topics) {
            this.topics = topics;
            this.consumer = new KafkaConsumer<>(
                    Map.of(
                            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                            TestKafka.bootstrapServers(),
                            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                            "read_committed",
                            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                            false),
                    Serdes.String().deserializer(),
                    Serdes.ByteArray().deserializer());
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(topics.findings().name(), topics.drift().name())) {
                consumer.partitionsFor(topic, Duration.ofSeconds(30))
                        .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }

        Watch poll() {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                if (r.topic().equals(topics.findings().name())) {
                    findingsRead++;
                    findingEvents.add(topics.findings()
                            .value()
                            .deserializer()
                            .deserialize(r.topic(), r.value())
                            .getEventId());
                } else {
                    DriftEvent drift = topics.drift().value().deserializer().deserialize(r.topic(), r.value());
                    if (drift.getKind() == DriftKind.STALE) {
                        stale.add(new Stale(
                                drift.getSubscriptionId(), drift.getPreviousCollectedAt(), drift.getDetectedAt()));
                    }
                }
            }
            return this;
        }

        /** The subscriptions flagged STALE after a snapshot collected at {@code at}, one entry per STALE. */
        List<String> staleFor(Instant at) {
            return stale.stream()
                    .filter(s -> s.previous().equals(at))
                    .map(Stale::subscription)
                    .toList();
        }

        void awaitFindings(long count, Duration timeout) {
            await().atMost(timeout)
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> poll().findingEvents.size() >= count);
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}

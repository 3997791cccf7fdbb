package io.contactaudit.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.contactaudit.app.KafkaSetup;
import io.contactaudit.config.ContactAuditConfig;
import io.contactaudit.demo.ContactRenderer;
import io.contactaudit.demo.Scenario;
import io.contactaudit.kafka.Topics;
import io.contactaudit.schema.CollectionStatus;
import io.contactaudit.schema.ComplianceFinding;
import io.contactaudit.schema.DriftEvent;
import io.contactaudit.schema.DriftKind;
import io.contactaudit.schema.SecurityContactSnapshot;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The evaluator process is killed (SIGKILL, no clean close) in the middle of a backlog and started again:
 * every snapshot's finding appears exactly once for read_committed readers, none missing, and the drift
 * is exactly what the snapshots imply.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class CrashRecoveryIT {

    static final int SUBSCRIPTIONS = 1000;
    static final String[] CYCLES = {"High", "Medium", "Off"};

    @TempDir
    Path dir;

    static String body(String sub, String alerts) {
        return ContactRenderer.body(
                sub,
                ContactRenderer.V2023,
                new Scenario.Contact(null, true, List.of("a@contoso.com"), alerts, List.of(), null));
    }

    /** A finding per snapshot, so that "exactly one finding per snapshot" can be counted. */
    static final Map<String, String> EVERY = Map.of("CONTACT_AUDIT_FINDINGS_EMIT", "every");

    @Test
    void killedMidBacklogAndRestartedLosesAndDuplicatesNothing() throws Exception {
        String bootstrap = TestKafka.bootstrapServers();
        String prefix = TestKafka.uniquePrefix("crash");
        Topics topics = Topics.create(prefix);
        KafkaSetup.prepare(
                ContactAuditConfig.of(Map.of(
                        ContactAuditConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrap,
                        ContactAuditConfig.TOPIC_PREFIX_CONFIG,
                        prefix,
                        ContactAuditConfig.TOPICS_PARTITIONS_CONFIG,
                        "3")),
                topics);

        Instant t0 = Instant.parse("2026-03-01T00:00:00Z");
        try (KafkaProducer<String, SecurityContactSnapshot> producer = TestKafka.producer(
                bootstrap,
                Serdes.String().serializer(),
                topics.snapshots().value().serializer())) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int cycle = 0; cycle < CYCLES.length; cycle++) {
                Instant at = t0.plus(Duration.ofMinutes(15L * cycle));
                for (int i = 0; i < SUBSCRIPTIONS; i++) {
                    String sub = String.format(Locale.ROOT, "50000000-0000-0000-0000-%012d", i);
                    SecurityContactSnapshot snapshot = SecurityContactSnapshot.newBuilder()
                            .setSubscriptionId(sub)
                            .setRunId("run-" + cycle)
                            .setCollectedAt(at)
                            .setApiVersion("2023-12-01-preview")
                            .setStatus(CollectionStatus.OK)
                            .setRawBodies(List.of(body(sub, CYCLES[cycle])))
                            .build();
                    sent.add(producer.send(
                            new ProducerRecord<>(topics.snapshots().name(), null, at.toEpochMilli(), sub, snapshot)));
                }
            }
            for (Future<RecordMetadata> f : sent) {
                f.get();
            }
        }
        int total = SUBSCRIPTIONS * CYCLES.length;

        Jar first = new Jar(dir, "first");
        String[] args = {
            "evaluate",
            "--bootstrap-servers",
            bootstrap,
            "--topic-prefix",
            prefix,
            "--state-dir",
            dir.resolve("state").toString()
        };
        Process evaluator = first.start(EVERY, args);
        try (KafkaConsumer<String, byte[]> watcher =
                committedReader(bootstrap, topics.findings().name())) {
            int[] seen = {0};
            await().atMost(Duration.ofSeconds(120)).until(() -> {
                seen[0] += watcher.poll(Duration.ofMillis(100)).count();
                return seen[0] > 0;
            });
            evaluator.destroyForcibly();
            assertThat(evaluator.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(seen[0]).as("killed in the middle of the backlog").isLessThan(total);
        }

        Jar second = new Jar(dir, "second");
        Process restarted = second.start(EVERY, args);
        try {
            List<ConsumerRecord<String, ComplianceFinding>> findings = TestKafka.readCommitted(
                    bootstrap,
                    topics.findings().name(),
                    Serdes.String().deserializer(),
                    topics.findings().value().deserializer(),
                    total,
                    Duration.ofSeconds(180));
            Map<String, Long> perEvent = findings.stream()
                    .collect(Collectors.groupingBy(r -> r.value().getEventId(), Collectors.counting()));
            assertThat(findings).as("exactly one finding per snapshot").hasSize(total);
            assertThat(perEvent).hasSize(total);
            Set<String> runs = findings.stream()
                    .map(r -> r.value().getSubscriptionId() + "/" + r.value().getRunId())
                    .collect(Collectors.toSet());
            assertThat(runs).hasSize(total);

            List<ConsumerRecord<String, DriftEvent>> drift = TestKafka.readCommitted(
                    bootstrap,
                    topics.drift().name(),
                    Serdes.String().deserializer(),
                    topics.drift().value().deserializer(),
                    2 * SUBSCRIPTIONS,
                    Duration.ofSeconds(60));
            Map<DriftKind, Long> kinds =
                    drift.stream().collect(Collectors.groupingBy(r -> r.value().getKind(), Collectors.counting()));
            assertThat(kinds)
                    .containsOnly(
                            Map.entry(DriftKind.CONFIG_CHANGED, (long) SUBSCRIPTIONS),
                            Map.entry(DriftKind.REGRESSED, (long) SUBSCRIPTIONS));
        } finally {
            restarted.destroy();
            restarted.waitFor(60, TimeUnit.SECONDS);
        }
    }

    static KafkaConsumer<String, byte[]> committedReader(String bootstrap, String topic) {
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrap,
                        ConsumerConfig.GROUP_ID_CONFIG,
                        "it-watch-" + UUID.randomUUID(),
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest",
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                        "read_committed"),
                Serdes.String().deserializer(),
                Serdes.ByteArray().deserializer());
        consumer.subscribe(List.of(topic));
        return consumer;
    }
}

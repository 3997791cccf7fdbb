package io.contactaudit.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.contactaudit.config.ContactAuditConfig;
import io.contactaudit.kafka.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code evaluate} processes (the packaged jar, each its own state directory) share a 6-partition snapshot topic
 * while a collector publishes every subscription every 2 s. One is SIGKILLed in the middle of the stream: the other
 * takes its tasks over; later both are restarted one at a time. Every finding is counted (none lost, none twice for a
 * read_committed reader), no STALE is raised for a subscription collected in time, and once the collector stops every
 * subscription is STALE exactly once. The failover time (SIGKILL → every partition's committed offset moving again)
 * is printed, with and without a standby replica. A harsher case starts cold behind a backlog and kills an instance
 * before the group has settled.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class EvaluatorProcessesIT {

    /** The failover must wait for the group's session timeout to expire the killed member. */
    static final Duration SESSION_TIMEOUT = Duration.ofSeconds(6);
    /** How long a group must run without a rebalance to count as settled. */
    static final Duration SETTLED = Duration.ofSeconds(6);

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        processes.forEach(Process::destroyForcibly);
    }

    @Test
    void aKilledInstancesTasksMoveWithoutLossDuplicatesOrFalseStaleAndARollingRestartToo() throws Exception {
        String prefix = TestKafka.uniquePrefix("processes");
        Topics topics = StalenessIT.provision(prefix, 6);
        Path config = config(prefix, 1);
        try (StalenessIT.Collector collector = new StalenessIT.Collector(topics);
                StalenessIT.Watch watch = new StalenessIT.Watch(topics)) {
            Process a = start("a", config);
            Process b = start("b", config);
            watch.awaitFindings(3L * StalenessIT.SUBSCRIPTIONS, Duration.ofSeconds(120));
            awaitSettled("a", "b");

            Duration failover = killAndTimeTakeover(b, prefix);
            System.out.printf("failover with num.standby.replicas=1: %d ms%n", failover.toMillis());
            assertThat(failover)
                    .as("the killed member waits out the session timeout")
                    .isGreaterThan(SESSION_TIMEOUT);
            b = start("b-again", config);
            awaitCycles(collector, 3);
            awaitSettled("a", "b-again");

            // rolling restart: one instance at a time, each stopped with SIGTERM (it leaves the group, commits)
            restart(a, "a", "a-rolled", config, collector);
            restart(b, "b-again", "b-rolled", config, collector);

            assertNoFalseStaleAndEverySnapshotEvaluatedOnce(collector, watch);
        }
    }

    @Test
    void withoutAStandbyTheTakeoverRestoresTheStore() throws Exception {
        String prefix = TestKafka.uniquePrefix("processes-nostandby");
        Topics topics = StalenessIT.provision(prefix, 6);
        Path config = config(prefix, 0);
        try (StalenessIT.Collector collector = new StalenessIT.Collector(topics);
                StalenessIT.Watch watch = new StalenessIT.Watch(topics)) {
            start("a", config);
            Process b = start("b", config);
            watch.awaitFindings(3L * StalenessIT.SUBSCRIPTIONS, Duration.ofSeconds(120));
            awaitSettled("a", "b");

            Duration failover = killAndTimeTakeover(b, prefix);
            System.out.printf("failover with num.standby.replicas=0: %d ms%n", failover.toMillis());
            assertThat(failover)
                    .as("the killed member waits out the session timeout")
                    .isGreaterThan(SESSION_TIMEOUT);

            collector.stop();
            watch.awaitFindings(collector.published.get(), Duration.ofSeconds(120));
            assertThat(watch.poll().findingsRead).isEqualTo(collector.published.get());
        }
    }

    /**
     * The first instance starts cold behind 7,500 waiting snapshots, a second one joins and is killed one cycle later,
     * while the group is still moving tasks to it; no standby. Where false STALEs were caught: during the cold start, a
     * task whose records waited in the consumer behind the other partitions' (its lag still read 0) took itself for
     * caught up; after the takeover, a task waiting seconds for its turn while its thread read the other partitions'
     * backlog ran its clock on from its newest record although its consumer's lag said records waited.
     */
    @Test
    void aColdStartBehindABacklogAndAnUnsettledKillWithoutAStandbyGiveNoFalseStale() throws Exception {
        String prefix = TestKafka.uniquePrefix("processes-unsettled");
        Topics topics = StalenessIT.provision(prefix, 6);
        Path config = config(prefix, 0);
        try (StalenessIT.Collector collector = new StalenessIT.Collector(topics);
                StalenessIT.Watch watch = new StalenessIT.Watch(topics)) {
            awaitCycles(collector, 5); // 7,500 snapshots wait when the first instance starts
            start("a", config);
            watch.awaitFindings(8L * StalenessIT.SUBSCRIPTIONS, Duration.ofSeconds(120));
            Process b = start("b", config);
            awaitCycles(collector, 1);

            Duration failover = killAndTimeTakeover(b, prefix);
            System.out.printf("failover with num.standby.replicas=0, killed unsettled: %d ms%n", failover.toMillis());
            awaitCycles(collector, 3);

            assertNoFalseStaleAndEverySnapshotEvaluatedOnce(collector, watch);
        }
    }

    /** Stops the collector, then: no false STALE, every subscription STALE once, every snapshot's finding read once. */
    private static void assertNoFalseStaleAndEverySnapshotEvaluatedOnce(
            StalenessIT.Collector collector, StalenessIT.Watch watch) {
        StalenessIT.assertCaughtUpWithoutStaleThenFlagsEverySubscription(collector, watch);
        assertThat(watch.findingsRead)
                .as("every snapshot evaluated once for read_committed readers")
                .isEqualTo(collector.published.get())
                .isEqualTo(watch.findingEvents.size());
    }

    /** The evaluator's settings, as an operator writes them in a file. */
    private Path config(String prefix, int standbys) throws IOException {
        Map<String, String> values = new HashMap<>();
        values.put(ContactAuditConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers());
        values.put(ContactAuditConfig.TOPIC_PREFIX_CONFIG, prefix);
        values.put(ContactAuditConfig.FINDINGS_EMIT_CONFIG, "every");
        values.put(ContactAuditConfig.STALE_AFTER_CONFIG, "PT1H"); // the snapshots' declared interval decides
        values.put(ContactAuditConfig.STALE_CHECK_INTERVAL_CONFIG, StalenessIT.CHECK.toString());
        values.put("num.standby.replicas", String.valueOf(standbys));
        values.put("session.timeout.ms", String.valueOf(SESSION_TIMEOUT.toMillis()));
        values.put("heartbeat.interval.ms", "1000");
        Path file = dir.resolve(prefix + ".properties");
        Files.writeString(
                file,
                values.entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .collect(Collectors.joining("\n")));
        return file;
    }

    /** Starts an {@code evaluate} process with its own state directory and waits until it runs. */
    private Process start(String name, Path config) throws IOException {
        Jar jar = new Jar(dir, name);
        String state = dir.resolve("state-" + name.replaceAll("-.*", "")).toString();
        Process process = jar.start(Map.of(), "evaluate", "--config", config.toString(), "--state-dir", state);
        processes.add(process);
        await().atMost(Duration.ofSeconds(90)).until(() -> jar.err().contains("-> RUNNING") || !process.isAlive());
        assertThat(process.isAlive()).as(jar.err()).isTrue();
        return process;
    }

    /** SIGTERM, wait for a clean exit, start again, let it work for a few cycles. */
    private Process restart(Process process, String was, String name, Path config, StalenessIT.Collector collector)
            throws Exception {
        process.destroy();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
        assertThat(process.exitValue())
                .as("the JVM's exit on SIGTERM after its shutdown hook")
                .isEqualTo(143);
        assertThat(new Jar(dir, was).err()).as("closed cleanly").contains("-> NOT_RUNNING");
        Process started = start(name, config);
        awaitCycles(collector, 3);
        awaitSettled(name);
        return started;
    }

    /**
     * Waits until the named instances have run for {@link #SETTLED} without a rebalance. A member that joins brings
     * rebalances that move tasks to it, warm them up and move them again; the failover is measured from a settled group,
     * {@link #aColdStartBehindABacklogAndAnUnsettledKillWithoutAStandbyGiveNoFalseStale} kills one in the
     * middle of such moves.
     */
    private void awaitSettled(String... names) {
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    Instant last = Instant.MIN;
                    for (String name : names) {
                        List<String> changes = new Jar(dir, name)
                                .err()
                                .lines()
                                .filter(l -> l.contains("evaluator state"))
                                .toList();
                        if (changes.isEmpty()
                                || !changes.get(changes.size() - 1).endsWith("-> RUNNING")) {
                            return false;
                        }
                        Instant at = LocalDateTime.parse(changes.get(changes.size() - 1)
                                        .substring(0, 23)
                                        .replace(',', '.'))
                                .atZone(ZoneId.systemDefault())
                                .toInstant();
                        last = at.isAfter(last) ? at : last;
                    }
                    return Duration.between(last, Instant.now()).compareTo(SETTLED) >= 0;
                });
    }

    private static void awaitCycles(StalenessIT.Collector collector, int cycles) {
        int from = collector.cycles.get();
        await().atMost(Duration.ofSeconds(60)).until(() -> collector.cycles.get() >= from + cycles);
    }

    /**
     * SIGKILLs {@code victim} and waits until every input partition's committed offset has moved past where it was: the
     * killed instance's partitions move only once the other instance has taken them over.
     */
    private static Duration killAndTimeTakeover(Process victim, String prefix) throws Exception {
        String group = prefix + "-evaluate-v1";
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers()))) {
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> committed(admin, group).size() == 6);
            long killed = System.nanoTime();
            victim.destroyForcibly();
            Map<TopicPartition, Long> atKill = committed(admin, group);
            await().atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        Map<TopicPartition, Long> now = committed(admin, group);
                        return atKill.entrySet().stream()
                                .allMatch(e -> now.getOrDefault(e.getKey(), -1L) > e.getValue());
                    });
            return Duration.ofNanos(System.nanoTime() - killed);
        }
    }

    private static Map<TopicPartition, Long> committed(Admin admin, String group) throws Exception {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get(30, TimeUnit.SECONDS)
                .entrySet()) {
            if (e.getValue() != null && e.getKey().topic().endsWith(".snapshots.v1")) {
                offsets.put(e.getKey(), e.getValue().offset());
            }
        }
        return offsets;
    }
}

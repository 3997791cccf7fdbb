package io.contactaudit.bench;

import io.contactaudit.Percentiles;
import io.contactaudit.app.CollectorApp;
import io.contactaudit.app.EvaluatorApp;
import io.contactaudit.app.KafkaSetup;
import io.contactaudit.collector.Collector;
import io.contactaudit.collector.EventTrigger;
import io.contactaudit.config.ContactAuditConfig;
import io.contactaudit.demo.ChangeFeed;
import io.contactaudit.demo.Directories;
import io.contactaudit.demo.FakeArm;
import io.contactaudit.demo.Scenario;
import io.contactaudit.embedded.EmbeddedKafka;
import io.contactaudit.kafka.TopicProvisioner;
import io.contactaudit.kafka.Topics;
import io.contactaudit.schema.DriftEvent;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Change → drift event: the whole pipeline on an in-process broker (collector with change-triggered reads, the
 * evaluator exactly once), a fake Resource Manager answering after {@code latencyMs}, and a steady rate of contact
 * changes made through its API, each flipping a subscription's verdict. Azure's events for them reach a local topic
 * standing in for the Event Hub. For each change: the time until its drift event is visible to a read_committed
 * reader, split into the trigger's part (change → snapshot written) and the evaluator's (snapshot → drift visible);
 * the debounce is the floor the trigger's part cannot go under.
 */
public final class EventsBench {

    /**
     * @param subscriptions  in the simulated tenant; changes go round them, so one is changed again only after all
     * @param latencyMs      added to every Resource Manager response
     * @param rate           changes per second
     * @param seconds        length of the measured phase (after a warm-up of 5 s at the same rate)
     * @param debounce       events.debounce
     * @param concurrency    collector.concurrency: subscriptions read at the same time
     */
    public record Settings(
            int subscriptions, int latencyMs, int rate, int seconds, Duration debounce, int concurrency) {}

    private static final int WARMUP_SECONDS = 5;

    private final Settings settings;
    private final PrintWriter out;
    /** Change id → when the change was made, as its events date it (ms). */
    private final Map<String, Long> changedAt = new ConcurrentHashMap<>();
    /** Change id → {snapshot written (the drift record's timestamp), drift visible} (ms). */
    private final Map<String, long[]> seenAt = new ConcurrentHashMap<>();

    public EventsBench(Settings settings, PrintWriter out) {
        this.settings = settings;
        this.out = out;
    }

    public void run() throws Exception {
        out.printf(
                Locale.ROOT,
                "events benchmark: %d subscriptions, %d changes/s for %d s (after %d s warm-up), %d ms Resource Manager"
                        + " latency, events.debounce %d ms, collector.concurrency %d, %d cores, max heap %d MiB%n",
                settings.subscriptions(),
                settings.rate(),
                settings.seconds(),
                WARMUP_SECONDS,
                settings.latencyMs(),
                settings.debounce().toMillis(),
                settings.concurrency(),
                Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20);
        out.flush();
        Path dir = Files.createTempDirectory("contact-audit-bench-events");
        try (EmbeddedKafka broker = EmbeddedKafka.start(dir.resolve("kafka"));
                FakeArm arm = FakeArm.start(CollectorBench.tenant(settings.subscriptions(), settings.latencyMs()))) {
            Map<String, String> values = new HashMap<>();
            values.put(ContactAuditConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            values.put(ContactAuditConfig.TOPIC_PREFIX_CONFIG, "bench");
            values.put(
                    ContactAuditConfig.STATE_DIR_CONFIG, dir.resolve("streams").toString());
            values.put(ContactAuditConfig.TOPICS_PARTITIONS_CONFIG, "3");
            values.put(ContactAuditConfig.EVENTS_ENABLED_CONFIG, "true");
            values.put(ContactAuditConfig.EVENTS_TOPIC_CONFIG, "insights-activity-logs");
            values.put(
                    ContactAuditConfig.EVENTS_DEBOUNCE_CONFIG,
                    settings.debounce().toString());
            values.put(ContactAuditConfig.CONCURRENCY_CONFIG, String.valueOf(settings.concurrency()));
            ContactAuditConfig config = ContactAuditConfig.of(values);
            Topics topics = KafkaSetup.topics(config);
            KafkaSetup.prepare(config, topics);
            TopicProvisioner.ensureTopic(
                    config.kafkaClientProperties(), config.eventsTopic(), 2, Duration.ofSeconds(30));
            arm.onChange(change ->
                    changedAt.put(change.correlationId(), change.time().toEpochMilli()));
            AtomicBoolean watching = new AtomicBoolean(true);
            try (ChangeFeed feed = ChangeFeed.start(arm, config.kafkaClientProperties(), config.eventsTopic());
                    EvaluatorApp evaluator = EvaluatorApp.create(config, topics);
                    CollectorApp collector = CollectorApp.create(
                            config,
                            topics,
                            CollectorApp.arm(config, arm.endpoint(), arm.clientSslContext()),
                            Collector.Progress.NONE)) {
                evaluator.start();
                out.printf(Locale.ROOT, "first poll: %s%n", collector.once().line());
                out.flush();
                Thread watcher = new Thread(() -> watch(config, topics, watching), "bench-events-watch");
                watcher.start();
                EventTrigger trigger = collector.trigger();
                Thread triggering = new Thread(trigger, "bench-events-trigger");
                triggering.start();
                try {
                    change(arm, WARMUP_SECONDS, 0);
                    changedAt.clear();
                    seenAt.clear();
                    change(arm, settings.seconds(), settings.rate() * WARMUP_SECONDS);
                    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                    while (!seenAt.keySet().containsAll(changedAt.keySet()) && System.nanoTime() < deadline) {
                        Thread.sleep(50);
                    }
                    report(trigger.stats());
                } finally {
                    trigger.stop();
                    triggering.join(10_000);
                    watching.set(false);
                    watcher.join(10_000);
                }
            }
        } finally {
            Directories.deleteRecursively(dir);
        }
    }

    /** Makes {@code rate} changes a second for {@code seconds}, round the subscriptions from {@code first}. */
    private void change(FakeArm arm, int seconds, int first) throws Exception {
        long start = System.nanoTime();
        long periodNanos = 1_000_000_000L / settings.rate();
        int n = seconds * settings.rate();
        for (int i = 0; i < n; i++) {
            long due = start + i * periodNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            Scenario.Subscription sub = arm.scenario().subscriptions().get((first + i) % settings.subscriptions());
            Scenario.Contact contact = sub.contacts().get(0);
            // flips the verdict: alerts off, or back on
            Scenario.Contact flipped = contact.withAlerts("Off".equals(contact.alerts()) ? "High" : "Off");
            int status = arm.putContact(sub.id(), flipped, sub.generation());
            if (status >= 300) {
                throw new IllegalStateException("Resource Manager refused a change: " + status);
            }
        }
    }

    private void watch(ContactAuditConfig config, Topics topics, AtomicBoolean watching) {
        Map<String, Object> props = new HashMap<>(config.kafkaClientProperties());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-events-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topics.drift().name()));
            while (watching.get()) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(20))) {
                    long now = System.currentTimeMillis();
                    DriftEvent drift =
                            topics.drift().value().deserializer().deserialize(record.topic(), record.value());
                    if (drift.getTriggerEventId() != null) {
                        seenAt.putIfAbsent(drift.getTriggerEventId(), new long[] {record.timestamp(), now});
                    }
                }
            }
        }
    }

    private void report(EventTrigger.Stats stats) {
        List<Long> total = new ArrayList<>();
        List<Long> trigger = new ArrayList<>();
        List<Long> evaluator = new ArrayList<>();
        changedAt.forEach((id, at) -> {
            long[] seen = seenAt.get(id);
            if (seen != null) {
                total.add(seen[1] - at);
                trigger.add(seen[0] - at);
                evaluator.add(seen[1] - seen[0]);
            }
        });
        total.sort(null);
        trigger.sort(null);
        evaluator.sort(null);
        out.printf(
                Locale.ROOT,
                "changes %d, drift events seen %d (missing %d); trigger: %d events received, %d duplicates, %d ignored,"
                        + " %d reads%n",
                changedAt.size(),
                total.size(),
                changedAt.size() - total.size(),
                stats.received.get(),
                stats.duplicates.get(),
                stats.ignored.get(),
                stats.triggeredReads.get());
        if (total.isEmpty()) {
            out.flush();
            return;
        }
        line("change → drift visible", total);
        line("  change → snapshot written", trigger);
        line("  snapshot → drift visible", evaluator);
        out.printf(
                Locale.ROOT,
                "summary: change→drift p50 %d ms, p99 %d ms (target p99 < 2000 ms); debounce %d ms = %.0f%% of p50%n",
                Percentiles.of(total, 0.50),
                Percentiles.of(total, 0.99),
                settings.debounce().toMillis(),
                100.0 * settings.debounce().toMillis() / Math.max(1, Percentiles.of(total, 0.50)));
        out.flush();
    }

    private void line(String what, List<Long> sorted) {
        out.printf(
                Locale.ROOT,
                "%-28s p50 %5d ms  p90 %5d ms  p99 %5d ms  max %5d ms%n",
                what,
                Percentiles.of(sorted, 0.50),
                Percentiles.of(sorted, 0.90),
                Percentiles.of(sorted, 0.99),
                sorted.get(sorted.size() - 1));
    }
}

package io.contactaudit.demo;

import io.contactaudit.app.CollectorApp;
import io.contactaudit.app.EvaluatorApp;
import io.contactaudit.app.KafkaSetup;
import io.contactaudit.collector.ArmClient;
import io.contactaudit.collector.Collector;
import io.contactaudit.collector.RunSummary;
import io.contactaudit.config.ContactAuditConfig;
import io.contactaudit.embedded.EmbeddedKafka;
import io.contactaudit.exceptions.ExceptionRequest;
import io.contactaudit.exceptions.ExceptionTopic;
import io.contactaudit.kafka.TopicProvisioner;
import io.contactaudit.kafka.Topics;
import io.contactaudit.schema.ComplianceException;
import io.contactaudit.schema.DriftEvent;
import io.contactaudit.schema.DriftKind;
import io.contactaudit.schema.ExceptionCategory;
import io.contactaudit.schema.FieldChange;
import io.contactaudit.schema.PostureState;
import io.contactaudit.schema.Verdict;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The one-command demo: Apache Kafka's broker in-process, a simulated tenant behind a local HTTPS fake
 * of Resource Manager, and the real collector and evaluate topology between them. Shows the drift stream
 * as it happens and the posture after each cycle, then a summary. Between polls it also changes contacts
 * through Resource Manager's API, whose change events (on a local topic standing in for the Event Hub)
 * trigger a read at once: each such drift says how long after the change it was seen. Cleans up after itself.
 */
public final class Demo {

    /**
     * @param cycles   collection cycles
     * @param interval time between cycles
     * @param dataDir  where the broker and state live; null: a temporary directory, deleted at the end
     * @param color    ANSI colours
     */
    public record Settings(int cycles, Duration interval, Path dataDir, boolean color) {}

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
    private final Settings settings;
    private final PrintWriter out;
    private final Map<String, String> names = new HashMap<>();
    private final Map<String, PostureState> posture = new ConcurrentHashMap<>();
    private final Map<String, ComplianceException> granted = new HashMap<>();
    private final Map<DriftKind, AtomicInteger> kinds = new EnumMap<>(DriftKind.class);
    private final AtomicInteger polls = new AtomicInteger();
    private final AtomicBoolean watching = new AtomicBoolean(true);
    /** Event-triggered drift seen, by subscription id: its line. */
    private final Map<String, String> triggered = new ConcurrentHashMap<>();

    public Demo(Settings settings, PrintWriter out) {
        this.settings = settings;
        this.out = out;
        for (DriftKind kind : DriftKind.values()) {
            kinds.put(kind, new AtomicInteger());
        }
    }

    /** Runs the demo; returns the drift kinds that did not appear (empty when all expected ones did). */
    public List<DriftKind> run() throws IOException, InterruptedException {
        boolean temporary = settings.dataDir() == null;
        Path dir = temporary ? Files.createTempDirectory("contact-audit-demo") : settings.dataDir();
        SimulatedTenant.cycle(1).subscriptions().forEach(s -> names.put(s.id(), s.name()));
        Duration staleAfter = settings.interval().multipliedBy(5).dividedBy(2);
        String prefix = "contact-audit";
        println(
                "contact-audit demo: %d subscriptions, %d cycles %s apart, a subscription is STALE after %s without a snapshot",
                names.size(), settings.cycles(), settings.interval().toSeconds() + " s", staleAfter.toSeconds() + " s");
        try (EmbeddedKafka broker = EmbeddedKafka.start(dir.resolve("kafka"));
                FakeArm arm = FakeArm.start(SimulatedTenant.cycle(1))) {
            println(
                    "Kafka broker (KRaft, in-process) at %s; simulated tenants Contoso and Fabrikam at %s, each read with"
                            + " its own identity",
                    broker.bootstrapServers(), arm.endpoint());
            Map<String, String> values = new HashMap<>();
            values.put(ContactAuditConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            values.put(ContactAuditConfig.TOPIC_PREFIX_CONFIG, prefix);
            values.put(
                    ContactAuditConfig.STATE_DIR_CONFIG, dir.resolve("streams").toString());
            values.put(ContactAuditConfig.TOPICS_PARTITIONS_CONFIG, "3");
            values.put(
                    ContactAuditConfig.COLLECTION_INTERVAL_CONFIG,
                    settings.interval().toString());
            values.put(ContactAuditConfig.STALE_AFTER_CONFIG, staleAfter.toString());
            values.put(ContactAuditConfig.STALE_CHECK_INTERVAL_CONFIG, "PT0.5S");
            values.put(ContactAuditConfig.MAX_RETRY_DELAY_CONFIG, "PT2S");
            values.put("commit.interval.ms", "200");
            // changes made through Resource Manager's API arrive as Azure's events on a local stand-in for the Event
            // Hub
            values.put(ContactAuditConfig.EVENTS_ENABLED_CONFIG, "true");
            values.put(ContactAuditConfig.EVENTS_TOPIC_CONFIG, prefix + ".azure-changes");
            values.put(ContactAuditConfig.EVENTS_GROUP_ID_CONFIG, prefix + "-collector-events");
            // the main collector reads every subscription but the stale one; a second collector reads only that one
            values.put(ContactAuditConfig.CONCURRENCY_CONFIG, "8");
            values.put(ContactAuditConfig.EXCLUDE_CONFIG, "^" + SimulatedTenant.STALE_NAME + "$");
            ContactAuditConfig config = ContactAuditConfig.of(values);
            values.put(ContactAuditConfig.CONCURRENCY_CONFIG, "1");
            values.remove(ContactAuditConfig.EXCLUDE_CONFIG);
            values.remove(ContactAuditConfig.EVENTS_ENABLED_CONFIG);
            values.put(ContactAuditConfig.SUBSCRIPTIONS_CONFIG, SimulatedTenant.id(SimulatedTenant.STALE_NAME));
            ContactAuditConfig shardConfig = ContactAuditConfig.of(values);
            Topics topics = KafkaSetup.topics(config);
            KafkaSetup.prepare(config, topics);
            ArmClient client = CollectorApp.arm(config, arm.endpoint(), arm.clientSslContext());

            try (Admin admin = TopicProvisioner.admin(config.kafkaClientProperties(), Duration.ofSeconds(30));
                    ChangeFeed feed = ChangeFeed.start(arm, config.kafkaClientProperties(), config.eventsTopic());
                    EvaluatorApp evaluator = EvaluatorApp.create(config, topics);
                    CollectorApp main = CollectorApp.create(
                            config,
                            topics,
                            CollectorApp.sources(
                                    config,
                                    SimulatedTenant.tenants(),
                                    SimulatedTenant.SECRETS,
                                    arm.endpoint(),
                                    arm.clientSslContext()),
                            Collector.Progress.NONE);
                    CollectorApp shard = CollectorApp.create(shardConfig, topics, client, Collector.Progress.NONE)) {
                // the stand-in for the Event Hub a diagnostic setting writes to
                TopicProvisioner.ensureTopic(
                        config.kafkaClientProperties(), config.eventsTopic(), 1, Duration.ofSeconds(30));
                evaluator.start();
                Thread events = new Thread(main.trigger(), "contact-audit-demo-events");
                events.setDaemon(true);
                events.start();
                Thread watcher = new Thread(() -> watch(config, topics), "contact-audit-demo-watch");
                watcher.setDaemon(true);
                watcher.start();
                for (int cycle = 1; cycle <= settings.cycles(); cycle++) {
                    long start = System.nanoTime();
                    arm.scenario(SimulatedTenant.cycle(cycle));
                    arm.resetCounts();
                    println("");
                    println(bold("── cycle %d of %d ──"), cycle, settings.cycles());
                    RunSummary summary = main.once();
                    println("collector: %s", summary.line());
                    boolean shardAlive = cycle <= 2 || cycle == settings.cycles();
                    if (shardAlive) {
                        shard.once();
                    } else {
                        println("collector for %s: not running (it will go STALE)", SimulatedTenant.STALE_NAME);
                    }
                    awaitEvaluated(admin, config, topics);
                    printPosture(false);
                    exceptions(cycle, config, topics);
                    if (cycle < settings.cycles()) {
                        changeBetweenPolls(arm, cycle + 1);
                    }
                    long left = settings.interval().toNanos() - (System.nanoTime() - start);
                    if (left > 0 && cycle < settings.cycles()) {
                        Thread.sleep(left / 1_000_000);
                    }
                }
                Thread.sleep(1000);
                watching.set(false);
                watcher.join(5000);
                main.trigger().stop();
                events.join(5000);
                println("");
                println(bold("── final posture ──"));
                printPosture(true);
            }
        } finally {
            if (temporary) {
                Directories.deleteRecursively(dir);
            }
        }
        List<DriftKind> missing = new ArrayList<>();
        println("");
        println(bold("── drift seen ──"));
        for (DriftKind kind : DriftKind.values()) {
            int n = kinds.get(kind).get();
            if (n == 0 && kind != DriftKind.REEVALUATED) {
                missing.add(kind);
            }
            println(
                    "  %-22s %d%s",
                    kind,
                    n,
                    kind == DriftKind.REEVALUATED ? "   (appears when the rule version or profile changes)" : "");
        }
        println("");
        println("What next:");
        println(
                "  java -jar target/contact-audit.jar check examples/*.json                        evaluate exported bodies offline");
        println(
                "  java -jar target/contact-audit.jar run --scenario examples/tenant.yaml --interval PT30S   collect + evaluate, history kept in data/kafka");
        println(
                "  java -jar target/contact-audit.jar collect --bootstrap-servers HOST:9092 --once     your tenant (az login first)");
        println(
                "  java -jar target/contact-audit.jar evaluate --bootstrap-servers HOST:9092          the topology, exactly once");
        if (!temporary) {
            println("  the broker's data is kept in %s", dir);
        }
        out.flush();
        return missing;
    }

    /**
     * Makes, through Resource Manager's API, the change the next cycle's tenant has for a subscription that changes then
     * (so the next poll finds nothing new), and waits for the drift its change event triggers.
     */
    private void changeBetweenPolls(FakeArm arm, int nextCycle) throws IOException, InterruptedException {
        String name = SimulatedTenant.CHANGED_BY_EVENT.get(nextCycle);
        if (name == null) {
            return;
        }
        Scenario.Subscription next = SimulatedTenant.cycle(nextCycle).subscriptions().stream()
                .filter(s -> s.name().equals(name))
                .findFirst()
                .orElseThrow();
        Scenario.Contact contact = next.contacts().get(0);
        String id = next.id();
        triggered.remove(id);
        int status = arm.putContact(id, contact, next.generation());
        println(
                "change: PUT %s's security contact (%s) through Resource Manager: %d; Azure's change events go to the Event Hub",
                name, describe(contact), status);
        awaitUntil(() -> triggered.containsKey(id), Duration.ofSeconds(15));
        if (!triggered.containsKey(id)) {
            println(yellow("  no drift from the change event within 15 s (the next poll will see the change)"));
        }
    }

    /** Subscriptions granted an exception after the first cycle: WAIVER, MITIGATED (short, it expires), WAIVER (revoked). */
    static final List<String> EXCEPTED = List.of("test-lab", "qa-env", "old-billing");

    /**
     * The exception workflow, as {@code contact-audit exceptions add|revoke} runs it: after the first cycle, exceptions
     * for three failing subscriptions (one ends two intervals later); after the third, one is revoked.
     */
    private void exceptions(int cycle, ContactAuditConfig config, Topics topics) {
        Instant now = Instant.now();
        if (cycle == 1) {
            for (String name : EXCEPTED) {
                String id = SimulatedTenant.id(name);
                PostureState state = posture.get(id);
                if (state == null || state.getVerdict() != Verdict.FAIL) {
                    continue;
                }
                boolean mitigated = name.equals("qa-env");
                ExceptionRequest request = new ExceptionRequest(
                        id,
                        mitigated ? ExceptionCategory.MITIGATED : ExceptionCategory.WAIVER,
                        state.getReasons().stream()
                                .map(r -> r.getCode())
                                .distinct()
                                .toList(),
                        mitigated
                                ? "QA alerts go to the test team's own pager"
                                : "lab subscription, no production data",
                        mitigated ? "Logic App forwarding Defender alerts to the QA pager" : null,
                        "RISK-" + (100 + EXCEPTED.indexOf(name)),
                        "app-owner@contoso.com",
                        "ciso@contoso.com",
                        now,
                        mitigated ? now.plus(settings.interval().multipliedBy(2)) : now.plus(Duration.ofDays(90)));
                List<String> problems = request.validate(now, config.exceptionsMaxDuration());
                if (!problems.isEmpty()) {
                    throw new IllegalStateException("the demo's exception is invalid: " + problems);
                }
                ComplianceException record = request.toRecord(UUID.randomUUID().toString(), now, "demo", "cli");
                ExceptionTopic.write(config.kafkaClientProperties(), topics.exceptions(), record);
                granted.put(name, record);
                println(
                        "exception: %s %s for %s (%s), approved by %s, until %s",
                        record.getCategory(),
                        record.getTicket(),
                        name,
                        String.join(", ", record.getReasonCodes()),
                        record.getApprovedBy(),
                        record.getExpiresAt());
            }
        } else if (cycle == 3 && granted.containsKey("old-billing")) {
            ComplianceException revoked = ComplianceException.newBuilder(granted.get("old-billing"))
                    .setRevokedAt(now)
                    .setRevokedBy("ciso@contoso.com")
                    .setRevocationReason("old-billing holds card data again")
                    .build();
            ExceptionTopic.write(config.kafkaClientProperties(), topics.exceptions(), revoked);
            println("exception: %s for old-billing revoked by %s", revoked.getTicket(), revoked.getRevokedBy());
        }
    }

    private static String describe(Scenario.Contact contact) {
        return (contact.enabled() != null && !contact.enabled() ? "disabled, " : "") + "alerts "
                + (contact.alerts() == null ? "unset" : contact.alerts());
    }

    private void watch(ContactAuditConfig config, Topics topics) {
        Map<String, Object> props = new HashMap<>(config.kafkaClientProperties());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "contact-audit-demo-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topics.drift().name(), topics.posture().name()));
            while (watching.get()) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.topic().equals(topics.drift().name())) {
                        printDrift(topics.drift().value().deserializer().deserialize(record.topic(), record.value()));
                    } else {
                        if (record.value() == null) {
                            posture.remove(record.key());
                        } else {
                            posture.put(
                                    record.key(),
                                    topics.posture()
                                            .value()
                                            .deserializer()
                                            .deserialize(record.topic(), record.value()));
                        }
                    }
                }
                polls.incrementAndGet();
            }
        }
    }

    private void printDrift(DriftEvent event) {
        kinds.get(event.getKind()).incrementAndGet();
        String change = event.getChanges().isEmpty()
                ? reasons(event)
                : event.getChanges().stream().limit(2).map(Demo::change).collect(Collectors.joining("; "));
        String line = String.format(
                Locale.ROOT,
                "  %s  drift %-20s %-6s %-16s %-5s → %-5s %s",
                LocalTime.now(ZoneId.systemDefault()).format(TIME),
                event.getKind(),
                event.getSeverity(),
                names.getOrDefault(event.getSubscriptionId(), event.getSubscriptionId()),
                event.getPreviousVerdict() == null ? "-" : event.getPreviousVerdict(),
                event.getCurrentVerdict() == null ? "-" : event.getCurrentVerdict(),
                change);
        println(severityColor(event, line));
        if (event.getTriggerEventTime() != null) {
            long millis =
                    System.currentTimeMillis() - event.getTriggerEventTime().toEpochMilli();
            String name = names.getOrDefault(event.getSubscriptionId(), event.getSubscriptionId());
            println(bold("  event-triggered: %s %s %d ms after the change"), name, event.getKind(), millis);
            triggered.put(event.getSubscriptionId(), name);
        }
    }

    private static String reasons(DriftEvent event) {
        return event.getReasons().isEmpty() ? "" : event.getReasons().get(0).getCode();
    }

    private static String change(FieldChange c) {
        String path = c.getPath().startsWith("contacts[")
                ? c.getPath().substring(c.getPath().indexOf(']') + 1)
                : c.getPath();
        return (path.startsWith(".") ? path.substring(1) : c.getPath()) + ": " + quote(c.getBefore()) + " → "
                + quote(c.getAfter());
    }

    private static String quote(String value) {
        return value == null ? "(none)" : value.isEmpty() ? "\"\"" : value;
    }

    private void printPosture(boolean full) {
        Map<Verdict, Integer> counts = new EnumMap<>(Verdict.class);
        int stale = 0;
        int suppressed = 0;
        for (PostureState p : posture.values()) {
            counts.merge(p.getVerdict(), 1, Integer::sum);
            stale += p.getStale() ? 1 : 0;
            suppressed += p.getSuppressed() ? 1 : 0;
        }
        // a suppressed FAIL is still a FAIL; counted apart so that the open ones stand out
        println(
                "posture: %d subscriptions: %s PASS, %s FAIL open, %d FAIL suppressed under an exception, %s ERROR, %d STALE",
                posture.size(),
                green(String.valueOf(counts.getOrDefault(Verdict.PASS, 0))),
                red(String.valueOf(counts.getOrDefault(Verdict.FAIL, 0) - suppressed)),
                suppressed,
                yellow(String.valueOf(counts.getOrDefault(Verdict.ERROR, 0))),
                stale);
        Map<String, int[]> tenants = new TreeMap<>(); // by name, else id: PASS, FAIL, ERROR
        for (PostureState p : posture.values()) {
            if (p.getTenantId() != null) {
                // both tenants are in the demo's tenants file: their postures carry the name
                String tenant = p.getTenantName() != null ? p.getTenantName() : p.getTenantId();
                tenants.computeIfAbsent(tenant, t -> new int[3])[p.getVerdict().ordinal()]++;
            }
        }
        if (!tenants.isEmpty()) {
            List<String> parts = new ArrayList<>();
            tenants.forEach((name, n) ->
                    parts.add(String.format(Locale.ROOT, "%s %d PASS, %d FAIL, %d ERROR", name, n[0], n[1], n[2])));
            println("  by tenant: %s", String.join("; ", parts));
        }
        List<PostureState> rows = new ArrayList<>(posture.values());
        rows.sort(Comparator.comparing((PostureState p) -> p.getVerdict() == Verdict.PASS && !p.getStale())
                .thenComparing(p -> names.getOrDefault(p.getSubscriptionId(), p.getSubscriptionId())));
        for (PostureState p : rows) {
            if (!full && p.getVerdict() == Verdict.PASS && !p.getStale()) {
                continue;
            }
            String verdict = p.getVerdict() + (p.getStale() ? " STALE" : "") + (p.getSuppressed() ? " (exc.)" : "");
            String reason =
                    p.getReasons().isEmpty() ? "" : p.getReasons().get(0).getCode();
            String line = String.format(
                    Locale.ROOT,
                    "    %-16s %-11s %-24s %s",
                    names.getOrDefault(p.getSubscriptionId(), p.getSubscriptionId()),
                    verdict,
                    reason,
                    p.getSummary());
            println(
                    p.getVerdict() == Verdict.PASS && !p.getStale() || p.getSuppressed()
                            ? line
                            : p.getVerdict() == Verdict.FAIL ? red(line) : yellow(line));
        }
    }

    private void println(String format, Object... args) {
        synchronized (out) {
            out.println(args.length == 0 ? format : String.format(Locale.ROOT, format, args));
            out.flush();
        }
    }

    private String severityColor(DriftEvent event, String line) {
        return switch (event.getSeverity()) {
            case HIGH -> red(line);
            case MEDIUM -> yellow(line);
            default -> green(line);
        };
    }

    private String bold(String text) {
        return settings.color() ? "\u001b[1m" + text + "\u001b[0m" : text;
    }

    private String red(String text) {
        return settings.color() ? "\u001b[31m" + text + "\u001b[0m" : text;
    }

    private String yellow(String text) {
        return settings.color() ? "\u001b[33m" + text + "\u001b[0m" : text;
    }

    private String green(String text) {
        return settings.color() ? "\u001b[32m" + text + "\u001b[0m" : text;
    }

    /**
     * Waits until the evaluator has processed and committed every snapshot published so far (the posture topic gets a
     * record only when something changed, so its records cannot be counted), then until the watcher has finished a poll
     * that began after that, which returns what the evaluator committed.
     */
    private void awaitEvaluated(Admin admin, ContactAuditConfig config, Topics topics) throws InterruptedException {
        awaitUntil(
                () -> {
                    try {
                        return EvaluatorApp.unprocessed(admin, config, topics) == 0;
                    } catch (ExecutionException e) {
                        return false; // the evaluator's group has not committed yet
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return true;
                    }
                },
                Duration.ofSeconds(30));
        int seen = polls.get();
        awaitUntil(() -> polls.get() >= seen + 2, Duration.ofSeconds(5));
    }

    private static void awaitUntil(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }
}

package io.contactaudit.bench;

import io.contactaudit.Percentiles;
import io.contactaudit.app.EvaluatorApp;
import io.contactaudit.app.KafkaSetup;
import io.contactaudit.config.ContactAuditConfig;
import io.contactaudit.demo.ContactRenderer;
import io.contactaudit.demo.Directories;
import io.contactaudit.demo.Scenario;
import io.contactaudit.embedded.EmbeddedKafka;
import io.contactaudit.evaluate.EvaluateTopology;
import io.contactaudit.evaluate.StreamsRunner;
import io.contactaudit.kafka.TopicProvisioner;
import io.contactaudit.kafka.TopicSpec;
import io.contactaudit.kafka.Topics;
import io.contactaudit.schema.CollectionStatus;
import io.contactaudit.schema.ComplianceFinding;
import io.contactaudit.schema.SecurityContactSnapshot;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.ToDoubleFunction;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The evaluate topology on Apache Kafka's broker in-process, exactly-once: throughput over a backlog of
 * snapshots, compared with a plain consumer→producer pass-through of the same records on the same broker
 * (the most any processor can do there), then end-to-end latency at a moderate, steady load, and state
 * size per subscription.
 */
public final class PipelineBench {

    /**
     * @param subscriptions subscriptions in the backlog
     * @param cycles        snapshots per subscription (collection cycles)
     * @param partitions    partitions of the topics (and stream threads)
     * @param latencyRate   snapshots per second of the latency phase
     * @param latencySeconds duration of the latency phase
     * @param warmUpRounds   at most this many rounds of the warm-up ({@link #WARM_UP_ROUNDS} for steady-state figures)
     * @param overrides      configuration values for the evaluator and its clients (e.g. {@code producer.compression.type})
     */
    public record Settings(
            int subscriptions,
            int cycles,
            int partitions,
            int latencyRate,
            int latencySeconds,
            int warmUpRounds,
            Map<String, String> overrides) {
        public Settings {
            if (warmUpRounds < 1) {
                throw new IllegalArgumentException("the warm-up needs at least one round, not " + warmUpRounds);
            }
            overrides = Map.copyOf(overrides);
        }
    }

    /** How far apart the backlog's collection cycles are. */
    static final Duration CYCLE = Duration.ofHours(1);
    /** The warm-up ends after a round in which the JIT compilers worked at most this share of its time. */
    static final double JIT_QUIET = 0.10;
    /**
     * At most this many warm-up rounds: the compilers went quiet after 22 rounds of ~1 s (the first ones 2-6 s) in a run
     * of 30,000 x 10, and were still 53-100% busy after 8.
     */
    public static final int WARM_UP_ROUNDS = 30;
    /** Runs of the topology and of the fan-out floor, in turn; the medians count. */
    static final int RUNS = 3;

    private static final String[] GENERATIONS = {ContactRenderer.V2017, ContactRenderer.V2020, ContactRenderer.V2023};
    private static final String[] SEVERITIES = {"High", "Medium", "Low", "Critical"};

    private final Settings settings;
    private final PrintWriter out;
    private final PrintWriter progress;

    /**
     * @param out      the figures
     * @param progress a line as each measured phase starts and ends (to profile one phase: docs/benchmarks.md)
     */
    public PipelineBench(Settings settings, PrintWriter out, PrintWriter progress) {
        this.settings = settings;
        this.out = out;
        this.progress = progress;
    }

    private void progress(String line) {
        progress.println("bench: " + line);
        progress.flush();
    }

    /** A realistic body: three generations, mostly compliant, some failing; ~10% change severity each cycle. */
    static String body(String sub, int i, int cycle) {
        boolean changes = i % 10 == 0;
        String severity = SEVERITIES[(i + (changes ? cycle : 0)) % SEVERITIES.length];
        String generation = GENERATIONS[i % 3];
        // the 2017 generation has no severity: alerts on or off
        String alerts = ContactRenderer.V2017.equals(generation) && "Critical".equals(severity) ? "Off" : severity;
        return ContactRenderer.body(
                sub,
                generation,
                new Scenario.Contact(
                        null,
                        true,
                        List.of("secops@contoso.com", "jane@contoso.com"),
                        alerts,
                        List.of("Owner", "Admin"),
                        "(214)275-4038"));
    }

    static SecurityContactSnapshot snapshot(int i, int cycle, Instant at, String runId) {
        String sub = String.format(Locale.ROOT, "%08x-0000-4000-8000-%012x", i, i);
        boolean error = i % 50 == 7 && cycle % 2 == 1;
        SecurityContactSnapshot.Builder s = SecurityContactSnapshot.newBuilder()
                .setSubscriptionId(sub)
                .setTenantId("bench")
                .setRunId(runId)
                .setCollectedAt(at)
                .setApiVersion("2023-12-01-preview")
                // the backlog's cycles are an hour apart, and its collector says so: a window of 3 h, no false STALE
                .setCollectionIntervalMs(CYCLE.toMillis());
        if (error) {
            return s.setStatus(CollectionStatus.FORBIDDEN)
                    .setHttpStatus(403)
                    .setErrorMessage("AuthorizationFailed")
                    .build();
        }
        String body = body(sub, i, cycle);
        return s.setStatus(CollectionStatus.OK)
                .setHttpStatus(200)
                .setRawBodies(List.of(body))
                .build();
    }

    public void run() throws Exception {
        Path dir = Files.createTempDirectory("contact-audit-bench");
        int total = settings.subscriptions() * settings.cycles();
        out.printf(
                Locale.ROOT,
                "pipeline benchmark: %d subscriptions x %d cycles = %d snapshots, %d partitions/threads, exactly_once_v2, %d cores, max heap %d MiB%s%n",
                settings.subscriptions(),
                settings.cycles(),
                total,
                settings.partitions(),
                Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20,
                settings.overrides().isEmpty() ? "" : ", settings " + settings.overrides());
        long initialHeap =
                ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getInit();
        if (initialHeap < Runtime.getRuntime().maxMemory()) {
            // G1 shrinks such a heap after a full collection (this bench runs one to weigh the heap) and at other
            // times, and each measured phase pays for growing it again
            out.printf(
                    Locale.ROOT,
                    "note: the heap starts at %d MiB and may grow to %d MiB: each time it grows, the threads that allocate "
                            + "pay the first touch of its new pages (the evaluator more than the floor). For steady-state "
                            + "figures fix it: java -Xms3g -Xmx3g -XX:+AlwaysPreTouch -jar ... (docs/benchmarks.md)%n",
                    initialHeap >> 20,
                    Runtime.getRuntime().maxMemory() >> 20);
        }
        out.flush();
        try (EmbeddedKafka broker = EmbeddedKafka.start(dir.resolve("kafka"))) {
            String prefix = "bench-" + UUID.randomUUID().toString().substring(0, 6);
            Map<String, String> values = new HashMap<>(settings.overrides());
            values.put(ContactAuditConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            values.put(ContactAuditConfig.TOPIC_PREFIX_CONFIG, prefix);
            values.put(
                    ContactAuditConfig.STATE_DIR_CONFIG, dir.resolve("streams").toString());
            values.put(ContactAuditConfig.TOPICS_PARTITIONS_CONFIG, String.valueOf(settings.partitions()));
            values.put(ContactAuditConfig.NUM_STREAM_THREADS_CONFIG, String.valueOf(settings.partitions()));
            ContactAuditConfig config = ContactAuditConfig.of(values);
            Topics topics = KafkaSetup.topics(config);
            KafkaSetup.prepare(config, topics);
            createTopics(
                    config,
                    Stream.of(".passthrough-1", ".passthrough-2", ".passthrough-streams")
                            .<TopicSpec<?, ?>>map(name -> TopicSpec.ofBytes(prefix + name, Map.of(), "a baseline's"))
                            .toList());
            out.printf(
                    Locale.ROOT,
                    "evaluator: findings.emit=%s, findings.refresh=%s%n",
                    config.findingsEveryEvaluation() ? "every" : "changes",
                    config.findingsRefresh());

            long produceStart = System.nanoTime();
            Instant t0 =
                    Instant.now().minus(CYCLE.multipliedBy(settings.cycles())).truncatedTo(ChronoUnit.SECONDS);
            long[] cycleOffsets = produceBacklog(config, topics, t0);
            double produceSeconds = (System.nanoTime() - produceStart) / 1e9;
            out.printf(
                    Locale.ROOT,
                    "produced the backlog: %d snapshots in %.1f s (%.0f/s)%n",
                    total,
                    produceSeconds,
                    total / produceSeconds);
            out.flush();

            // the first copy warms the broker's and the clients' code up; the second is the limit
            double cold = passThrough(config, topics.snapshots().name(), prefix + ".passthrough-1", total);
            double limit = passThrough(config, topics.snapshots().name(), prefix + ".passthrough-2", total);
            out.printf(
                    Locale.ROOT,
                    "limit   (plain consumer->producer pass-through, 2nd of 2 runs): %8.0f records/s (1st run %.0f)%n",
                    limit,
                    cold);
            double floor =
                    streamsPassThrough(config, topics.snapshots().name(), prefix + ".passthrough-streams", total);
            out.printf(
                    Locale.ROOT,
                    "copy    (Kafka Streams source->sink, exactly_once_v2):          %8.0f records/s = %.0f%% of the limit%n",
                    floor,
                    100 * floor / limit);
            out.flush();

            String warmUpSnapshots = warmUp(values, t0);

            System.gc();
            long heapBefore = usedHeap();
            List<Run> runs = new ArrayList<>();
            long steadySnapshots = (long) total - settings.subscriptions();
            List<FanOutFloor.Output> outputs = new ArrayList<>();
            long liveData;
            double p99;
            try (Admin admin = TopicProvisioner.admin(config.kafkaClientProperties(), Duration.ofSeconds(30));
                    EvaluatorApp evaluator = EvaluatorApp.create(config, topics)) {
                StreamsRunner runner = evaluator.runner();
                TopologyRun first =
                        runTopology(admin, config, runner, topics.snapshots().name(), cycleOffsets, "topology");
                runs.add(first.steady());
                out.printf(
                        Locale.ROOT,
                        "topology (evaluate, exactly_once_v2), snapshots/s per cycle: %s (cycle 1: first sight, JIT warm-up)%n",
                        first.perCycle());
                if (settings.cycles() > 1) {
                    out.printf(
                            Locale.ROOT,
                            "topology (evaluate, exactly_once_v2), cycles 2-%d:      %8.0f snapshots/s = %.1f%% of the limit, %.0f%% of the copy; "
                                    + "stream threads' CPU %.1f µs per snapshot; JIT compilers %.1f s meanwhile%n",
                            settings.cycles(),
                            first.steady().rate(),
                            100 * first.steady().rate() / limit,
                            100 * first.steady().rate() / floor,
                            first.steady().cpuMicros(),
                            first.steady().jitSeconds());
                    long from = t0.plus(CYCLE).toEpochMilli();
                    String changelog = config.applicationId() + "-" + EvaluateTopology.STORE + "-changelog";
                    for (String topic : List.of(
                            topics.findings().name(),
                            topics.findingsOcsf().name(),
                            topics.drift().name(),
                            topics.posture().name(),
                            topics.dlq().name(),
                            changelog)) {
                        FanOutFloor.Output o = FanOutFloor.measure(config, topic, topic.equals(changelog), from);
                        if (o.records() > 0) {
                            outputs.add(o);
                        }
                    }
                    out.printf(
                            Locale.ROOT,
                            "evaluator's output per snapshot, cycles 2-%d (records x average size): %s%n",
                            settings.cycles(),
                            FanOutFloor.describe(outputs, steadySnapshots));
                }
                System.gc();
                long heapAfter = usedHeap();
                long state = size(dir.resolve("streams"));
                long changelogBytes =
                        topicBytes(config, config.applicationId() + "-" + EvaluateTopology.STORE + "-changelog");
                liveData = liveData(runner);
                out.printf(
                        Locale.ROOT,
                        "state: %.0f bytes per subscription of live data (keys and values), %.0f bytes on disk per subscription "
                                + "(%d MiB in all, superseded versions included until RocksDB compacts them; %s); heap growth %d MiB after GC; "
                                + "process resident %s; changelog %.0f bytes per subscription (%d MiB, before compaction)%n",
                        (double) liveData / settings.subscriptions(),
                        (double) state / settings.subscriptions(),
                        state >> 20,
                        rocksDb(runner),
                        Math.max(0, heapAfter - heapBefore) >> 20,
                        residentMemory(),
                        (double) changelogBytes / settings.subscriptions(),
                        changelogBytes >> 20);
                out.flush();
                p99 = latency(config, topics);
            }
            // Three runs of each, the floor and the topology in turn (T1 F1 T2 F2 T3 F3), the medians compared: single
            // runs minutes apart differ by up to 1.8x here, and the compilers are still at work on both through the
            // runs, each of either faster than the one before in most benches. Measured after every topology run, the
            // floor had the whole bench's warm-up behind it, the topology's first run had not.
            List<Run> floorRuns = new ArrayList<>();
            if (!outputs.isEmpty()) {
                try (Admin admin = TopicProvisioner.admin(config.kafkaClientProperties(), Duration.ofSeconds(30))) {
                    prepareFloor(admin, config, topics, warmUpSnapshots, outputs, steadySnapshots);
                    for (int r = 1; r <= RUNS; r++) {
                        if (r > 1) {
                            runs.add(topologyRun(admin, config, values, topics, cycleOffsets, r));
                        }
                        floorRuns.add(floorRun(admin, config, topics, outputs, steadySnapshots, total, r));
                    }
                }
            }
            double steady = median(runs, Run::rate);
            double cpuPerSnapshot = median(runs, Run::cpuMicros);
            double fanOut = Double.NaN;
            if (!floorRuns.isEmpty()) {
                out.printf(
                        Locale.ROOT,
                        "topology, %d runs, cycles 2-%d: %s%n",
                        runs.size(),
                        settings.cycles(),
                        describe(runs, "snapshots/s"));
                out.printf(Locale.ROOT, "fan-out floor, %d runs: %s%n", RUNS, describe(floorRuns, "records-in/s"));
                fanOut = median(floorRuns, Run::rate);
                StringBuilder pairs = new StringBuilder();
                for (int r = 0; r < RUNS; r++) {
                    pairs.append(r == 0 ? "" : ", ")
                            .append(Math.round(
                                    100 * runs.get(r).rate() / floorRuns.get(r).rate()))
                            .append('%');
                }
                out.printf(
                        Locale.ROOT,
                        "fan-out floor (Kafka Streams, exactly_once_v2, the evaluator's writes per snapshot without its work): "
                                + "%8.0f records-in/s; the topology's median, cycles 2-%d, = %.0f%% of it (run by run: %s)%n",
                        fanOut,
                        settings.cycles(),
                        100 * steady / fanOut,
                        pairs);
                out.flush();
            }
            try (EvaluatorApp evaluator = EvaluatorApp.create(config, topics)) {
                StreamsRunner runner = evaluator.runner();
                long start = System.nanoTime();
                runner.start();
                awaitRunning(runner);
                out.printf(
                        Locale.ROOT,
                        "restart: the evaluator closed cleanly and started again on its local state: RUNNING %.1f s after start%n",
                        (System.nanoTime() - start) / 1e9);
                out.flush();
            }
            restore(config, topics, dir.resolve("streams"));
            out.printf(
                    Locale.ROOT,
                    "summary: topology %.0f snapshots/s, fan-out floor %.0f records-in/s, ratio %.0f%%, stream-thread %.1f µs/snapshot, "
                            + "p99 %.0f ms at %d/s, live state %.0f B/subscription%n",
                    steady,
                    fanOut,
                    100 * steady / fanOut,
                    cpuPerSnapshot,
                    p99,
                    settings.latencyRate(),
                    (double) liveData / settings.subscriptions());
            out.flush();
        } finally {
            Directories.deleteRecursively(dir);
        }
    }

    /**
     * Warms the JIT compilers up before the measured run: an evaluator of its own reads rounds of 10,000 subscriptions
     * × 3 cycles until a round leaves the compilers nearly idle ({@link #JIT_QUIET} of its time) or
     * {@link Settings#warmUpRounds} rounds ({@link #WARM_UP_ROUNDS} by default) have run. An evaluator runs for days;
     * in a one-minute run the compilers, sharing the two cores, were still at work through half of it (10 s of
     * compilation during 13 s of cycles 2-10 after a single round). Returns the warm-up's snapshots topic, which the
     * fan-out floor warms up on in turn.
     */
    private String warmUp(Map<String, String> values, Instant t0) throws Exception {
        int subscriptions = Math.min(settings.subscriptions(), 10_000);
        int cycles = 3;
        Map<String, String> warm = new HashMap<>(values);
        warm.put(
                ContactAuditConfig.TOPIC_PREFIX_CONFIG,
                values.get(ContactAuditConfig.TOPIC_PREFIX_CONFIG) + "-warm-up");
        warm.put(ContactAuditConfig.STATE_DIR_CONFIG, values.get(ContactAuditConfig.STATE_DIR_CONFIG) + "-warm-up");
        ContactAuditConfig config = ContactAuditConfig.of(warm);
        Topics topics = KafkaSetup.topics(config);
        KafkaSetup.prepare(config, topics);
        long start = System.nanoTime();
        int rounds = 0;
        double lastJit;
        try (KafkaProducer<String, SecurityContactSnapshot> producer = new KafkaProducer<>(
                        producerProps(config),
                        new StringSerializer(),
                        topics.snapshots().value().serializer());
                Admin admin = TopicProvisioner.admin(config.kafkaClientProperties(), Duration.ofSeconds(30));
                EvaluatorApp evaluator = EvaluatorApp.create(config, topics)) {
            evaluator.runner().start();
            do {
                long roundStart = System.nanoTime();
                long jit = jitMillis();
                for (int cycle = rounds * cycles; cycle < (rounds + 1) * cycles; cycle++) {
                    // every round's cycles before t0: the broker refuses timestamps too far ahead of its clock
                    Instant at = t0.minus(CYCLE.multipliedBy((long) settings.warmUpRounds() * cycles - cycle));
                    for (int i = 0; i < subscriptions; i++) {
                        SecurityContactSnapshot s = snapshot(i, cycle, at, "warm-up-" + cycle);
                        producer.send(new ProducerRecord<>(
                                topics.snapshots().name(), null, at.toEpochMilli(), s.getSubscriptionId(), s));
                    }
                }
                producer.flush();
                awaitCommitted(admin, config.applicationId(), topics.snapshots().name(), 0, Duration.ofMinutes(30));
                rounds++;
                lastJit = (jitMillis() - jit) / 1e3 / ((System.nanoTime() - roundStart) / 1e9);
            } while (lastJit > JIT_QUIET && rounds < settings.warmUpRounds());
        }
        out.printf(
                Locale.ROOT,
                "warm-up: an evaluator over %d subscriptions x %d cycles of its own, %d round(s), %.1f s; the JIT compilers "
                        + "worked %.0f%% of the last round's time (the compilers' work, before the measured run)%n",
                subscriptions,
                cycles,
                rounds,
                (System.nanoTime() - start) / 1e9,
                100 * lastJit);
        out.flush();
        return topics.snapshots().name();
    }

    /**
     * The fan-out floor's sinks ({@link FanOutFloor}), and a run of it over the warm-up's snapshots: the compilers'
     * work on its code paths, as the evaluator's warm-up does for the evaluator's.
     */
    private void prepareFloor(
            Admin admin,
            ContactAuditConfig config,
            Topics topics,
            String warmUpSnapshots,
            List<FanOutFloor.Output> outputs,
            long steadySnapshots)
            throws Exception {
        String prefix = config.topicPrefix();
        // each sink created with the settings of the topic it stands in for: a topic stored in another codec than the
        // producer's (the SIEM topics in gzip) costs the broker a recompression of every batch inside the commit
        List<TopicSpec<?, ?>> sinks = new ArrayList<>();
        for (int i = 0; i < outputs.size(); i++) {
            String topic = outputs.get(i).topic();
            if (!outputs.get(i).changelog()) {
                TopicSpec<?, ?> original = topics.all().stream()
                        .filter(t -> t.name().equals(topic))
                        .findFirst()
                        .orElseThrow();
                sinks.add(TopicSpec.ofBytes(
                        FanOutFloor.sinkTopic(prefix, i), original.config(), "the fan-out floor's " + topic));
            }
        }
        createTopics(config, sinks);
        runFloor(admin, config, warmUpSnapshots, "-bench-warm-up-fan-out", outputs, steadySnapshots, () -> {});
    }

    /**
     * Run {@code r} of the fan-out floor over the backlog of {@code total} snapshots: a new application with its own
     * store.
     */
    private Run floorRun(
            Admin admin,
            ContactAuditConfig config,
            Topics topics,
            List<FanOutFloor.Output> outputs,
            long steadySnapshots,
            long total,
            int r)
            throws Exception {
        String run = "fan-out floor: run " + r + " of " + RUNS;
        FloorRun floor = runFloor(
                admin,
                config,
                topics.snapshots().name(),
                "-bench-fan-out-" + r,
                outputs,
                steadySnapshots,
                () -> progress(run + " started"));
        progress(run + " committed");
        return new Run(total / floor.seconds(), floor.cpuNanos() / 1e3 / total, floor.jitMillis() / 1e3);
    }

    /**
     * A measured run of the topology or of the floor: snapshots read per second, the stream threads' CPU per snapshot,
     * the JIT compilers' time meanwhile.
     */
    record Run(double rate, double cpuMicros, double jitSeconds) {}

    /** One run of the evaluator over the backlog: snapshots/s per cycle, and cycles 2..N (the steady state) measured. */
    record TopologyRun(String perCycle, Run steady) {}

    /** The figures of {@code runs}, in run order, the rate in {@code unit}. */
    private static String describe(List<Run> runs, String unit) {
        return String.format(
                Locale.ROOT,
                "%s %s; stream threads' CPU %s µs per snapshot; JIT compilers %s s meanwhile (in run order; the median counts)",
                joined(runs, "%.0f", Run::rate),
                unit,
                joined(runs, "%.1f", Run::cpuMicros),
                joined(runs, "%.1f", Run::jitSeconds));
    }

    private static String joined(List<Run> runs, String format, ToDoubleFunction<Run> value) {
        return runs.stream()
                .map(run -> String.format(Locale.ROOT, format, value.applyAsDouble(run)))
                .collect(Collectors.joining(", "));
    }

    /** The median of {@code value} over {@code runs} (the upper one of an even count). */
    private static double median(List<Run> runs, ToDoubleFunction<Run> value) {
        double[] values = runs.stream().mapToDouble(value).sorted().toArray();
        return values[values.length / 2];
    }

    /**
     * Starts {@code runner} (a new application over the backlog) and measures it cycle by cycle, until it has
     * committed the whole backlog; {@code name} leads its progress lines.
     */
    private TopologyRun runTopology(
            Admin admin,
            ContactAuditConfig config,
            StreamsRunner runner,
            String snapshots,
            long[] cycleOffsets,
            String name)
            throws Exception {
        int total = settings.subscriptions() * settings.cycles();
        runner.start();
        awaitRunning(runner);
        long start = System.nanoTime();
        progress(name + ": running");
        long[] cycleEnds = new long[settings.cycles()];
        long[] cpu = new long[settings.cycles()];
        long[] jit = new long[settings.cycles()];
        for (int cycle = 0; cycle < settings.cycles(); cycle++) {
            awaitCommitted(
                    admin, config.applicationId(), snapshots, total - cycleOffsets[cycle], Duration.ofMinutes(30));
            cycleEnds[cycle] = System.nanoTime();
            cpu[cycle] = streamThreadCpu(config.applicationId());
            jit[cycle] = jitMillis();
            progress(name + ": cycle " + (cycle + 1) + " of " + settings.cycles() + " committed");
        }
        StringBuilder perCycle = new StringBuilder();
        for (int cycle = 0; cycle < settings.cycles(); cycle++) {
            long from = cycle == 0 ? start : cycleEnds[cycle - 1];
            perCycle.append(cycle == 0 ? "" : ", ")
                    .append(Math.round(settings.subscriptions() / ((cycleEnds[cycle] - from) / 1e9)));
        }
        if (settings.cycles() == 1) {
            return new TopologyRun(perCycle.toString(), new Run(0, Double.NaN, 0));
        }
        long steadySnapshots = (long) total - settings.subscriptions();
        int last = settings.cycles() - 1;
        return new TopologyRun(
                perCycle.toString(),
                new Run(
                        steadySnapshots / ((cycleEnds[last] - cycleEnds[0]) / 1e9),
                        (cpu[last] - cpu[0]) / 1e3 / steadySnapshots,
                        (jit[last] - jit[0]) / 1e3));
    }

    /**
     * Run {@code r} of the topology: an evaluator with an application id and state of its own over the same backlog,
     * writing to the same topics (what it writes there is not read again).
     */
    private Run topologyRun(
            Admin admin,
            ContactAuditConfig first,
            Map<String, String> values,
            Topics topics,
            long[] cycleOffsets,
            int r)
            throws Exception {
        Map<String, String> own = new HashMap<>(values);
        own.put(ContactAuditConfig.APPLICATION_ID_CONFIG, first.applicationId() + "-run-" + r);
        own.put(ContactAuditConfig.STATE_DIR_CONFIG, values.get(ContactAuditConfig.STATE_DIR_CONFIG) + "-run-" + r);
        ContactAuditConfig config = ContactAuditConfig.of(own);
        try (EvaluatorApp evaluator = EvaluatorApp.create(config, topics)) {
            return runTopology(
                            admin,
                            config,
                            evaluator.runner(),
                            topics.snapshots().name(),
                            cycleOffsets,
                            "topology: run " + r + " of " + RUNS)
                    .steady();
        }
    }

    /** A run of the floor topology: how long it took, its stream threads' CPU, the JIT compilers' time meanwhile. */
    private record FloorRun(double seconds, long cpuNanos, long jitMillis) {}

    /** Runs the floor topology over {@code snapshotsTopic} until it has committed all of it; {@code started} once running. */
    private static FloorRun runFloor(
            Admin admin,
            ContactAuditConfig config,
            String snapshotsTopic,
            String suffix,
            List<FanOutFloor.Output> outputs,
            long steadySnapshots,
            Runnable started)
            throws Exception {
        Properties props = EvaluatorApp.properties(config);
        String application = config.applicationId() + suffix;
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, application);
        try (StreamsRunner runner = new StreamsRunner(
                FanOutFloor.topology(
                        snapshotsTopic, config.topicPrefix(), outputs, steadySnapshots, config.stateInMemory()),
                props)) {
            runner.start();
            awaitRunning(runner);
            long start = System.nanoTime();
            long cpu = streamThreadCpu(application);
            long jit = jitMillis();
            started.run();
            awaitCommitted(admin, application, snapshotsTopic, 0, Duration.ofMinutes(30));
            return new FloorRun(
                    (System.nanoTime() - start) / 1e9, streamThreadCpu(application) - cpu, jitMillis() - jit);
        }
    }

    /** Waits until the consumer group {@code group} has at most {@code left} records of {@code topic} still to commit. */
    private static void awaitCommitted(Admin admin, String group, String topic, long left, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long behind;
            try {
                behind = EvaluatorApp.unprocessed(admin, group, topic);
            } catch (ExecutionException e) {
                behind = Long.MAX_VALUE; // nothing committed yet
            }
            if (behind <= left) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        group + " still had " + behind + " records of " + topic + " to process after " + timeout);
            }
            Thread.sleep(20);
        }
    }

    /** The time the JIT compilers have spent so far, in milliseconds (as the JVM reports it). */
    private static long jitMillis() {
        return ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
    }

    /** CPU time (ns) of the stream threads of the Kafka Streams application {@code application} in this JVM. */
    private static long streamThreadCpu(String application) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Pattern name = Pattern.compile(Pattern.quote(application) + "-[0-9a-f-]{36}-StreamThread-\\d+");
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (name.matcher(t.getName()).matches()) {
                long cpu = threads.getThreadCpuTime(t.getId());
                sum += Math.max(0, cpu);
            }
        }
        return sum;
    }

    /** Wipes the local state and times a new evaluator's restore from the changelog until it is RUNNING. */
    private void restore(ContactAuditConfig config, Topics topics, Path stateDir) throws Exception {
        Directories.deleteRecursively(stateDir);
        try (EvaluatorApp evaluator = EvaluatorApp.create(config, topics)) {
            StreamsRunner runner = evaluator.runner();
            long start = System.nanoTime();
            runner.start();
            awaitRunning(runner);
            double seconds = (System.nanoTime() - start) / 1e9;
            double restoring = runner.restoreTime().toNanos() / 1e9;
            out.printf(
                    Locale.ROOT,
                    "restore: local state wiped, %d changelog records restored in %.1f s (%.0f records/s); RUNNING %.1f s after start%n",
                    runner.restoredRecords(),
                    restoring,
                    runner.restoredRecords() / Math.max(restoring, 1e-3),
                    seconds);
            out.flush();
        }
    }

    /** Creates the bench's own topics, each with its settings, as the evaluator's are created. */
    private static void createTopics(ContactAuditConfig config, List<TopicSpec<?, ?>> topics) {
        try (var admin = TopicProvisioner.admin(config.kafkaClientProperties(), Duration.ofSeconds(30))) {
            TopicProvisioner.ensure(admin, topics, true, config.topicPartitions(), (short) 1, Duration.ofSeconds(30));
        }
    }

    /** Bytes of a topic's log on the (single) broker. */
    private static long topicBytes(ContactAuditConfig config, String topic) throws Exception {
        try (var admin = TopicProvisioner.admin(config.kafkaClientProperties(), Duration.ofSeconds(30))) {
            long bytes = 0;
            for (var dirs :
                    admin.describeLogDirs(List.of(1)).allDescriptions().get().values()) {
                for (var logDir : dirs.values()) {
                    for (var replica : logDir.replicaInfos().entrySet()) {
                        if (replica.getKey().topic().equals(topic)) {
                            bytes += replica.getValue().size();
                        }
                    }
                }
            }
            return bytes;
        }
    }

    /** RocksDB's own figures for the posture store, as Kafka Streams reports them: live SST files, memtables, keys. */
    private static String rocksDb(StreamsRunner runner) {
        return String.format(
                Locale.ROOT,
                "RocksDB reports %d MiB of live SST files + %d MiB of memtables, %d keys",
                (long) storeMetric(runner, "live-sst-files-size") >> 20,
                (long) storeMetric(runner, "size-all-mem-tables") >> 20,
                (long) storeMetric(runner, "estimate-num-keys"));
    }

    /** Bytes of the posture store's keys and values, read through an interactive query. */
    private static long liveData(StreamsRunner runner) {
        ReadOnlyKeyValueStore<String, byte[]> store = runner.streams()
                .store(StoreQueryParameters.fromNameAndType(
                        EvaluateTopology.STORE, QueryableStoreTypes.<String, byte[]>keyValueStore()));
        long bytes = 0;
        try (KeyValueIterator<String, byte[]> all = store.all()) {
            while (all.hasNext()) {
                var entry = all.next();
                bytes += entry.key.getBytes(StandardCharsets.UTF_8).length + entry.value.length;
            }
        }
        return bytes;
    }

    /** The process's resident memory (heap, RocksDB, broker: everything in this JVM), from /proc on Linux. */
    private static String residentMemory() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return (Long.parseLong(line.replaceAll("[^0-9]", "")) >> 10) + " MiB";
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: leave it out
        }
        return "n/a";
    }

    private static double storeMetric(StreamsRunner runner, String name) {
        double sum = 0;
        for (var metric : runner.streams().metrics().values()) {
            if (metric.metricName().name().equals(name) && metric.metricValue() instanceof Number n) {
                sum += n.doubleValue();
            }
        }
        return sum;
    }

    /** Produces the backlog, cycle after cycle an hour apart from {@code t0}; returns how many snapshots precede the end of each cycle. */
    private long[] produceBacklog(ContactAuditConfig config, Topics topics, Instant t0) throws Exception {
        long[] ends = new long[settings.cycles()];
        try (KafkaProducer<String, SecurityContactSnapshot> producer = new KafkaProducer<>(
                producerProps(config),
                new StringSerializer(),
                topics.snapshots().value().serializer())) {
            for (int cycle = 0; cycle < settings.cycles(); cycle++) {
                Instant at = t0.plus(CYCLE.multipliedBy(cycle));
                for (int i = 0; i < settings.subscriptions(); i++) {
                    SecurityContactSnapshot s = snapshot(i, cycle, at, "run-" + cycle);
                    producer.send(new ProducerRecord<>(
                            topics.snapshots().name(), null, at.toEpochMilli(), s.getSubscriptionId(), s));
                }
                ends[cycle] = (long) settings.subscriptions() * (cycle + 1);
            }
            producer.flush();
        }
        return ends;
    }

    private static Map<String, Object> producerProps(ContactAuditConfig config) {
        Map<String, Object> props = new HashMap<>(config.kafkaClientProperties());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 65536);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        return props;
    }

    /** Copies the snapshots as bytes to another topic with a plain consumer and producer; records/s. */
    private double passThrough(ContactAuditConfig config, String from, String to, int total) {
        Map<String, Object> c = new HashMap<>(config.kafkaClientProperties());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-passthrough-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        try (KafkaConsumer<String, byte[]> consumer =
                        new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
                KafkaProducer<String, byte[]> producer =
                        new KafkaProducer<>(producerProps(config), new StringSerializer(), new ByteArraySerializer())) {
            consumer.subscribe(List.of(from));
            long start = System.nanoTime();
            int copied = 0;
            while (copied < total) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    producer.send(new ProducerRecord<>(to, r.key(), r.value()));
                    copied++;
                }
                consumer.commitAsync();
            }
            producer.flush();
            return total / ((System.nanoTime() - start) / 1e9);
        }
    }

    /** The same copy as a Kafka Streams source->sink topology with exactly_once_v2: the framework's own cost; records/s. */
    private double streamsPassThrough(ContactAuditConfig config, String from, String to, int total) throws Exception {
        Topology copy = new Topology();
        copy.addSource("source", new ByteArrayDeserializer(), new ByteArrayDeserializer(), from);
        copy.addSink("sink", to, new ByteArraySerializer(), new ByteArraySerializer(), "source");
        Properties props = EvaluatorApp.properties(config);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId() + "-bench-passthrough");
        try (StreamsRunner runner = new StreamsRunner(copy, props);
                CommittedReader copied = new CommittedReader(config, to)) {
            runner.start();
            awaitRunning(runner);
            long start = System.nanoTime();
            copied.awaitAtLeast(total, Duration.ofMinutes(30));
            return total / ((System.nanoTime() - start) / 1e9);
        }
    }

    private static void awaitRunning(StreamsRunner runner) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (runner.state() != KafkaStreams.State.RUNNING && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    /** Counts the records of a topic visible to a read_committed reader, from the beginning. */
    private static final class CommittedReader implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private long seen;

        CommittedReader(ContactAuditConfig config, String topic) {
            Map<String, Object> c = new HashMap<>(config.kafkaClientProperties());
            c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
            consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }

        /** Waits until at least {@code count} records have been read. */
        void awaitAtLeast(long count, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (seen < count) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "only " + seen + " of " + count + " records were committed within " + timeout);
                }
                seen += consumer.poll(Duration.ofMillis(100)).count();
            }
        }

        @Override
        public void close() {
            consumer.close();
        }
    }

    /**
     * Steady load at {@code latencyRate}/s; latency from the snapshot's append to its finding being visible read_committed.
     * Each snapshot changes its subscription's configuration (another recipient), so that it has a finding whatever
     * {@code findings.emit} says. Returns the p99 in milliseconds.
     */
    private double latency(ContactAuditConfig config, Topics topics) throws Exception {
        int n = settings.latencyRate() * settings.latencySeconds();
        // a snapshot's acknowledgement or its finding, whichever came first (a finding can be read before the
        // acknowledgement's callback has run): the second of the two takes the sample
        Map<String, Arrival> pending = new ConcurrentHashMap<>();
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        Map<String, Object> c = new HashMap<>(config.kafkaClientProperties());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-latency-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        try (KafkaConsumer<String, ComplianceFinding> consumer = new KafkaConsumer<>(
                        c, new StringDeserializer(), topics.findings().value().deserializer());
                KafkaProducer<String, SecurityContactSnapshot> producer = new KafkaProducer<>(
                        producerProps(config),
                        new StringSerializer(),
                        topics.snapshots().value().serializer())) {
            consumer.subscribe(List.of(topics.findings().name()));
            while (consumer.assignment().isEmpty()) {
                consumer.poll(Duration.ofMillis(100));
            }
            Thread reader = new Thread(
                    () -> {
                        try {
                            while (latencies.size() < n
                                    && !Thread.currentThread().isInterrupted()) {
                                for (ConsumerRecord<String, ComplianceFinding> r :
                                        consumer.poll(Duration.ofMillis(50))) {
                                    pending.merge(
                                            r.value().getRunId() + "/" + r.key(),
                                            new Arrival(false, System.nanoTime()),
                                            (acked, seen) -> sample(latencies, acked, seen));
                                }
                            }
                        } catch (InterruptException e) {
                            // the findings still missing after the wait: reported as fewer samples
                        }
                    },
                    "bench-latency-reader");
            reader.start();
            long interval = 1_000_000_000L / settings.latencyRate();
            long start = System.nanoTime();
            Instant base = Instant.now();
            for (int k = 0; k < n; k++) {
                long due = start + k * interval;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                int i = k % settings.subscriptions();
                String runId = "lat-" + k;
                SecurityContactSnapshot s = changed(snapshot(i, settings.cycles() + k, base.plusMillis(k), runId), k);
                producer.send(
                        new ProducerRecord<>(
                                topics.snapshots().name(),
                                null,
                                base.plusMillis(k).toEpochMilli(),
                                s.getSubscriptionId(),
                                s),
                        (metadata, error) -> {
                            if (error == null) {
                                pending.merge(
                                        runId + "/" + s.getSubscriptionId(),
                                        new Arrival(true, System.nanoTime()),
                                        (seen, acked) -> sample(latencies, acked, seen));
                            }
                        });
            }
            producer.flush();
            // the snapshots whose evaluation changes nothing a reader sees (a collection error repeated) have no
            // finding: stop waiting once findings have stopped coming for a while
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            int seen = -1;
            while (reader.isAlive() && System.nanoTime() < deadline && latencies.size() > seen) {
                seen = latencies.size();
                reader.join(Duration.ofSeconds(5).toMillis());
            }
            reader.interrupt();
            reader.join();
        }
        List<Long> sorted = new ArrayList<>(latencies);
        sorted.sort(Comparator.naturalOrder());
        if (sorted.isEmpty()) {
            out.println("latency: no finding observed");
            return Double.NaN;
        }
        out.printf(
                Locale.ROOT,
                "latency at %d snapshots/s for %d s (append -> finding visible read_committed, commit.interval.ms=%s): "
                        + "p50 %.0f ms, p99 %.0f ms, max %.0f ms over %d snapshots%n",
                settings.latencyRate(),
                settings.latencySeconds(),
                "100 (exactly_once_v2 default)",
                pct(sorted, 0.50),
                pct(sorted, 0.99),
                sorted.get(sorted.size() - 1) / 1e6,
                sorted.size());
        out.flush();
        return pct(sorted, 0.99);
    }

    /** The snapshot with one more recipient on its first contact, named after {@code k}: a change of configuration. */
    static SecurityContactSnapshot changed(SecurityContactSnapshot snapshot, int k) {
        if (snapshot.getStatus() != CollectionStatus.OK) {
            return snapshot;
        }
        String body = snapshot.getRawBodies()
                .get(0)
                .replace("secops@contoso.com", "secops@contoso.com;oncall-" + k + "@contoso.com");
        snapshot.setRawBodies(List.of(body));
        return snapshot;
    }

    private static double pct(List<Long> sorted, double p) {
        return Percentiles.of(sorted, p) / 1e6;
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    private static long size(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(p -> p.toFile().length())
                    .sum();
        }
    }

    /** The acknowledgement of a snapshot ({@code acked}) or the reading of its finding, at {@code nanos}. */
    private record Arrival(boolean acked, long nanos) {}

    /** Adds the latency from {@code acked} to {@code seen} (0 when the finding was read first); null: both arrived. */
    private static Arrival sample(List<Long> latencies, Arrival acked, Arrival seen) {
        latencies.add(Math.max(0, seen.nanos() - acked.nanos()));
        return null;
    }
}

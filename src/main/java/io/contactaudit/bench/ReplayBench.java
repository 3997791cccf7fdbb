package io.contactaudit.bench;

import io.contactaudit.app.KafkaSetup;
import io.contactaudit.config.ContactAuditConfig;
import io.contactaudit.demo.Directories;
import io.contactaudit.embedded.EmbeddedKafka;
import io.contactaudit.kafka.Topics;
import io.contactaudit.replay.HistoryReader;
import io.contactaudit.replay.Replays;
import io.contactaudit.replay.Skipped;
import io.contactaudit.report.HtmlReport;
import io.contactaudit.report.ReportReader;
import io.contactaudit.schema.CollectionStatus;
import io.contactaudit.schema.ComplianceFinding;
import io.contactaudit.schema.DriftEvent;
import io.contactaudit.schema.DriftKind;
import io.contactaudit.schema.DriftSeverity;
import io.contactaudit.schema.FindingActivity;
import io.contactaudit.schema.Reason;
import io.contactaudit.schema.Verdict;
import io.contactaudit.siem.OcsfComplianceFinding;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Memory of {@code replay posture --as-of} on Apache Kafka's broker in-process: the heap retained (after a full GC)
 * as the history is read, for the streaming fold and, as the baseline, for the whole range held in memory as the
 * reader did before it streamed.
 */
public final class ReplayBench {

    /**
     * @param findings      findings in the history
     * @param subscriptions subscriptions they belong to
     * @param partitions    partitions of the topics
     */
    public record Settings(int findings, int subscriptions, int partitions) {}

    private static final int SAMPLES = 5;

    private final Settings settings;
    private final PrintWriter out;

    public ReplayBench(Settings settings, PrintWriter out) {
        this.settings = settings;
        this.out = out;
    }

    public void run() throws Exception {
        Path dir = Files.createTempDirectory("contact-audit-bench-replay");
        out.printf(
                Locale.ROOT,
                "replay benchmark: %d findings of %d subscriptions over 300 days, %d partitions, in-process broker, "
                        + "%d cores, max heap %d MiB%n",
                settings.findings(),
                settings.subscriptions(),
                settings.partitions(),
                Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20);
        out.flush();
        try (EmbeddedKafka broker = EmbeddedKafka.start(dir.resolve("kafka"))) {
            String prefix = "bench-" + UUID.randomUUID().toString().substring(0, 6);
            ContactAuditConfig config = ContactAuditConfig.of(Map.of(
                    ContactAuditConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                    ContactAuditConfig.TOPIC_PREFIX_CONFIG, prefix,
                    ContactAuditConfig.TOPICS_PARTITIONS_CONFIG, String.valueOf(settings.partitions())));
            Topics topics = Topics.create(prefix);
            KafkaSetup.prepare(config, topics);
            Instant now = Instant.now();
            long start = System.nanoTime();
            produce(config, topics, now);
            out.printf(
                    Locale.ROOT,
                    "produced %d findings and %d drift events in %.1f s%n",
                    settings.findings(),
                    settings.findings() / 100,
                    (System.nanoTime() - start) / 1e9);
            out.flush();

            HistoryReader reader =
                    new HistoryReader(config.kafkaClientProperties(), config.kafkaTimeout(), Clock.systemUTC());
            Replays replays = new Replays(reader, topics);
            Replays.Filter all = new Replays.Filter(Set.of(), null, null);

            Heap heap = new Heap(settings.findings() / SAMPLES);
            start = System.nanoTime();
            List<Replays.PostureRow> rows = replays.postureAsOf(now, all, new Skipped(), heap);
            double seconds = (System.nanoTime() - start) / 1e9;
            long retained = heap.retained();
            out.printf(
                    Locale.ROOT,
                    "posture --as-of (streaming):  %d rows in %.1f s (%.0f findings/s, GC pauses for the samples included)%n",
                    rows.size(),
                    seconds,
                    settings.findings() / seconds);
            out.printf(
                    Locale.ROOT,
                    "  heap retained above the start after a full GC, by findings read: %s; with the %d rows held at the end: %s%n",
                    heap.samples(),
                    rows.size(),
                    mib(retained));
            out.flush();
            rows = null;

            Heap reportHeap = new Heap(settings.findings() / SAMPLES);
            start = System.nanoTime();
            Instant reportFrom = now.minus(Duration.ofDays(299));
            ReportReader.Result report = new ReportReader(reader, topics)
                    .read(reportFrom, now, Duration.ofDays(1), Set.of(), Set.of(), new Skipped(), reportHeap);
            double readSeconds = (System.nanoTime() - start) / 1e9;
            Path html = dir.resolve("report.html");
            try (Writer file = Files.newBufferedWriter(html, StandardCharsets.UTF_8)) {
                HtmlReport.write(
                        report,
                        new HtmlReport.About("bench", Instant.now(), "", OcsfComplianceFinding.Redaction.NONE),
                        file);
            }
            seconds = (System.nanoTime() - start) / 1e9;
            long records = report.reads().stream()
                    .mapToLong(ReportReader.Read::records)
                    .sum();
            out.printf(
                    Locale.ROOT,
                    "report over 299 days (%d days charted): %d records read and folded in %.1f s (%.0f records/s), the"
                            + " HTML written in %.1f s more (%.1f MiB, %d subscriptions)%n",
                    report.model().days().size(),
                    records,
                    readSeconds,
                    records / readSeconds,
                    seconds - readSeconds,
                    Files.size(html) / 1048576.0,
                    report.model().present().size());
            out.printf(
                    Locale.ROOT,
                    "  heap retained above the start after a full GC, by records read: %s; with the model held at the end: %s%n",
                    reportHeap.samples(),
                    mib(reportHeap.retained()));
            out.flush();
            report = null;

            Heap whole = new Heap(settings.findings() / SAMPLES);
            List<ConsumerRecord<String, ComplianceFinding>> held = new ArrayList<>();
            start = System.nanoTime();
            try (HistoryReader.Cursor<ComplianceFinding> cursor = reader.open(
                    topics.findings().name(),
                    topics.findings().value().deserializer(),
                    reader.oldestKept(topics.findings().name()),
                    now.plusMillis(1),
                    key -> true,
                    new Skipped(),
                    whole)) {
                cursor.forEachRemaining(held::add);
            }
            seconds = (System.nanoTime() - start) / 1e9;
            out.printf(
                    Locale.ROOT,
                    "baseline: the whole range held in memory, as the reader did before it streamed: %d findings in %.1f s%n",
                    held.size(),
                    seconds);
            out.printf(
                    Locale.ROOT,
                    "  heap retained above the start after a full GC, by findings read: %s; all %d held: %s%n",
                    whole.samples(),
                    held.size(),
                    mib(whole.retained()));
            out.flush();
            held.clear();
        } finally {
            Directories.deleteRecursively(dir);
        }
    }

    /** Samples the heap retained (after a full GC) every {@code every} records read. */
    private static final class Heap implements LongConsumer {
        private final long every;
        private final long base;
        private final List<String> samples = new ArrayList<>();

        Heap(long every) {
            this.every = Math.max(1, every);
            this.base = usedAfterGc();
        }

        @Override
        public void accept(long read) {
            if (read % every == 0) {
                samples.add(read / 1000 + "k " + mib(usedAfterGc() - base));
            }
        }

        long retained() {
            return usedAfterGc() - base;
        }

        String samples() {
            return String.join(", ", samples);
        }
    }

    private static long usedAfterGc() {
        System.gc();
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%+.1f MiB", bytes / 1048576.0);
    }

    private void produce(ContactAuditConfig config, Topics topics, Instant now) throws Exception {
        Map<String, Object> props = new HashMap<>(config.kafkaClientProperties());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 65536);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        Instant first = now.minus(Duration.ofDays(300));
        long step = Math.max(1, Duration.ofDays(299).toMillis() / settings.findings());
        try (KafkaProducer<String, ComplianceFinding> findings = new KafkaProducer<>(
                        props, new StringSerializer(), topics.findings().value().serializer());
                KafkaProducer<String, DriftEvent> drift = new KafkaProducer<>(
                        props, new StringSerializer(), topics.drift().value().serializer())) {
            for (int i = 0; i < settings.findings(); i++) {
                int s = i % settings.subscriptions();
                int cycle = i / settings.subscriptions();
                String sub = String.format(Locale.ROOT, "%08x-0000-4000-8000-%012x", s, s);
                Instant at = first.plusMillis(i * step);
                Verdict verdict = (s + cycle) % 7 == 0 ? Verdict.FAIL : Verdict.PASS;
                ComplianceFinding f = ComplianceFinding.newBuilder()
                        .setFindingId("f-" + sub)
                        .setEventId("e-" + sub + "-" + cycle)
                        .setSubscriptionId(sub)
                        .setTenantId("bench")
                        .setRuleId("cis-azure-1.3.0-2.14")
                        .setRuleVersion("1.0.0")
                        .setProfile("default")
                        .setVerdict(verdict)
                        .setReasons(
                                List.of(
                                        new Reason(
                                                verdict == Verdict.PASS
                                                        ? "ALERT_EMAILS_ENABLED"
                                                        : "SEVERITY_NOT_ACCEPTED",
                                                "contact default e-mails alerts of minimal severity 'Medium' at $.value[0].properties.notificationsSources[1]")))
                        .setCollectionStatus(CollectionStatus.OK)
                        .setRunId("run-" + cycle)
                        .setCollectedAt(at)
                        .setEvaluatedAt(at)
                        .setFirstSeenAt(first)
                        .setLastStatusChangeAt(at)
                        .setActivity(cycle == 0 ? FindingActivity.CREATE : FindingActivity.UPDATE)
                        .build();
                findings.send(new ProducerRecord<>(topics.findings().name(), null, at.toEpochMilli(), sub, f));
                if (i % 100 == 0) {
                    DriftEvent d = DriftEvent.newBuilder()
                            .setEventId("d-" + sub + "-" + cycle)
                            .setFindingId("f-" + sub)
                            .setSubscriptionId(sub)
                            .setKind(DriftKind.STALE)
                            .setSeverity(DriftSeverity.HIGH)
                            .setPreviousVerdict(verdict)
                            .setCurrentVerdict(null)
                            .setRuleId("cis-azure-1.3.0-2.14")
                            .setRuleVersion("1.0.0")
                            .setProfile("default")
                            .setCollectedAt(at)
                            .setDetectedAt(at.plusMillis(1))
                            .build();
                    drift.send(new ProducerRecord<>(topics.drift().name(), null, at.toEpochMilli() + 1, sub, d));
                }
            }
            findings.flush();
            drift.flush();
        }
    }
}

package io.contactaudit.report;

import io.contactaudit.Sha256;
import io.contactaudit.kafka.TopicSpec;
import io.contactaudit.kafka.Topics;
import io.contactaudit.replay.HistoryReader;
import io.contactaudit.replay.Replays;
import io.contactaudit.replay.Skipped;
import io.contactaudit.schema.ComplianceException;
import io.contactaudit.schema.ComplianceFinding;
import io.contactaudit.schema.DriftEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongConsumer;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads what a report of [from, to] is made of, with the same bounded {@code read_committed} reads as {@code replay}
 * ({@link HistoryReader}): the findings and drift events from {@code from} minus a look-back (for the state at the
 * period's start) to {@code to}, merged by timestamp into a {@link ReportModel}, and the exceptions as their topic
 * holds them. Every record read goes into a SHA-256 per partition (offset, length and value bytes, in offset order);
 * the report's digest is the SHA-256 of the lines {@code topic/partition first..last digest}, sorted: the same records
 * give the same digest, so a report can be made again and shown untouched.
 */
public final class ReportReader {

    /** What was read of one partition. */
    public record Read(String topic, int partition, long firstOffset, long lastOffset, long records, String sha256) {}

    /**
     * The outcome.
     *
     * @param model       the folded history
     * @param historyFrom where the reads of findings and drift started
     * @param clamped     true when the look-back reached past what the topics keep (the state at the period's start
     *                    may then miss subscriptions last seen before that)
     * @param reads       what was read, by topic and partition
     * @param sha256      the digest of everything read
     */
    public record Result(ReportModel model, Instant historyFrom, boolean clamped, List<Read> reads, String sha256) {}

    private final HistoryReader reader;
    private final Topics topics;
    private final Map<String, Partition> partitions = new TreeMap<>();

    public ReportReader(HistoryReader reader, Topics topics) {
        this.reader = reader;
        this.topics = topics;
    }

    /**
     * Reads and folds.
     *
     * @param subscriptions only these (lower case; empty: all)
     * @param tenants       only these tenants, by id or display name (empty: all)
     */
    public Result read(
            Instant from,
            Instant to,
            Duration lookback,
            Set<String> subscriptions,
            Set<String> tenants,
            Skipped skipped,
            LongConsumer progress) {
        ReportModel model = new ReportModel(from, to);
        Instant kept = reader.oldestKept(topics.findings().name());
        Instant wanted = from.minus(lookback);
        boolean clamped = wanted.isBefore(kept);
        Instant historyFrom = clamped ? kept : wanted;
        if (to.isBefore(kept)) {
            throw new HistoryReader.OutsideRetentionException(topics.findings().name() + " keeps history from " + kept
                    + " on; a report to " + to + " cannot be made");
        }
        Instant end = to.plusMillis(1);
        ByteArrayDeserializer bytes = new ByteArrayDeserializer();
        Predicate<String> keys =
                key -> subscriptions.isEmpty() || key != null && subscriptions.contains(key.toLowerCase(Locale.ROOT));
        Replays.Filter tenant = new Replays.Filter(Set.of(), null, null, tenants);
        long[] count = {0};
        Instant driftKept = reader.oldestKept(topics.drift().name());
        try (HistoryReader.Cursor<byte[]> findings =
                        reader.open(topics.findings().name(), bytes, historyFrom, end, keys, skipped, n -> {});
                HistoryReader.Cursor<byte[]> drift = reader.open(
                        topics.drift().name(),
                        bytes,
                        historyFrom.isBefore(driftKept) ? driftKept : historyFrom,
                        end,
                        keys,
                        skipped,
                        n -> {})) {
            ConsumerRecord<String, byte[]> f = next(findings);
            ConsumerRecord<String, byte[]> d = next(drift);
            while (f != null || d != null) {
                // by timestamp; a finding before a drift event of the same instant (the evaluator writes it first)
                if (d == null || f != null && f.timestamp() <= d.timestamp()) {
                    ComplianceFinding finding = decode(topics.findings(), f, skipped);
                    if (finding != null && tenant.tenant(finding.getTenantId(), finding.getTenantName())) {
                        model.finding(finding, Instant.ofEpochMilli(f.timestamp()));
                    }
                    f = next(findings);
                } else {
                    DriftEvent event = decode(topics.drift(), d, skipped);
                    if (event != null && tenant.tenant(event.getTenantId(), event.getTenantName())) {
                        model.drift(event, Instant.ofEpochMilli(d.timestamp()));
                    }
                    d = next(drift);
                }
                if (++count[0] % 5000 == 0) {
                    progress.accept(count[0]);
                }
            }
        }
        try (HistoryReader.Cursor<byte[]> exceptions =
                reader.open(topics.exceptions().name(), bytes, Instant.EPOCH, null, key -> true, skipped, n -> {})) {
            Map<String, ComplianceException> latest = new LinkedHashMap<>();
            for (ConsumerRecord<String, byte[]> r = next(exceptions); r != null; r = next(exceptions)) {
                if (r.value() == null) {
                    latest.remove(r.key()); // a tombstone removes the exception, as it does for the evaluator
                    continue;
                }
                ComplianceException e = decode(topics.exceptions(), r, skipped);
                if (e != null) {
                    latest.put(r.key(), e);
                }
            }
            latest.values().stream()
                    .filter(e -> subscriptions.isEmpty() || subscriptions.contains(e.getSubscriptionId()))
                    .forEach(model::exception);
        }
        model.finish();
        List<Read> reads = new ArrayList<>();
        MessageDigest all = Sha256.digest();
        for (Map.Entry<String, Partition> e : partitions.entrySet()) {
            Partition p = e.getValue();
            String hex = HexFormat.of().formatHex(p.digest.digest());
            reads.add(new Read(p.topic, p.partition, p.first, p.last, p.records, hex));
            all.update((p.topic + "/" + p.partition + " " + p.first + ".." + p.last + " " + hex + "\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        return new Result(model, historyFrom, clamped, reads, HexFormat.of().formatHex(all.digest()));
    }

    /** The next record of {@code cursor}, hashed; null at its end. */
    private ConsumerRecord<String, byte[]> next(HistoryReader.Cursor<byte[]> cursor) {
        if (!cursor.hasNext()) {
            return null;
        }
        ConsumerRecord<String, byte[]> r = cursor.next();
        partitions
                .computeIfAbsent(
                        r.topic() + "/" + String.format(Locale.ROOT, "%05d", r.partition()),
                        k -> new Partition(r.topic(), r.partition(), r.offset()))
                .add(r);
        return r;
    }

    private static <V> V decode(TopicSpec<String, V> topic, ConsumerRecord<String, byte[]> r, Skipped skipped) {
        if (r.value() == null) {
            return null;
        }
        try {
            return topic.value().deserializer().deserialize(r.topic(), r.value());
        } catch (RuntimeException e) {
            skipped.add(r.topic(), r.partition(), r.offset(), e);
            return null;
        }
    }

    private static final class Partition {
        final String topic;
        final int partition;
        final long first;
        long last;
        long records;
        final MessageDigest digest = Sha256.digest();

        Partition(String topic, int partition, long first) {
            this.topic = topic;
            this.partition = partition;
            this.first = first;
        }

        void add(ConsumerRecord<String, byte[]> r) {
            last = r.offset();
            records++;
            byte[] value = r.value() == null ? new byte[0] : r.value();
            digest.update(ByteBuffer.allocate(12)
                    .putLong(r.offset())
                    .putInt(value.length)
                    .array());
            digest.update(value);
        }
    }
}

package io.contactaudit.evaluate;

import io.contactaudit.Durations;
import io.contactaudit.evaluate.errors.DeadLetters;
import io.contactaudit.kafka.AvroSerdes;
import io.contactaudit.kafka.SingleObjectAvroSerde;
import io.contactaudit.schema.SecurityContactSnapshot;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * {@value EvaluateTopology#DECODE}: decodes and validates each record of the snapshots topic (one in the current
 * encoding is read in place: its framing checked, its head decoded, the rest left for the rule, {@link
 * DecodedSnapshot}). A valid snapshot or a tombstone goes on to {@value EvaluateTopology#EVALUATE}, keyed by the
 * subscription id in lower case; anything else goes to the dead-letter topic whole, with its cause. A registry that cannot be reached is not bad data: the
 * exception stops the evaluator and the record is processed again once the registry is back.
 */
final class DecodeSnapshots implements Processor<String, byte[], Object, Object> {

    /** How far ahead of this evaluator's clock a capture may be dated: clocks differ by seconds, not by a day. */
    static final Duration AHEAD = Duration.ofDays(1);

    private final Deserializer<SecurityContactSnapshot> snapshots;
    /** The snapshots topic's serde when it is the single-object encoding, which reads snapshots in place; else null. */
    private final SingleObjectAvroSerde<SecurityContactSnapshot> inPlace;

    private ProcessorContext<Object, Object> context;
    private DeadLetterOutput deadLetters;

    DecodeSnapshots(Serde<SecurityContactSnapshot> snapshots) {
        this.snapshots = snapshots.deserializer();
        this.inPlace = SingleObjectAvroSerde.inPlace(snapshots);
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.deadLetters = new DeadLetterOutput(context);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        byte[] rawKey = record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8);
        String key = record.key();
        long now = context.currentSystemTimeMs();
        if (record.timestamp() > now + AHEAD.toMillis()) {
            // the evaluator's records take this timestamp: replays, reports and the staleness clock read time from it
            deadLetters.send(
                    rawKey,
                    record.value(),
                    record.timestamp(),
                    DeadLetters.Stage.VALIDATION,
                    new IllegalArgumentException("the record's timestamp " + Instant.ofEpochMilli(record.timestamp())
                            + " is more than a day ahead of this evaluator's clock (" + Instant.ofEpochMilli(now)
                            + "): a wrong clock where it was produced, or this host's clock is behind"));
            return;
        }
        if (record.value() == null) {
            String invalid = key == null || key.isBlank()
                    ? "a tombstone without a key: no subscription to remove"
                    : key.equals(key.toLowerCase(Locale.ROOT)) ? null : notLowerCase(key);
            if (invalid != null) {
                deadLetters.send(
                        rawKey,
                        null,
                        record.timestamp(),
                        DeadLetters.Stage.VALIDATION,
                        new IllegalArgumentException(invalid));
                return;
            }
            context.forward(
                    new Record<>(key, DecodedSnapshot.removal(rawKey), record.timestamp()), EvaluateTopology.EVALUATE);
            return;
        }
        DecodedSnapshot snapshot;
        try {
            // read in place when the bytes are the current single-object encoding: the head now, the rest if evaluated
            SingleObjectAvroSerde<SecurityContactSnapshot>.Fields fields =
                    inPlace == null ? null : inPlace.fields(record.value());
            snapshot = fields != null
                    ? DecodedSnapshot.inPlace(fields, rawKey, record.value())
                    : DecodedSnapshot.of(
                            snapshots.deserialize(
                                    context.recordMetadata()
                                            .map(RecordMetadata::topic)
                                            .orElse(""),
                                    record.value()),
                            rawKey,
                            record.value());
        } catch (RuntimeException e) {
            if (AvroSerdes.registryUnavailable(e)) {
                throw e;
            }
            deadLetters.send(rawKey, record.value(), record.timestamp(), DeadLetters.Stage.DESERIALIZATION, e);
            return;
        }
        String invalid = validate(key, snapshot.head(), now);
        if (invalid != null) {
            deadLetters.send(
                    rawKey,
                    record.value(),
                    record.timestamp(),
                    DeadLetters.Stage.VALIDATION,
                    new IllegalArgumentException(invalid));
            return;
        }
        context.forward(
                new Record<>(snapshot.head().subscriptionId().toLowerCase(Locale.ROOT), snapshot, record.timestamp()),
                EvaluateTopology.EVALUATE);
    }

    private static String notLowerCase(String key) {
        return "the record key '" + key + "' is not in lower case: the partition follows the key, and every record of "
                + "a subscription must reach the task that holds its posture (key it by the subscription id in lower case)";
    }

    /**
     * What is wrong with a decoded snapshot, or null. Its times are checked as well as its names: a capture dated ahead
     * of this evaluator's clock by more than {@link #AHEAD} would make every later capture of the subscription late
     * (no finding until that date), a collection interval of zero or less, or of more than
     * {@link Durations#LONGEST}, a staleness window that flags it at once or never.
     */
    static String validate(String key, SnapshotHead snapshot, long now) {
        String sub = snapshot.subscriptionId();
        if (sub == null || sub.isBlank()) {
            return "the snapshot has no subscriptionId";
        }
        if (key == null || !key.equalsIgnoreCase(sub)) {
            return "the record key " + (key == null ? "(none)" : "'" + key + "'")
                    + " is not the snapshot's subscriptionId '" + sub + "'";
        }
        if (!key.equals(key.toLowerCase(Locale.ROOT))) {
            return notLowerCase(key);
        }
        if (snapshot.collectedAt() == null) {
            return "the snapshot has no collectedAt";
        }
        if (snapshot.collectedAt().toEpochMilli() > now + AHEAD.toMillis()) {
            return "the snapshot's collectedAt " + snapshot.collectedAt() + " is more than a day ahead of this "
                    + "evaluator's clock (" + Instant.ofEpochMilli(now)
                    + "): a wrong clock where it was collected, or this host's clock is behind";
        }
        Long interval = snapshot.collectionIntervalMs();
        if (interval != null && (interval <= 0 || interval > Durations.LONGEST.toMillis())) {
            return "the snapshot's collectionIntervalMs " + interval + " is not between 1 and "
                    + Durations.LONGEST.toMillis() + ", " + Durations.LONGEST_TEXT;
        }
        return null;
    }
}

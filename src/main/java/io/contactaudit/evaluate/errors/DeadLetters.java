package io.contactaudit.evaluate.errors;

import io.contactaudit.Errors;
import io.contactaudit.schema.DeadLetter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/** Builds {@link DeadLetter} records: the input kept whole, with where it came from and why it failed. */
public final class DeadLetters {

    /** Where processing failed. */
    public enum Stage {
        /** Not a decodable snapshot. */
        DESERIALIZATION,
        /** Decodable, but not a valid snapshot. */
        VALIDATION,
        /** Evaluating a valid snapshot failed. */
        PROCESSING
    }

    private static final int MAX_TRACE = 8_000;

    private DeadLetters() {}

    /** A dead letter for a record read from {@code source}. */
    public static DeadLetter of(
            RecordMetadata source,
            Long timestamp,
            byte[] key,
            byte[] value,
            Stage stage,
            Throwable error,
            String applicationId,
            long now) {
        return of(
                source == null ? "unknown" : source.topic(),
                source == null ? -1 : source.partition(),
                source == null ? -1 : source.offset(),
                timestamp,
                key,
                value,
                stage,
                error,
                applicationId,
                now);
    }

    /** A dead letter for the record at {@code offset} of {@code topic}'s {@code partition}. */
    public static DeadLetter of(
            String topic,
            int partition,
            long offset,
            Long timestamp,
            byte[] key,
            byte[] value,
            Stage stage,
            Throwable error,
            String applicationId,
            long now) {
        StringWriter trace = new StringWriter();
        error.printStackTrace(new PrintWriter(trace));
        String stack = trace.toString();
        return DeadLetter.newBuilder()
                .setSourceTopic(topic)
                .setSourcePartition(partition)
                .setSourceOffset(offset)
                .setSourceTimestamp(timestamp == null ? null : Instant.ofEpochMilli(timestamp))
                .setKey(key == null ? null : ByteBuffer.wrap(key))
                .setValue(value == null ? null : ByteBuffer.wrap(value))
                .setStage(stage.name())
                .setErrorClass(error.getClass().getName())
                .setErrorMessage(Errors.messages(error))
                .setStackTrace(stack.length() > MAX_TRACE ? stack.substring(0, MAX_TRACE) : stack)
                .setApplicationId(applicationId)
                .setFailedAt(Instant.ofEpochMilli(now))
                .build();
    }
}

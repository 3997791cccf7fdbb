package io.contactaudit.evaluate;

import io.contactaudit.evaluate.errors.DeadLetters;
import io.contactaudit.schema.DeadLetter;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/** Sends an input that cannot be processed to {@value EvaluateTopology#DLQ_SINK}, whole, with its cause; counts it. */
final class DeadLetterOutput {

    private final ProcessorContext<Object, Object> context;
    private final Sensor counter;

    DeadLetterOutput(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.counter = context.metrics()
                .addRateTotalSensor("contact-audit", "evaluate", "dead-letters", Sensor.RecordingLevel.INFO);
    }

    /** Dead-letters the record being processed: its original key and value bytes, read at {@code timestamp}. */
    void send(byte[] key, byte[] value, long timestamp, DeadLetters.Stage stage, Throwable error) {
        DeadLetter letter = DeadLetters.of(
                context.recordMetadata().orElse(null),
                timestamp,
                key,
                value,
                stage,
                error,
                context.applicationId(),
                context.currentSystemTimeMs());
        counter.record();
        context.forward(new Record<>(key, letter, timestamp), EvaluateTopology.DLQ_SINK);
    }
}

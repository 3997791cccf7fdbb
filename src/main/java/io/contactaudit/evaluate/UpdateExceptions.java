package io.contactaudit.evaluate;

import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * {@value EvaluateTopology#EXCEPTIONS_UPDATE}: keeps the global store {@value EvaluateTopology#EXCEPTIONS_STORE} equal
 * to the exceptions topic, bytes as they are (each task decodes what changed: {@link ExceptionBook}); a tombstone
 * removes its key. Each write, restoration included (Kafka Streams restores a global store through its processor), is
 * counted in {@code changes}, which the tasks read before each snapshot and at each tick: the store is read again
 * only when it changed (an iterator over a Kafka Streams store registers and removes metrics: opened for every
 * snapshot, it was a quarter of the stream thread's time).
 */
final class UpdateExceptions implements Processor<String, byte[], Void, Void> {

    private final AtomicLong changes;
    private KeyValueStore<String, byte[]> store;

    UpdateExceptions(AtomicLong changes) {
        this.changes = changes;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        store = context.getStateStore(EvaluateTopology.EXCEPTIONS_STORE);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.key() == null) {
            return;
        }
        if (record.value() == null) {
            store.delete(record.key());
        } else {
            store.put(record.key(), record.value());
        }
        changes.incrementAndGet(); // after the write: a task that sees the count sees the write
    }
}

package io.contactaudit.evaluate;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * {@value EvaluateTopology#EXCEPTIONS_UPDATE}: keeps the global store {@value EvaluateTopology#EXCEPTIONS_STORE} equal
 * to the exceptions topic, bytes as they are (each task decodes what changed: {@link ExceptionBook}); a tombstone
 * removes its key.
 */
final class UpdateExceptions implements Processor<String, byte[], Void, Void> {

    private KeyValueStore<String, byte[]> store;

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
    }
}

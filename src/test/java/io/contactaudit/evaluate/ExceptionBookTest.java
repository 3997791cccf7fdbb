package io.contactaudit.evaluate;

import static io.contactaudit.evaluate.TestSnapshots.SUB;
import static io.contactaudit.evaluate.TestSnapshots.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.contactaudit.exceptions.Exceptions;
import io.contactaudit.kafka.SingleObjectAvroSerde;
import io.contactaudit.schema.ComplianceException;
import java.net.ConnectException;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.Test;

class ExceptionBookTest {

    private static final String TOPIC = "contact-audit.exceptions.v1";

    @Test
    void aRecordTheRegistryCouldNotServeIsNotIgnoredButReadAgain() {
        SingleObjectAvroSerde<ComplianceException> serde = new SingleObjectAvroSerde<>(ComplianceException.class);
        ComplianceException waiver = EvaluateTopologyTest.exception("ex-1", T0.plusSeconds(86_400), "ALERTS_OFF");
        TreeMap<String, byte[]> store = new TreeMap<>();
        store.put(Exceptions.key(waiver), serde.serializer().serialize(TOPIC, waiver));
        AtomicBoolean registryDown = new AtomicBoolean(true);
        Deserializer<ComplianceException> decoder = (topic, bytes) -> {
            if (registryDown.get()) {
                throw new SerializationException("cannot fetch the schema", new ConnectException("Connection refused"));
            }
            return serde.deserializer().deserialize(topic, bytes);
        };
        ExceptionBook book = new ExceptionBook(decoder, TOPIC);

        assertThatThrownBy(() -> book.refresh(readOnly(store), T0.toEpochMilli()))
                .as("an outage is not a bad record: it stops the evaluator instead of judging without the waiver")
                .isInstanceOf(SerializationException.class);
        assertThat(book.of(SUB)).isEmpty();

        registryDown.set(false);
        assertThat(book.refresh(readOnly(store), T0.toEpochMilli())).containsExactly(SUB);
        assertThat(book.of(SUB)).containsExactly(waiver);
    }

    @Test
    void aRecordThatCannotBeDecodedIsLeftOut() {
        TreeMap<String, byte[]> store = new TreeMap<>();
        store.put("garbage", new byte[] {1, 2, 3});
        ExceptionBook book =
                new ExceptionBook(new SingleObjectAvroSerde<>(ComplianceException.class).deserializer(), TOPIC);
        assertThat(book.refresh(readOnly(store), T0.toEpochMilli())).isEmpty();
    }

    /** A map as the global store's read-only view. */
    private static ReadOnlyKeyValueStore<String, byte[]> readOnly(TreeMap<String, byte[]> entries) {
        return new ReadOnlyKeyValueStore<>() {
            @Override
            public byte[] get(String key) {
                return entries.get(key);
            }

            @Override
            public KeyValueIterator<String, byte[]> range(String from, String to) {
                return iterator(entries.subMap(from, true, to, true));
            }

            @Override
            public KeyValueIterator<String, byte[]> all() {
                return iterator(entries);
            }

            @Override
            public long approximateNumEntries() {
                return entries.size();
            }
        };
    }

    private static KeyValueIterator<String, byte[]> iterator(Map<String, byte[]> entries) {
        Iterator<Map.Entry<String, byte[]>> it = entries.entrySet().iterator();
        return new KeyValueIterator<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public KeyValue<String, byte[]> next() {
                Map.Entry<String, byte[]> e = it.next();
                return KeyValue.pair(e.getKey(), e.getValue());
            }

            @Override
            public String peekNextKey() {
                throw new UnsupportedOperationException();
            }

            @Override
            public void close() {}
        };
    }
}

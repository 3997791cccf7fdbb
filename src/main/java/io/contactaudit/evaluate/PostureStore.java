package io.contactaudit.evaluate;

import io.contactaudit.kafka.TopicSpec;
import io.contactaudit.schema.PostureState;
import java.util.function.BiConsumer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The posture store ({@value EvaluateTopology#STORE}): one {@link PostureState} per subscription, encoded with the
 * posture topic's serializer, so that the store, its changelog and the posture topic hold the same bytes and a
 * posture is encoded once.
 */
final class PostureStore {

    private final KeyValueStore<String, byte[]> store;
    private final String topic;
    private final Serializer<PostureState> encoder;
    private final Deserializer<PostureState> decoder;

    /** The store, encoded as {@code posture}, the posture topic, encodes its values. */
    PostureStore(KeyValueStore<String, byte[]> store, TopicSpec<String, PostureState> posture) {
        this.store = store;
        this.topic = posture.name();
        this.encoder = posture.value().serializer();
        this.decoder = posture.value().deserializer();
    }

    /** The posture of a subscription, or null. */
    PostureState get(String subscription) {
        byte[] bytes = store.get(subscription);
        return bytes == null ? null : decoder.deserialize(topic, bytes);
    }

    /** Stores a posture and returns its bytes, the value of the posture topic's record. */
    byte[] put(String subscription, PostureState posture) {
        byte[] bytes = encoder.serialize(topic, posture);
        store.put(subscription, bytes);
        return bytes;
    }

    /** Deletes a posture; true when there was one. */
    boolean delete(String subscription) {
        return store.delete(subscription) != null;
    }

    /** Every stored posture, in key order, once (when a task starts: {@link PostureIndex}). */
    void forEach(BiConsumer<String, PostureState> visitor) {
        try (KeyValueIterator<String, byte[]> entries = store.all()) {
            while (entries.hasNext()) {
                KeyValue<String, byte[]> entry = entries.next();
                visitor.accept(entry.key, decoder.deserialize(topic, entry.value));
            }
        }
    }
}

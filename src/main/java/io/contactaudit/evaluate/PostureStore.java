package io.contactaudit.evaluate;

import io.contactaudit.kafka.TopicSpec;
import io.contactaudit.schema.PostureState;
import java.time.Duration;
import java.util.function.BiConsumer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The posture store ({@value EvaluateTopology#STORE}): one {@link PostureState} per subscription, encoded with the
 * posture topic's serializer, so that the store, its changelog and the posture topic hold the same bytes and a
 * posture is encoded once. Also reads the store in time-boxed slices (filling the {@link PostureIndex} after a start).
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

    /**
     * Reads postures in key order, after {@code after} (null: from the first key), for at most {@code slice} (at least
     * one entry); returns the last key read when there are more, or null when it reached the end. A store of a million
     * subscriptions takes seconds to read: in one go it would hold the task, and an open transaction, that long.
     */
    String scan(String after, Duration slice, BiConsumer<String, PostureState> visitor) {
        long deadline = System.nanoTime() + slice.toNanos();
        try (KeyValueIterator<String, byte[]> entries = after == null ? store.all() : store.range(after, null)) {
            while (entries.hasNext()) {
                KeyValue<String, byte[]> entry = entries.next();
                if (entry.key.equals(after)) {
                    continue;
                }
                visitor.accept(entry.key, decoder.deserialize(topic, entry.value));
                if (System.nanoTime() > deadline) {
                    return entries.hasNext() ? entry.key : null;
                }
            }
        }
        return null;
    }
}

package io.contactaudit.kafka;

import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * A topic's name, serdes and the settings it is created with, travelling together.
 *
 * @param name   full topic name
 * @param key    key serde
 * @param value  value serde
 * @param config topic-level configuration used when the topic is created (cleanup policy, retention)
 * @param why    why these settings, for the provisioning log and ops docs
 */
public record TopicSpec<K, V>(String name, Serde<K> key, Serde<V> value, Map<String, String> config, String why) {

    /** A topic of bytes, keys and values, created with {@code config}. */
    public static TopicSpec<byte[], byte[]> ofBytes(String name, Map<String, String> config, String why) {
        return new TopicSpec<>(name, Serdes.ByteArray(), Serdes.ByteArray(), config, why);
    }

    /**
     * The same topic for a writer that encodes its values itself with {@link #value()}'s serializer: the evaluator
     * encodes a posture once, for its store, the store's changelog and the posture topic.
     */
    public TopicSpec<K, byte[]> encoded() {
        return new TopicSpec<>(name, key, Serdes.ByteArray(), config, why);
    }
}

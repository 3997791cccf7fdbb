package io.contactaudit.evaluate;

import io.contactaudit.exceptions.Exceptions;
import io.contactaudit.schema.ComplianceException;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * How many exceptions the evaluator holds, by state, at an instant: the figures of the metrics
 * {@code contact_audit_exceptions{state=...}}.
 *
 * @param active   in force
 * @param expiring in force, ending within {@link #SOON}
 * @param expired  ended by their expiry
 * @param revoked  revoked
 */
public record ExceptionCounts(long active, long expiring, long expired, long revoked) {

    /** What "expiring" means: ending within this. */
    public static final Duration SOON = Duration.ofDays(30);

    /**
     * The counts of the exceptions store of {@code streams} at {@code now}; null while the store cannot be queried (the
     * client is not running). Records that cannot be decoded are not counted.
     */
    public static ExceptionCounts of(
            KafkaStreams streams, Deserializer<ComplianceException> decoder, String topic, Instant now) {
        ReadOnlyKeyValueStore<String, byte[]> store;
        try {
            store = streams.store(StoreQueryParameters.fromNameAndType(
                    EvaluateTopology.EXCEPTIONS_STORE, QueryableStoreTypes.keyValueStore()));
        } catch (InvalidStateStoreException e) {
            return null;
        }
        long active = 0;
        long expiring = 0;
        long expired = 0;
        long revoked = 0;
        try (KeyValueIterator<String, byte[]> all = store.all()) {
            while (all.hasNext()) {
                KeyValue<String, byte[]> entry = all.next();
                ComplianceException e;
                try {
                    e = decoder.deserialize(topic, entry.value);
                } catch (RuntimeException undecodable) {
                    continue;
                }
                switch (Exceptions.state(e, now)) {
                    case REVOKED -> revoked++;
                    case EXPIRED -> expired++;
                    case ACTIVE -> {
                        active++;
                        if (e.getExpiresAt().isBefore(now.plus(SOON))) {
                            expiring++;
                        }
                    }
                }
            }
        }
        return new ExceptionCounts(active, expiring, expired, revoked);
    }
}

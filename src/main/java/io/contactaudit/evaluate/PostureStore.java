package io.contactaudit.evaluate;

import io.contactaudit.kafka.SingleObjectAvroSerde;
import io.contactaudit.kafka.TopicSpec;
import io.contactaudit.schema.ExceptionRef;
import io.contactaudit.schema.PostureState;
import io.contactaudit.schema.Reason;
import io.contactaudit.schema.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.stream.IntStream;
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
    /** The posture topic's serde when it is the single-object encoding, which reads postures in place; else null. */
    private final SingleObjectAvroSerde<PostureState> inPlace;

    /** A stored posture read in place: its head, and where its fields lie to write the new times. */
    record InPlace(PostureMachine.Head head, SingleObjectAvroSerde<PostureState>.Fields fields) {}

    private static final int SUBSCRIPTION_ID = position("subscriptionId");
    private static final int VERDICT = position("verdict");
    private static final int STALE = position("stale");
    private static final int LAST_COLLECTED_AT = position("lastCollectedAt");
    private static final int LAST_GOOD_COLLECTED_AT = position("lastGoodCollectedAt");
    private static final int CONSECUTIVE_ERRORS = position("consecutiveErrors");
    private static final int STALE_AFTER_MS = position("staleAfterMs");
    private static final int RULE_ID = position("ruleId");
    private static final int RULE_VERSION = position("ruleVersion");
    private static final int PROFILE = position("profile");
    private static final int REASONS = position("reasons");
    private static final int EXCEPTION = position("exception");
    private static final int TENANT_ID = position("tenantId");
    private static final int TENANT_NAME = position("tenantName");
    private static final int READ_THROUGH_TENANT_ID = position("readThroughTenantId");
    /** The fields {@link PostureMachine.Head} holds, in the schema's order: read in one pass. */
    private static final int[] HEAD_FIELDS = IntStream.of(
                    SUBSCRIPTION_ID,
                    VERDICT,
                    STALE,
                    LAST_COLLECTED_AT,
                    LAST_GOOD_COLLECTED_AT,
                    CONSECUTIVE_ERRORS,
                    STALE_AFTER_MS,
                    RULE_ID,
                    RULE_VERSION,
                    PROFILE,
                    REASONS,
                    EXCEPTION,
                    TENANT_ID,
                    TENANT_NAME,
                    READ_THROUGH_TENANT_ID)
            .sorted()
            .toArray();
    /** {@link #HEAD_FIELDS} but the reasons, a list of records: what a posture no exception may cover is read for. */
    private static final int[] HEAD_FIELDS_BUT_REASONS =
            IntStream.of(HEAD_FIELDS).filter(f -> f != REASONS).toArray();
    /** The fields {@link PostureMachine.Times} writes, as {@link #put} lists their values: in the schema's order. */
    private static final int[] TIME_FIELDS = ascending(
            LAST_COLLECTED_AT, position("lastEvaluatedAt"), LAST_GOOD_COLLECTED_AT, CONSECUTIVE_ERRORS, STALE_AFTER_MS);

    /** The store, encoded as {@code posture}, the posture topic, encodes its values. */
    PostureStore(KeyValueStore<String, byte[]> store, TopicSpec<String, PostureState> posture) {
        this.store = store;
        this.topic = posture.name();
        this.encoder = posture.value().serializer();
        this.decoder = posture.value().deserializer();
        this.inPlace = SingleObjectAvroSerde.inPlace(posture.value());
    }

    private static int position(String field) {
        return PostureState.getClassSchema().getField(field).pos();
    }

    private static int[] ascending(int... positions) {
        for (int i = 1; i < positions.length; i++) {
            if (positions[i] <= positions[i - 1]) {
                throw new IllegalStateException("the posture's time fields are no longer in this order in its schema");
            }
        }
        return positions;
    }

    /** The posture of a subscription, or null. */
    PostureState get(String subscription) {
        return decode(bytes(subscription));
    }

    /** The stored bytes of a subscription's posture, or null. */
    byte[] bytes(String subscription) {
        return store.get(subscription);
    }

    /** A posture from its stored bytes; null for null. */
    PostureState decode(byte[] bytes) {
        return bytes == null ? null : decoder.deserialize(topic, bytes);
    }

    /**
     * A posture read in place from its stored bytes, or null when they are not in the current single-object encoding
     * of postures (the registry's wire format, an older schema, bytes that do not read): decode those. Without
     * {@code withReasons}, the head's reasons are null: not read.
     */
    InPlace inPlace(byte[] bytes, boolean withReasons) {
        SingleObjectAvroSerde<PostureState>.Fields fields = inPlace == null ? null : inPlace.fields(bytes);
        if (fields == null) {
            return null;
        }
        int[] read = withReasons ? HEAD_FIELDS : HEAD_FIELDS_BUT_REASONS;
        Object[] values = fields.get(read);
        @SuppressWarnings("unchecked") // the field's schema is an array of reasons
        List<Reason> reasons = (List<Reason>) SingleObjectAvroSerde.value(read, values, REASONS);
        return new InPlace(
                new PostureMachine.Head(
                        (String) SingleObjectAvroSerde.value(read, values, SUBSCRIPTION_ID),
                        (Verdict) SingleObjectAvroSerde.value(read, values, VERDICT),
                        (Boolean) SingleObjectAvroSerde.value(read, values, STALE),
                        (Instant) SingleObjectAvroSerde.value(read, values, LAST_COLLECTED_AT),
                        (Instant) SingleObjectAvroSerde.value(read, values, LAST_GOOD_COLLECTED_AT),
                        (Integer) SingleObjectAvroSerde.value(read, values, CONSECUTIVE_ERRORS),
                        (Long) SingleObjectAvroSerde.value(read, values, STALE_AFTER_MS),
                        (String) SingleObjectAvroSerde.value(read, values, RULE_ID),
                        (String) SingleObjectAvroSerde.value(read, values, RULE_VERSION),
                        (String) SingleObjectAvroSerde.value(read, values, PROFILE),
                        reasons,
                        (ExceptionRef) SingleObjectAvroSerde.value(read, values, EXCEPTION),
                        new Tenancy(
                                (String) SingleObjectAvroSerde.value(read, values, TENANT_ID),
                                (String) SingleObjectAvroSerde.value(read, values, TENANT_NAME),
                                (String) SingleObjectAvroSerde.value(read, values, READ_THROUGH_TENANT_ID))),
                fields);
    }

    /**
     * Stores a posture read in place with new times, writing them into its bytes (the others are copied, not decoded
     * and encoded again), and returns the bytes: those the posture's serializer writes for it.
     */
    byte[] put(String subscription, InPlace posture, PostureMachine.Times times) {
        byte[] bytes = posture.fields().with(TIME_FIELDS, new Object[] {
            times.lastCollectedAt(),
            times.lastEvaluatedAt(),
            times.lastGoodCollectedAt(),
            times.consecutiveErrors(),
            times.staleAfterMs()
        });
        store.put(subscription, bytes);
        return bytes;
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

package io.contactaudit.evaluate;

import io.contactaudit.kafka.SingleObjectAvroSerde;
import io.contactaudit.schema.CollectionStatus;
import io.contactaudit.schema.SecurityContactSnapshot;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.stream.IntStream;
import org.apache.kafka.common.errors.SerializationException;

/**
 * What {@value EvaluateTopology#DECODE} hands to {@value EvaluateTopology#EVALUATE}: a valid snapshot, or a removal. A
 * snapshot in the current single-object encoding is read in place: its {@link SnapshotHead} at once, the rest (its
 * pages, above all) only when the rule is to run on it; the digest of its content is taken from its bytes. Any other
 * encoding (the registry's wire format, an older schema) is decoded whole.
 */
final class DecodedSnapshot {

    private static final int SUBSCRIPTION_ID = position("subscriptionId");
    private static final int TENANT_ID = position("tenantId");
    private static final int COLLECTED_AT = position("collectedAt");
    private static final int STATUS = position("status");
    private static final int RAW_BODIES = position("rawBodies");
    private static final int COLLECTION_INTERVAL_MS = position("collectionIntervalMs");
    private static final int TENANT_NAME = position("tenantName");
    private static final int READ_THROUGH_TENANT_ID = position("readThroughTenantId");
    /** The fields {@link SnapshotHead} holds, in the schema's order: read in one pass. */
    private static final int[] HEAD_FIELDS = IntStream.of(
                    SUBSCRIPTION_ID,
                    TENANT_ID,
                    COLLECTED_AT,
                    STATUS,
                    COLLECTION_INTERVAL_MS,
                    TENANT_NAME,
                    READ_THROUGH_TENANT_ID)
            .sorted()
            .toArray();

    private static final byte[] NONE = new byte[0];

    private final SnapshotHead head;
    private final SingleObjectAvroSerde<SecurityContactSnapshot>.Fields fields;
    private SecurityContactSnapshot snapshot;
    private final byte[] key;
    private final byte[] value;

    private DecodedSnapshot(
            SnapshotHead head,
            SingleObjectAvroSerde<SecurityContactSnapshot>.Fields fields,
            SecurityContactSnapshot snapshot,
            byte[] key,
            byte[] value) {
        this.head = head;
        this.fields = fields;
        this.snapshot = snapshot;
        this.key = key;
        this.value = value;
    }

    /** A tombstone: the subscription left the estate. */
    static DecodedSnapshot removal(byte[] key) {
        return new DecodedSnapshot(null, null, null, key, null);
    }

    /** A snapshot decoded whole, from the record {@code key}, {@code value}. */
    static DecodedSnapshot of(SecurityContactSnapshot snapshot, byte[] key, byte[] value) {
        return new DecodedSnapshot(SnapshotHead.of(snapshot), null, snapshot, key, value);
    }

    /** A snapshot read in place from {@code fields}, the record's value: its head decoded, the rest when asked for. */
    static DecodedSnapshot inPlace(
            SingleObjectAvroSerde<SecurityContactSnapshot>.Fields fields, byte[] key, byte[] value) {
        Object[] head = fields.get(HEAD_FIELDS);
        return new DecodedSnapshot(
                new SnapshotHead(
                        (String) SingleObjectAvroSerde.value(HEAD_FIELDS, head, SUBSCRIPTION_ID),
                        (Instant) SingleObjectAvroSerde.value(HEAD_FIELDS, head, COLLECTED_AT),
                        (CollectionStatus) SingleObjectAvroSerde.value(HEAD_FIELDS, head, STATUS),
                        (Long) SingleObjectAvroSerde.value(HEAD_FIELDS, head, COLLECTION_INTERVAL_MS),
                        Tenancy.named(
                                (String) SingleObjectAvroSerde.value(HEAD_FIELDS, head, TENANT_ID),
                                (String) SingleObjectAvroSerde.value(HEAD_FIELDS, head, TENANT_NAME),
                                (String) SingleObjectAvroSerde.value(HEAD_FIELDS, head, READ_THROUGH_TENANT_ID))),
                fields,
                null,
                key,
                value);
    }

    private static int position(String field) {
        return SecurityContactSnapshot.getClassSchema().getField(field).pos();
    }

    /** Whether the subscription left the estate. */
    boolean removal() {
        return head == null;
    }

    /** What the evaluator reads of every snapshot; null for a removal. */
    SnapshotHead head() {
        return head;
    }

    /**
     * The whole snapshot, decoded the first time it is asked for; null for a removal.
     *
     * @throws Undecodable when the bytes read in place do not decode whole
     */
    SecurityContactSnapshot snapshot() {
        if (snapshot == null && fields != null) {
            try {
                snapshot = fields.record();
            } catch (SerializationException e) {
                throw new Undecodable(e);
            }
        }
        return snapshot;
    }

    /** A snapshot read in place whose bytes do not decode whole: a dead letter of stage DESERIALIZATION, as any other. */
    static final class Undecodable extends RuntimeException {
        Undecodable(SerializationException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** The record's key as read, for a dead letter. */
    byte[] key() {
        return key;
    }

    /** The record's value as read, for a dead letter. */
    byte[] value() {
        return value;
    }

    /**
     * A digest (SHA-256, 128 bits of it, by {@code sha256}) of what the rule reads of a snapshot that was read
     * completely: its raw pages and its tenant; null for any other snapshot (a collection failure's reasons carry
     * request ids: always evaluated). A cryptographic digest, because the pages hold text that whoever administers the
     * contacts chooses. The same whether the snapshot is read in place or decoded: each string's UTF-8 bytes after
     * their length (bytes that are not valid UTF-8, which decoding replaces, digest differently: evaluated again).
     */
    long[] contentDigest(MessageDigest sha256) {
        if (head.status() != CollectionStatus.OK) {
            return null;
        }
        sha256.reset();
        if (fields != null) {
            if (fields.strings(TENANT_ID, (data, offset, length) -> update(sha256, data, offset, length)) == 0) {
                update(sha256, NONE, 0, 0); // no tenant digests as an empty one
            }
            fields.strings(RAW_BODIES, (data, offset, length) -> update(sha256, data, offset, length));
        } else {
            update(sha256, snapshot.getTenantId() == null ? "" : snapshot.getTenantId());
            for (String page : snapshot.getRawBodies()) {
                update(sha256, page);
            }
        }
        ByteBuffer hash = ByteBuffer.wrap(sha256.digest());
        return new long[] {hash.getLong(), hash.getLong()};
    }

    private static void update(MessageDigest sha256, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        update(sha256, bytes, 0, bytes.length);
    }

    private static void update(MessageDigest sha256, byte[] data, int offset, int length) {
        sha256.update((byte) (length >>> 24));
        sha256.update((byte) (length >>> 16));
        sha256.update((byte) (length >>> 8));
        sha256.update((byte) length);
        sha256.update(data, offset, length);
    }
}

package io.contactaudit.evaluate;

import io.contactaudit.schema.SecurityContactSnapshot;

/**
 * What {@value EvaluateTopology#DECODE} hands to {@value EvaluateTopology#EVALUATE}: a valid snapshot, or a removal.
 *
 * @param snapshot the snapshot; null when the record was a tombstone (the subscription left the estate)
 * @param key      the record's key as read, for a dead letter
 * @param value    the record's value as read, for a dead letter
 */
record DecodedSnapshot(SecurityContactSnapshot snapshot, byte[] key, byte[] value) {

    /** Whether the subscription left the estate. */
    boolean removal() {
        return snapshot == null;
    }
}

package io.contactaudit.evaluate;

import io.contactaudit.schema.CollectionStatus;
import io.contactaudit.schema.SecurityContactSnapshot;
import java.time.Instant;

/**
 * What the evaluator reads of every snapshot before it knows whether the rule is to run on it: whose it is, when it
 * was captured, whether it was read completely, how often it is collected and its tenancy. A snapshot that changes
 * nothing but the times ({@link PostureMachine#touch}) is read no further.
 *
 * @param tenancy the tenancy the snapshot names, or null when it names no tenant (an explicit subscription list)
 */
record SnapshotHead(
        String subscriptionId,
        Instant collectedAt,
        CollectionStatus status,
        Long collectionIntervalMs,
        Tenancy tenancy) {

    static SnapshotHead of(SecurityContactSnapshot snapshot) {
        return new SnapshotHead(
                snapshot.getSubscriptionId(),
                snapshot.getCollectedAt(),
                snapshot.getStatus(),
                snapshot.getCollectionIntervalMs(),
                Tenancy.named(snapshot.getTenantId(), snapshot.getTenantName(), snapshot.getReadThroughTenantId()));
    }

    /** The snapshot's tenancy, when it names its tenant; else {@code known}. */
    Tenancy tenancy(Tenancy known) {
        return tenancy == null ? known : tenancy;
    }
}

package io.contactaudit.collector;

import io.contactaudit.schema.SecurityContactSnapshot;
import java.util.concurrent.CompletableFuture;

/** Where snapshots go; {@link SnapshotPublisher} is the Kafka one. */
public interface SnapshotSink {

    /** Publishes one snapshot; completes when it is durably written (or fails). */
    CompletableFuture<Void> publish(SecurityContactSnapshot snapshot);

    /** Says that a subscription left the estate (a tombstone). */
    CompletableFuture<Void> remove(String subscriptionId);

    /**
     * Snapshots published so far as ERROR snapshots without their pages, because they were too large to publish
     * ({@link SnapshotPublisher#publish}).
     */
    default long tooLarge() {
        return 0;
    }

    /** Sends whatever is buffered and waits for it. */
    default void flush() {}
}

package io.contactaudit.collector;

import io.contactaudit.kafka.CompactedTopic;
import io.contactaudit.kafka.TopicSpec;
import io.contactaudit.schema.PostureState;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The subscriptions the pipeline currently tracks, with their tenant: the live records of the compacted
 * posture topic ({@link CompactedTopic}).
 * A subscription known there, of a tenant the collector lists, but no longer listed, is announced as removed.
 */
public final class KnownSubscriptions {

    private KnownSubscriptions() {}

    /**
     * A known subscription's tenant and the tenant it was last read through (each null when not known).
     */
    public record Known(String tenantId, String readThroughTenantId) {

        /** Of the tenant itself, read by its own identity (or by a single identity: {@code readThrough} null). */
        public static Known of(String tenantId) {
            return new Known(tenantId, null);
        }

        /** The tenant whose listing answers for it, lower case: the one it was read through, else its own; or null. */
        public String listedBy() {
            String by = readThroughTenantId != null ? readThroughTenantId : tenantId;
            return by == null ? null : by.toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Subscription id → its tenants, of every key whose latest posture record is not a tombstone; empty when the topic
     * does not exist yet.
     */
    public static Map<String, Known> read(
            Map<String, Object> clientProperties, TopicSpec<String, PostureState> posture, Duration timeout) {
        Map<String, Known> tenants = new HashMap<>();
        postures(clientProperties, posture, timeout)
                .forEach((sub, state) ->
                        tenants.put(sub, new Known(state.getTenantId(), state.getReadThroughTenantId())));
        return tenants;
    }

    /**
     * Subscription id → current posture of every key whose latest posture record is not a tombstone; empty when the
     * topic does not exist yet.
     */
    public static Map<String, PostureState> postures(
            Map<String, Object> clientProperties, TopicSpec<String, PostureState> posture, Duration timeout) {
        return CompactedTopic.latest(clientProperties, posture, timeout);
    }
}

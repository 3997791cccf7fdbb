package io.contactaudit.collector;

import io.contactaudit.kafka.CompactedTopic;
import io.contactaudit.kafka.TopicSpec;
import io.contactaudit.schema.PostureState;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The subscriptions the pipeline currently tracks, with their tenant: the live records of the compacted
 * posture topic ({@link CompactedTopic}).
 * A subscription known there, of a tenant the collector lists, but no longer listed, is announced as removed.
 */
public final class KnownSubscriptions {

    private KnownSubscriptions() {}

    /**
     * Subscription id → tenant id (null when unknown) of every key whose latest posture record is not a
     * tombstone; empty when the topic does not exist yet.
     */
    public static Map<String, String> read(
            Map<String, Object> clientProperties, TopicSpec<String, PostureState> posture, Duration timeout) {
        Map<String, String> tenants = new HashMap<>();
        postures(clientProperties, posture, timeout).forEach((sub, state) -> tenants.put(sub, state.getTenantId()));
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

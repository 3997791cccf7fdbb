package io.contactaudit.evaluate;

import io.contactaudit.kafka.AvroSerdes;
import io.contactaudit.schema.ComplianceException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One task's view of the exceptions ({@value EvaluateTopology#EXCEPTIONS_STORE}, a global store every instance holds
 * whole): the exceptions of each subscription, decoded, and when each active one expires. {@link #refresh} reads the
 * store again and tells which subscriptions' exceptions changed, or expired, since the last time ({@link #expired}:
 * which expired, without reading the store); only the records
 * whose bytes changed are decoded. A record that cannot be decoded, or of a scope other than a subscription, is left
 * out, with a line in the log; a registry that cannot be reached is not a bad record: the exception goes up and the
 * record is decoded at the next read.
 */
final class ExceptionBook {

    private static final Logger LOG = LoggerFactory.getLogger(ExceptionBook.class);

    private final Deserializer<ComplianceException> decoder;
    private final String topic;
    private final Map<String, byte[]> raw = new HashMap<>();
    private final Map<String, String> subscriptionOfKey = new HashMap<>();
    private final Map<String, Map<String, ComplianceException>> bySubscription = new HashMap<>();
    private final TreeMap<Long, Set<String>> expiries = new TreeMap<>();

    ExceptionBook(Deserializer<ComplianceException> decoder, String topic) {
        this.decoder = decoder;
        this.topic = topic;
    }

    /** The subscriptions with an exception, as last read. */
    Set<String> subscriptions() {
        return Set.copyOf(bySubscription.keySet());
    }

    /** The exceptions of {@code subscription} (any state), as last read. */
    Collection<ComplianceException> of(String subscription) {
        Map<String, ComplianceException> found = bySubscription.get(subscription);
        return found == null ? List.of() : found.values();
    }

    /**
     * Reads {@code store} again: the subscriptions whose exceptions were added, rewritten (revoked) or removed since the
     * last call, and those with an exception that expired by {@code now}.
     */
    Set<String> refresh(ReadOnlyKeyValueStore<String, byte[]> store, long now) {
        Set<String> changed = new HashSet<>();
        Set<String> seen;
        try (KeyValueIterator<String, byte[]> all = store.all()) {
            seen = read(all, changed);
        }
        for (Iterator<String> keys = raw.keySet().iterator(); keys.hasNext(); ) {
            String key = keys.next();
            if (!seen.contains(key)) {
                keys.remove();
                remove(key, changed);
            }
        }
        changed.addAll(expired(now));
        return changed;
    }

    /** The subscriptions with an exception that expired by {@code now} since the last call. */
    Set<String> expired(long now) {
        if (expiries.isEmpty() || expiries.firstKey() > now) {
            return Set.of(); // what nearly every call finds: it is made for every snapshot
        }
        Set<String> expired = new HashSet<>();
        while (!expiries.isEmpty() && expiries.firstKey() <= now) {
            expired.addAll(expiries.pollFirstEntry().getValue());
        }
        return expired;
    }

    /** Takes in the entries of {@code entries} whose bytes changed (adding their subscriptions to {@code changed}); the keys seen. */
    private Set<String> read(KeyValueIterator<String, byte[]> entries, Set<String> changed) {
        Set<String> seen = new HashSet<>();
        while (entries.hasNext()) {
            KeyValue<String, byte[]> entry = entries.next();
            seen.add(entry.key);
            if (!Arrays.equals(raw.get(entry.key), entry.value)) {
                remove(entry.key, changed);
                add(entry.key, entry.value, changed);
                raw.put(
                        entry.key,
                        entry.value); // after the decode: a record the registry could not serve is read again
            }
        }
        return seen;
    }

    private void add(String key, byte[] bytes, Set<String> changed) {
        ComplianceException e;
        try {
            e = decoder.deserialize(topic, bytes);
        } catch (RuntimeException ex) {
            if (AvroSerdes.registryUnavailable(ex)) {
                throw ex; // not a bad record: the evaluator stops, as for a snapshot, rather than judge without it
            }
            LOG.warn("exception record {} on {} cannot be decoded and is ignored: {}", key, topic, ex.toString());
            return;
        }
        if (e == null || e.getSubscriptionId() == null) {
            LOG.warn(
                    "exception record {} on {} names no subscription and is ignored (only subscription scopes are supported)",
                    key,
                    topic);
            return;
        }
        String sub = e.getSubscriptionId().toLowerCase(Locale.ROOT);
        subscriptionOfKey.put(key, sub);
        bySubscription.computeIfAbsent(sub, s -> new HashMap<>()).put(key, e);
        changed.add(sub);
        Instant expiresAt = e.getExpiresAt();
        if (e.getRevokedAt() == null) {
            expiries.computeIfAbsent(expiresAt.toEpochMilli(), t -> new HashSet<>())
                    .add(sub);
        }
    }

    private void remove(String key, Set<String> changed) {
        String sub = subscriptionOfKey.remove(key);
        if (sub == null) {
            return;
        }
        Map<String, ComplianceException> found = bySubscription.get(sub);
        found.remove(key);
        if (found.isEmpty()) {
            bySubscription.remove(sub);
        }
        changed.add(sub);
    }
}

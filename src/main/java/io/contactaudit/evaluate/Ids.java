package io.contactaudit.evaluate;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** Deterministic ids: the same inputs always give the same id, across instances and restarts. */
public final class Ids {

    private Ids() {}

    /** The finding of a subscription under a rule and profile; stable across evaluations. */
    public static String finding(String subscriptionId, String ruleId, String profile) {
        return of("finding", subscriptionId, ruleId, profile);
    }

    /** One event (finding or drift) caused by one snapshot or one state change. */
    public static String event(String... parts) {
        return of(parts);
    }

    private static String of(String... parts) {
        return UUID.nameUUIDFromBytes(String.join("\u001f", parts).getBytes(StandardCharsets.UTF_8))
                .toString();
    }
}

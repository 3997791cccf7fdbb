package io.contactaudit.observe;

import java.util.List;

/** The gauge names the endpoints publish (collector, change events, exceptions), for tests outside this package. */
public final class EndpointsNames {

    private EndpointsNames() {}

    public static List<String> collector() {
        java.util.Map<String, ?> gauges = new java.util.HashMap<>(Endpoints.collectorGauges(
                new io.contactaudit.collector.CollectorLoop(null, null, null, null, null, null)));
        gauges.putAll((java.util.Map) Endpoints.eventGauges(new io.contactaudit.collector.EventTrigger.Stats()));
        gauges.putAll((java.util.Map) Endpoints.exceptionGauges(() -> null));
        return gauges.keySet().stream()
                .map(k -> k.contains("{") ? k.substring(0, k.indexOf('{')) : k)
                .distinct()
                .toList();
    }
}

package io.contactaudit.observe;

import java.util.List;

/** The collector gauge names the endpoints publish, for tests outside this package. */
public final class EndpointsNames {

    private EndpointsNames() {}

    public static List<String> collector() {
        java.util.Map<String, ?> gauges = new java.util.HashMap<>(Endpoints.collectorGauges(
                new io.contactaudit.collector.CollectorLoop(null, null, null, null, null, null)));
        gauges.putAll((java.util.Map) Endpoints.eventGauges(new io.contactaudit.collector.EventTrigger.Stats()));
        return gauges.keySet().stream()
                .map(k -> k.contains("{") ? k.substring(0, k.indexOf('{')) : k)
                .distinct()
                .toList();
    }
}

package io.contactaudit.observe;

import java.util.List;

/** The collector gauge names the endpoints publish, for tests outside this package. */
public final class EndpointsNames {

    private EndpointsNames() {}

    public static List<String> collector() {
        return Endpoints.collectorGauges(
                        new io.contactaudit.collector.CollectorLoop(null, null, null, null, null, null))
                .keySet()
                .stream()
                .map(k -> k.contains("{") ? k.substring(0, k.indexOf('{')) : k)
                .distinct()
                .toList();
    }
}

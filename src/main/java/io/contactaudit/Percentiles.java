package io.contactaudit;

import java.util.List;

/** The nearest-rank percentile of sorted measurements: the benchmarks' and the report's. */
public final class Percentiles {

    private Percentiles() {}

    /** The value at or below which a fraction {@code p} of {@code sorted} lies (nearest rank). */
    public static long of(List<Long> sorted, double p) {
        return sorted.get(Math.min(sorted.size() - 1, Math.max(0, (int) Math.ceil(p * sorted.size()) - 1)));
    }
}

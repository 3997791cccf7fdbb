package io.contactaudit;

import java.time.Duration;

/** The bound on durations, wherever one enters: a configuration key, a snapshot's declared collection interval. */
public final class Durations {

    /**
     * The longest: ten years, far beyond any real setting, and far from where times in milliseconds or nanoseconds
     * overflow.
     */
    public static final Duration LONGEST = Duration.ofDays(3650);

    /** {@link #LONGEST} as people read it. */
    public static final String LONGEST_TEXT = "ten years (P" + LONGEST.toDays() + "D)";

    private Durations() {}
}

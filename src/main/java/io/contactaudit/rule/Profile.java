package io.contactaudit.rule;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Which minimal alert severities count as "sends e-mail about High-severity alerts".
 *
 * <p>A minimal severity means "this severity or higher", so Medium and Low also deliver High-severity
 * alert mails. CIS ≤ 3.0 wording ("set to 'High'") and some tools accept High only: that is {@link #STRICT}.
 */
public enum Profile {
    /** High, Medium or Low minimal severity passes (CIS 4.0+, Prowler, Elastic cloudbeat). */
    DEFAULT("default", List.of(Severity.HIGH, Severity.MEDIUM, Severity.LOW)),
    /** Only a High minimal severity passes (CIS ≤ 3.0 wording, Steampipe, MITRE SAF). */
    STRICT("strict", List.of(Severity.HIGH));

    private final String id;
    private final List<String> acceptedSeverities;

    Profile(String id, List<String> acceptedSeverities) {
        this.id = id;
        this.acceptedSeverities = acceptedSeverities;
    }

    /** The profile's name as carried on findings: {@code default} or {@code strict}. */
    public String id() {
        return id;
    }

    /** Minimal severities that pass, in canonical case. */
    public List<String> acceptedSeverities() {
        return acceptedSeverities;
    }

    /** Whether a minimal severity (any case, possibly null) passes under this profile. */
    public boolean accepts(String minimalSeverity) {
        return acceptedSeverities.stream().anyMatch(s -> SecurityContactsNormalizer.same(s, minimalSeverity));
    }

    /** Parses {@code default} or {@code strict}, in any case. */
    public static Profile parse(String text) {
        for (Profile profile : values()) {
            if (profile.id.equalsIgnoreCase(text.trim())) {
                return profile;
            }
        }
        throw new IllegalArgumentException("unknown profile '" + text + "': expected " + String.join(" or ", ids()));
    }

    /** All profile names. */
    public static List<String> ids() {
        return Arrays.stream(values()).map(Profile::id).toList();
    }

    @Override
    public String toString() {
        return id.toLowerCase(Locale.ROOT);
    }

    /** Canonical spellings of the severity values the service uses. */
    public static final class Severity {
        public static final String HIGH = "High";
        public static final String MEDIUM = "Medium";
        public static final String LOW = "Low";

        private Severity() {}
    }
}

package io.contactaudit.replay;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** Times on the command line: ISO-8601 instants ({@code 2026-03-01T12:00:00Z}, with an offset) or dates (UTC days). */
public final class Times {

    private Times() {}

    /** An instant; a date is the start of that day (UTC). */
    public static Instant start(String text) {
        return parse(text, false);
    }

    /** An instant; a date is the end of that day (UTC): {@code --to 2026-03-31} includes the 31st. */
    public static Instant end(String text) {
        return parse(text, true);
    }

    /** An instant; a date is the last millisecond of that day (UTC): the posture as of the end of that day. */
    public static Instant asOf(String text) {
        Instant end = parse(text, true);
        return isDate(text) ? end.minusMillis(1) : end;
    }

    private static boolean isDate(String text) {
        try {
            LocalDate.parse(text.trim());
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    private static Instant parse(String text, boolean endOfDay) {
        String t = text.trim();
        try {
            return Instant.parse(t);
        } catch (DateTimeParseException notInstant) {
            try {
                return OffsetDateTime.parse(t).toInstant();
            } catch (DateTimeParseException notOffset) {
                try {
                    LocalDate day = LocalDate.parse(t);
                    return (endOfDay ? day.plusDays(1) : day).atStartOfDay().toInstant(ZoneOffset.UTC);
                } catch (DateTimeParseException notDate) {
                    throw new IllegalArgumentException("'" + text
                            + "' is neither an ISO-8601 instant (2026-03-01T12:00:00Z) nor a date (2026-03-01)");
                }
            }
        }
    }
}

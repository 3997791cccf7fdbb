package io.contactaudit.replay;

import io.contactaudit.Errors;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Records of a replayed topic that could not be decoded and were passed over: counted per topic, the first
 * {@link #DETAILED} with their topic, partition, offset and cause, for the report on standard error.
 */
public final class Skipped {

    /** How many skipped records are reported one by one; the rest are only counted. */
    public static final int DETAILED = 20;

    private static final int MAX_CAUSE = 300;

    /** One skipped record. */
    public record Entry(String topic, int partition, long offset, String cause) {
        public String line() {
            return "skipped " + topic + " partition " + partition + " offset " + offset + ": " + cause;
        }
    }

    private final List<Entry> detailed = new ArrayList<>();
    private final Map<String, Long> perTopic = new TreeMap<>();
    private long count;

    public synchronized void add(String topic, int partition, long offset, Throwable cause) {
        count++;
        perTopic.merge(topic, 1L, Long::sum);
        if (detailed.size() < DETAILED) {
            String text = Errors.messages(cause).replaceAll("\\s*\\R\\s*", " ");
            detailed.add(new Entry(
                    topic,
                    partition,
                    offset,
                    text.length() > MAX_CAUSE ? text.substring(0, MAX_CAUSE - 1) + "…" : text));
        }
    }

    public synchronized long count() {
        return count;
    }

    public synchronized List<Entry> entries() {
        return List.copyOf(detailed);
    }

    /** The report: one line per detailed record, a line for those not detailed, a summary; empty when nothing was skipped. */
    public synchronized List<String> report() {
        if (count == 0) {
            return List.of();
        }
        List<String> lines = new ArrayList<>();
        detailed.forEach(e -> lines.add(e.line()));
        if (count > detailed.size()) {
            lines.add("... " + (count - detailed.size()) + " more skipped records not listed");
        }
        lines.add("skipped " + count + " undecodable record" + (count == 1 ? "" : "s") + " ("
                + perTopic.entrySet().stream()
                        .map(e -> e.getKey() + ": " + e.getValue())
                        .collect(Collectors.joining(", "))
                + "); the output leaves them out");
        return lines;
    }
}

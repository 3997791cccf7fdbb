package io.contactaudit.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** Writes rows as an aligned table, JSON lines, CSV (RFC 4180) or OCSF JSON lines. */
public final class AuditExport {

    /** Output formats. */
    public enum Format {
        TABLE,
        JSONL,
        CSV,
        OCSF;

        public static Format parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown format '" + text + "': expected table, jsonl, csv or ocsf");
            }
        }
    }

    /** A named column. */
    public record Column<T>(String name, Function<T, String> value) {}

    private static final int MAX_WIDTH = 72;

    private AuditExport() {}

    /**
     * Writes the rows as they come (a table first collects them, for its column widths).
     *
     * @param json how a row becomes one JSON line (jsonl)
     * @param ocsf how a row becomes an OCSF event, one line of JSON, or null when the dataset has no OCSF form
     * @return the number of rows written
     */
    public static <T> long write(
            Iterator<T> rows,
            List<Column<T>> columns,
            Format format,
            Function<T, JsonNode> json,
            Function<T, String> ocsf,
            PrintWriter out) {
        if (format == Format.OCSF && ocsf == null) {
            throw new IllegalArgumentException("--format ocsf is for findings only");
        }
        long count = 0;
        if (format == Format.TABLE) {
            List<T> all = new ArrayList<>();
            rows.forEachRemaining(all::add);
            table(all, columns, out);
            count = all.size();
        } else {
            if (format == Format.CSV) {
                out.println(String.join(
                        ",", columns.stream().map(c -> csv(c.name())).toList()));
            }
            while (rows.hasNext()) {
                T row = rows.next();
                out.println(
                        switch (format) {
                            case JSONL -> json.apply(row).toString();
                            case OCSF -> ocsf.apply(row);
                            default ->
                                String.join(
                                        ",",
                                        columns.stream()
                                                .map(c -> csv(c.value().apply(row)))
                                                .toList());
                        });
                count++;
            }
        }
        out.flush();
        return count;
    }

    /** A JSON object of the columns, for rows that are not Avro records. */
    public static <T> Function<T, JsonNode> columnsAsJson(List<Column<T>> columns) {
        return row -> {
            ObjectNode node = JsonNodeFactory.instance.objectNode();
            columns.forEach(c -> node.put(c.name(), c.value().apply(row)));
            return node;
        };
    }

    private static <T> void table(List<T> rows, List<Column<T>> columns, PrintWriter out) {
        List<String[]> cells = new ArrayList<>();
        int[] widths = new int[columns.size()];
        String[] header = columns.stream().map(Column::name).toArray(String[]::new);
        cells.add(header);
        for (T row : rows) {
            String[] line = new String[columns.size()];
            for (int i = 0; i < columns.size(); i++) {
                String v = columns.get(i).value().apply(row);
                v = v == null ? "" : v.replaceAll("\\s+", " ");
                line[i] = v.length() > MAX_WIDTH ? v.substring(0, MAX_WIDTH - 1) + "…" : v;
            }
            cells.add(line);
        }
        for (String[] line : cells) {
            for (int i = 0; i < line.length; i++) {
                widths[i] = Math.max(widths[i], line[i].length());
            }
        }
        for (String[] line : cells) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < line.length; i++) {
                text.append(i == 0 ? "" : "  ").append(i == line.length - 1 ? line[i] : pad(line[i], widths[i]));
            }
            out.println(text.toString().stripTrailing());
        }
    }

    private static String pad(String text, int width) {
        return text + " ".repeat(Math.max(0, width - text.length()));
    }

    static String csv(String value) {
        if (value == null) {
            return "";
        }
        if (value.contains(",") || value.contains("\"") || value.contains("\n") || value.contains("\r")) {
            return '"' + value.replace("\"", "\"\"") + '"';
        }
        return value;
    }
}

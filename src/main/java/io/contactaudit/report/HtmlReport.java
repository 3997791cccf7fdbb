package io.contactaudit.report;

import io.contactaudit.Html;
import io.contactaudit.Percentiles;
import io.contactaudit.Sha256;
import io.contactaudit.report.ReportModel.State;
import io.contactaudit.rule.HighSeverityAlertEmailRule;
import io.contactaudit.schema.ComplianceException;
import io.contactaudit.schema.ComplianceFinding;
import io.contactaudit.schema.DriftEvent;
import io.contactaudit.schema.DriftKind;
import io.contactaudit.schema.Evidence;
import io.contactaudit.schema.FieldChange;
import io.contactaudit.schema.Reason;
import io.contactaudit.siem.OcsfComplianceFinding;
import java.io.IOException;
import java.io.Writer;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The audit report as one self-contained HTML file: inline CSS, charts as inline SVG, no script, font or anything
 * fetched; it opens offline and prints to PDF (each section starts on a page of its own when printed).
 */
public final class HtmlReport {

    /**
     * What the report says of itself.
     *
     * @param version     the tool's version
     * @param generatedAt when it was made
     * @param filters     the filters given (subscriptions, tenants), in words
     * @param redaction   how e-mail addresses appear
     */
    public record About(
            String version, Instant generatedAt, String filters, OcsfComplianceFinding.Redaction redaction) {}

    static final Map<State, String> COLORS = Map.of(
            State.PASS, "#2e7d32",
            State.FAIL, "#c62828",
            State.SUPPRESSED, "#ef8f00",
            State.ERROR, "#616161",
            State.STALE, "#6a1b9a");

    private static final String STYLE = """
            body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1b1b1b;margin:2em auto;max-width:1100px;padding:0 1em}
            h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:2em}
            table{border-collapse:collapse;width:100%;margin:.5em 0;font-size:12.5px}th,td{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}
            th{background:#f3f3f3}td.n,th.n{text-align:right}.muted{color:#666}.tot{display:flex;gap:1em;flex-wrap:wrap;margin:.5em 0}
            .tot div{border:1px solid #ddd;border-radius:6px;padding:.4em .8em;min-width:7em}.tot b{display:block;font-size:1.6em}
            .PASS{color:#2e7d32}.FAIL{color:#c62828}.SUPPRESSED{color:#ef8f00}.ERROR{color:#616161}.STALE{color:#6a1b9a}
            code{font-size:12px;word-break:break-all}
            @media print{body{margin:0;max-width:none}h2{break-before:page}table,svg,.tot{break-inside:avoid}a{color:inherit}}
            """;

    private final Writer out;

    private HtmlReport(Writer out) {
        this.out = out;
    }

    /** Writes the report of {@code result} to {@code out}. */
    public static void write(ReportReader.Result result, About about, Writer out) throws IOException {
        new HtmlReport(out).report(result, about);
        out.flush();
    }

    private void report(ReportReader.Result result, About about) throws IOException {
        ReportModel m = result.model();
        w("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
        w("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">");
        w("<title>contact-audit report " + esc(day(m.from())) + " to " + esc(day(m.to())) + "</title>");
        w("<style>" + STYLE + "</style></head><body>\n");
        w("<h1>Security contacts: High-severity alert e-mails</h1>");
        w("<p>Control <b>CIS Microsoft Azure Foundations Benchmark v1.3.0, 2.14</b> ("
                + esc(HighSeverityAlertEmailRule.TITLE)
                + "), evaluated continuously by contact-audit " + esc(about.version()) + ".<br>Period <b>"
                + esc(m.from().toString()) + "</b> to <b>" + esc(m.to().toString()) + "</b>" + esc(about.filters())
                + ". Generated "
                + esc(about.generatedAt().truncatedTo(ChronoUnit.SECONDS).toString()) + ".</p>\n");
        posture(m);
        overTime(m);
        coverage(m);
        drift(m, about);
        exceptions(m);
        subscriptions(m, about);
        provenance(result, about);
        w("</body></html>\n");
    }

    private void posture(ReportModel m) throws IOException {
        Map<State, Integer> totals = m.totals();
        int all = totals.values().stream().mapToInt(Integer::intValue).sum();
        w("<h2 id=\"posture\">Posture at the end of the period</h2>");
        w("<div class=\"tot\" id=\"totals\"><div>subscriptions<b>" + all + "</b></div>");
        for (State s : State.values()) {
            w("<div class=\"" + s + "\">" + label(s) + "<b data-state=\"" + s + "\">" + totals.get(s) + "</b></div>");
        }
        w("</div>");
        stackedBar(totals, 900, 26);
        w("<table><tr><th>tenant</th>");
        for (State s : State.values()) {
            w("<th class=\"n\">" + label(s) + "</th>");
        }
        w("</tr>");
        for (Map.Entry<String, Map<State, Integer>> t : m.totalsByTenant().entrySet()) {
            w("<tr><td><code>" + esc(t.getKey()) + "</code></td>");
            for (State s : State.values()) {
                w("<td class=\"n\">" + t.getValue().get(s) + "</td>");
            }
            w("</tr>");
        }
        w(
                "</table><p class=\"muted\">A suppressed FAIL is a FAIL under an approved exception: it is still a FAIL, counted"
                        + " apart. STALE: no snapshot within the subscription's staleness window at the end of the period (its"
                        + " last verdict is not current).</p>\n");
    }

    /** A daily stacked bar chart of the states. */
    private void overTime(ReportModel m) throws IOException {
        List<ReportModel.Day> days = m.days();
        w("<h2 id=\"over-time\">Posture over time</h2>");
        int width = 1000;
        int height = 280;
        int left = 50;
        int bottom = 40;
        int plotW = width - left - 10;
        int plotH = height - bottom - 10;
        int max = Math.max(
                1,
                days.stream()
                        .mapToInt(d -> d.counts().values().stream()
                                .mapToInt(Integer::intValue)
                                .sum())
                        .max()
                        .orElse(1));
        double bar = plotW / (double) Math.max(1, days.size());
        double barWidth = Math.max(0.5, Math.min(bar * 0.84, 48));
        w("<svg id=\"chart-over-time\" width=\"100%\" viewBox=\"0 0 " + width + " " + height
                + "\" role=\"img\" aria-label=\"subscriptions by state at the end of each day\">");
        w("<line x1=\"" + left + "\" y1=\"" + (10 + plotH) + "\" x2=\"" + (left + plotW) + "\" y2=\"" + (10 + plotH)
                + "\" stroke=\"#999\"/>");
        int previous = -1;
        for (int i = 0; i <= 4; i++) {
            int value = (int) Math.round(max * i / 4.0);
            if (value == previous) {
                continue;
            }
            previous = value;
            double y = 10 + plotH - plotH * value / (double) max;
            w(String.format(
                    Locale.ROOT,
                    "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%d</text>"
                            + "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>",
                    left - 4,
                    y + 4,
                    value,
                    left,
                    y,
                    left + plotW,
                    y));
        }
        int labelEvery = Math.max(1, (int) Math.ceil(days.size() / 12.0));
        for (int i = 0; i < days.size(); i++) {
            ReportModel.Day d = days.get(i);
            double x = left + i * bar;
            double y = 10 + plotH;
            for (State s : State.values()) {
                int n = d.counts().get(s);
                if (n == 0) {
                    continue;
                }
                double h = plotH * n / (double) max;
                y -= h;
                w(String.format(
                        Locale.ROOT,
                        "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\"><title>%s %s: %d</title></rect>",
                        x + (bar - barWidth) / 2,
                        y,
                        barWidth,
                        h,
                        COLORS.get(s),
                        d.day(),
                        label(s),
                        n));
            }
            if (i % labelEvery == 0) {
                w(String.format(
                        Locale.ROOT,
                        "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%s</text>",
                        x + bar / 2,
                        height - bottom + 18,
                        d.day().toString().substring(5)));
            }
        }
        int lx = left;
        for (State s : State.values()) {
            w("<rect x=\"" + lx + "\" y=\"" + (height - 14) + "\" width=\"10\" height=\"10\" fill=\"" + COLORS.get(s)
                    + "\"/><text x=\"" + (lx + 14) + "\" y=\"" + (height - 5) + "\" font-size=\"11\">" + label(s)
                    + "</text>");
            lx += 110;
        }
        w("</svg><p class=\"muted\">Subscriptions by state at the end of each day (UTC); the last bar is the end of the"
                + " period.</p>\n");
    }

    private void coverage(ReportModel m) throws IOException {
        w("<h2 id=\"coverage\">Coverage: the control operated</h2>");
        w("<p><b>" + m.evaluations() + "</b> findings in the period (one per change of a subscription's finding, and"
                + " each unchanged one again once per refresh interval), from <b>" + m.runs()
                + "</b> collection runs; rules: " + esc(String.join("; ", m.rules())) + ".</p>");
        List<Long> perSubscription = m.present().stream()
                .map(ReportModel.Subscription::evaluations)
                .sorted()
                .toList();
        if (!perSubscription.isEmpty()) {
            long none = perSubscription.stream().filter(n -> n == 0).count();
            w("<p id=\"evaluated\">Findings per subscription in the period: fewest <b>" + perSubscription.get(0)
                    + "</b>, median <b>" + Percentiles.of(perSubscription, 0.5) + "</b>, most <b>"
                    + perSubscription.get(perSubscription.size() - 1) + "</b>"
                    + (none == 0
                            ? ""
                            : "; <b>" + none + "</b> subscriptions had none in the period (known from before it)")
                    + ".</p>");
        }
        List<ReportModel.Subscription> gaps = m.gaps();
        if (gaps.isEmpty()) {
            w("<p id=\"gaps\">No gap: every subscription had a snapshot within its staleness window throughout the"
                    + " period.</p>\n");
            return;
        }
        w("<p id=\"gaps\"><b>" + gaps.size()
                + "</b> subscriptions had gaps longer than their staleness window (STALE):</p>");
        w("<table><tr><th>subscription</th><th>tenant</th><th class=\"n\">gaps</th><th class=\"n\">time without a"
                + " current verdict</th></tr>");
        for (ReportModel.Subscription s : gaps) {
            w("<tr><td><code>" + esc(s.id()) + "</code></td><td>" + esc(s.tenant()) + "</td><td class=\"n\">"
                    + s.staleEpisodes() + "</td><td class=\"n\">" + duration(s.staleTime()) + "</td></tr>");
        }
        w("</table>\n");
    }

    private void drift(ReportModel m, About about) throws IOException {
        w("<h2 id=\"drift\">Changes in the period</h2><p>");
        w(m.driftTotal() + " drift events: ");
        w(esc(m.driftCounts().entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", "))));
        w(".</p><h3>Time to remediate</h3>");
        Duration median = m.timeToRemediate(0.5);
        if (median == null) {
            w("<p id=\"ttr\">No regression was remediated in the period.</p>");
        } else {
            w("<p id=\"ttr\">" + m.remediations().size() + " regressions remediated: median <b>" + duration(median)
                    + "</b>, 90th percentile <b>" + duration(m.timeToRemediate(0.9)) + "</b>, longest <b>"
                    + duration(m.timeToRemediate(1.0)) + "</b>.</p>");
        }
        List<ReportModel.Subscription> open = m.openRegressions();
        if (!open.isEmpty()) {
            w("<p>Open at the end of the period (REGRESSED, not remediated), the longest first:</p><table>"
                    + "<tr><th>subscription</th><th>since</th><th class=\"n\">open for</th></tr>");
            for (ReportModel.Subscription s : open) {
                w("<tr><td><code>" + esc(s.id()) + "</code></td><td>"
                        + esc(s.openRegressionSince().toString())
                        + "</td><td class=\"n\">" + duration(Duration.between(s.openRegressionSince(), m.to()))
                        + "</td></tr>");
            }
            w("</table>");
        }
        w("<h3>Every change</h3><table><tr><th>detected</th><th>subscription</th><th>kind</th><th>severity</th>"
                + "<th>before → after</th><th>what changed</th></tr>");
        for (DriftEvent d : m.drift()) {
            w("<tr><td>" + esc(d.getDetectedAt().truncatedTo(ChronoUnit.SECONDS).toString()) + "</td><td><code>"
                    + esc(d.getSubscriptionId()) + "</code></td><td>" + d.getKind() + "</td><td>" + d.getSeverity()
                    + "</td><td>" + d.getPreviousVerdict() + " → " + d.getCurrentVerdict() + "</td><td>"
                    + esc(what(d, about)) + "</td></tr>");
        }
        w("</table>");
        if (m.driftTotal() > m.drift().size()) {
            w("<p class=\"muted\">The first " + m.drift().size() + " of " + m.driftTotal()
                    + " are listed; `replay drift" + " --from --to --format csv` exports all of them.</p>");
        }
        w("\n");
    }

    private void exceptions(ReportModel m) throws IOException {
        w("<h2 id=\"exceptions\">Exceptions</h2>");
        List<ReportModel.ExceptionRow> rows = m.exceptions();
        if (rows.isEmpty()) {
            w("<p>No exception was in force in the period.</p>\n");
            return;
        }
        w("<table><tr><th>subscription</th><th>category</th><th>in the period</th><th>requested by</th><th>approved"
                + " by, at</th><th>expires</th><th>revoked</th><th>covers</th><th>justification, ticket, compensating"
                + " control</th></tr>");
        for (ReportModel.ExceptionRow row : rows) {
            ComplianceException e = row.exception();
            w("<tr><td><code>" + esc(e.getSubscriptionId()) + "</code><br><span class=\"muted\">"
                    + esc(e.getExceptionId()) + "</span></td><td>" + e.getCategory() + "</td><td>" + esc(row.inPeriod())
                    + "</td><td>" + esc(e.getRequestedBy()) + "</td><td>" + esc(e.getApprovedBy()) + "<br>"
                    + esc(e.getApprovedAt().toString()) + "</td><td>"
                    + esc(e.getExpiresAt().toString()) + "</td><td>"
                    + (e.getRevokedAt() == null
                            ? ""
                            : esc(e.getRevokedAt() + " by " + e.getRevokedBy() + ": " + e.getRevocationReason()))
                    + "</td><td>" + esc(String.join(", ", e.getReasonCodes())) + "</td><td>" + esc(e.getJustification())
                    + (e.getTicket() == null ? "" : "<br>ticket " + esc(e.getTicket()))
                    + (e.getCompensatingControl() == null ? "" : "<br>control: " + esc(e.getCompensatingControl()))
                    + "</td></tr>");
        }
        w("</table>\n");
    }

    private void subscriptions(ReportModel m, About about) throws IOException {
        w("<h2 id=\"subscriptions\">Every subscription</h2><table><tr><th>subscription</th><th>state, since</th>"
                + "<th>reasons</th><th>evidence (what the rule read)</th><th>changes in the period</th></tr>");
        for (ReportModel.Subscription s : m.present()) {
            ComplianceFinding f = s.latest();
            State state = s.state();
            w("<tr><td><code>" + esc(s.id()) + "</code>"
                    + (f.getSubscriptionName() == null ? "" : "<br>" + esc(f.getSubscriptionName()))
                    + "<br><span class=\"muted\">" + esc(s.tenant()) + "</span></td><td class=\"" + state + "\">"
                    + label(state) + "<br><span class=\"muted\">since "
                    + esc(String.valueOf(
                            f.getLastStatusChangeAt() == null ? f.getCollectedAt() : f.getLastStatusChangeAt()))
                    + "</span></td><td>");
            for (Reason r : f.getReasons()) {
                w("<b>" + esc(r.getCode()) + "</b> " + esc(r.getMessage()) + "<br>");
            }
            w("</td><td>");
            for (Evidence e : f.getEvidence()) {
                w("<code>"
                        + esc((e.getContact() == null ? "" : e.getContact() + " ") + e.getPath() + " = "
                                + redact(e.getPath(), e.getValue(), about))
                        + "</code> " + esc(e.getOutcome()) + "<br>");
            }
            w("</td><td>");
            for (DriftEvent d : s.changes()) {
                w(esc(d.getDetectedAt().truncatedTo(ChronoUnit.SECONDS) + " " + d.getKind() + " " + what(d, about))
                        + "<br>");
            }
            w("</td></tr>\n");
        }
        w("</table>\n");
    }

    private void provenance(ReportReader.Result result, About about) throws IOException {
        w("<h2 id=\"provenance\">How this report was made</h2><p>Rule <code>" + esc(HighSeverityAlertEmailRule.ID)
                + "</code> (" + esc(HighSeverityAlertEmailRule.ALIAS) + "), versions and profiles in the period: "
                + esc(String.join("; ", result.model().rules())) + ". contact-audit " + esc(about.version())
                + ". E-mail addresses: " + about.redaction().name().toLowerCase(Locale.ROOT) + ".</p>");
        w("<p>Read with <code>read_committed</code>, from "
                + esc(result.historyFrom().toString())
                + " (the period's start less the look-back, for the state at its start) to the period's end; the"
                + " exceptions as their topic held them when the report was made."
                + (result.clamped()
                        ? " <b>The look-back reached past what the topics keep</b>: subscriptions last seen before "
                                + esc(result.historyFrom().toString()) + " are missing from the start of the period."
                        : "")
                + "</p><table><tr><th>topic</th><th class=\"n\">partition</th><th class=\"n\">offsets</th>"
                + "<th class=\"n\">records</th><th>SHA-256</th></tr>");
        for (ReportReader.Read r : result.reads()) {
            w("<tr><td>" + esc(r.topic()) + "</td><td class=\"n\">" + r.partition() + "</td><td class=\"n\">"
                    + r.firstOffset() + ".." + r.lastOffset() + "</td><td class=\"n\">" + r.records()
                    + "</td><td><code>"
                    + r.sha256() + "</code></td></tr>");
        }
        w("</table><p>SHA-256 of the data behind this report: <code id=\"sha256\">" + result.sha256()
                + "</code><br><span class=\"muted\">The SHA-256 of the lines <code>topic/partition first..last"
                + " partition-digest</code>, one per row above, sorted; each partition's digest covers, in offset"
                + " order, each record's offset (8 bytes), value length (4 bytes) and value. The same command over the"
                + " same records gives the same digest.</span></p>\n");
    }

    private static String what(DriftEvent d, About about) {
        if (!d.getChanges().isEmpty()) {
            return d.getChanges().stream()
                    .limit(3)
                    .map(c ->
                            c.getPath() + ": " + value(c, c.getBefore(), about) + " → " + value(c, c.getAfter(), about))
                    .collect(Collectors.joining("; "));
        }
        if (d.getException() != null
                && (d.getKind() == DriftKind.EXCEPTION_GRANTED
                        || d.getKind() == DriftKind.EXCEPTION_REVOKED
                        || d.getKind() == DriftKind.EXCEPTION_EXPIRED)) {
            return d.getException().getCategory() + " " + d.getException().getExceptionId() + ", approved by "
                    + d.getException().getApprovedBy();
        }
        return d.getReasons().isEmpty() ? "" : d.getReasons().get(0).getCode();
    }

    private static String value(FieldChange c, String v, About about) {
        return v == null ? "(none)" : redact(c.getPath(), v, about);
    }

    /** A value at a path naming e-mails, as the redaction setting says. */
    static String redact(String path, String value, About about) {
        if (value == null) {
            return "(absent)";
        }
        if (!path.toLowerCase(Locale.ROOT).contains("email") || value.isBlank()) {
            return value;
        }
        return switch (about.redaction()) {
            case NONE -> value;
            case HASH -> "sha256:" + Sha256.hex(value.toLowerCase(Locale.ROOT)).substring(0, 16) + "…";
            case DROP -> "(redacted)";
        };
    }

    private void stackedBar(Map<State, Integer> totals, int width, int height) throws IOException {
        int all =
                Math.max(1, totals.values().stream().mapToInt(Integer::intValue).sum());
        w("<svg id=\"chart-totals\" width=\"100%\" viewBox=\"0 0 " + width + " " + height
                + "\" role=\"img\" aria-label=\"subscriptions by state\">");
        double x = 0;
        for (State s : State.values()) {
            double part = width * totals.get(s) / (double) all;
            if (part > 0) {
                w(String.format(
                        Locale.ROOT,
                        "<rect x=\"%.2f\" y=\"0\" width=\"%.2f\" height=\"%d\" fill=\"%s\"><title>%s: %d</title></rect>",
                        x,
                        part,
                        height,
                        COLORS.get(s),
                        label(s),
                        totals.get(s)));
            }
            x += part;
        }
        w("</svg>");
    }

    static String label(State s) {
        return switch (s) {
            case PASS -> "PASS";
            case FAIL -> "FAIL";
            case SUPPRESSED -> "FAIL suppressed";
            case ERROR -> "ERROR";
            case STALE -> "STALE";
        };
    }

    static String duration(Duration d) {
        if (d.toDays() >= 2) {
            return String.format(Locale.ROOT, "%.1f days", d.toMinutes() / 1440.0);
        }
        if (d.toHours() >= 1) {
            return String.format(Locale.ROOT, "%.1f h", d.toMinutes() / 60.0);
        }
        return d.toMinutes() + " min";
    }

    private static String day(Instant at) {
        return at.toString().substring(0, 10);
    }

    static String esc(String text) {
        return Html.escape(text);
    }

    private void w(String text) throws IOException {
        out.write(text);
    }
}

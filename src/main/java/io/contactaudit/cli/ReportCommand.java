package io.contactaudit.cli;

import io.contactaudit.ProductVersion;
import io.contactaudit.app.ExitCodes;
import io.contactaudit.app.KafkaSetup;
import io.contactaudit.config.ContactAuditConfig;
import io.contactaudit.replay.HistoryReader;
import io.contactaudit.replay.Skipped;
import io.contactaudit.report.HtmlReport;
import io.contactaudit.report.ReportModel;
import io.contactaudit.report.ReportReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code contact-audit report}: the auditor's evidence for a period, one self-contained HTML file. */
@Command(
        name = "report",
        mixinStandardHelpOptions = true,
        description = {
            "Writes the evidence that the control operated over a period as one self-contained HTML file (inline SVG",
            "charts, no script, nothing fetched; prints to PDF): the posture at its end, per tenant; the posture over",
            "time, day by day; coverage and gaps; every change, with the time to remediate; the exceptions; every",
            "subscription's reasons, evidence and changes; and what was read, with a SHA-256 of it."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:written",
            "2:usage error, or a period outside what the topics keep",
            "3:written, but undecodable records were skipped (listed on standard error)",
            "4:Kafka or the file failed"
        })
public final class ReportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @Option(
            names = "--from",
            required = true,
            converter = ReplayCommand.From.class,
            paramLabel = "T1",
            description = "Start: an instant, or a date (its start, UTC).")
    Instant from;

    @Option(
            names = "--to",
            converter = ReplayCommand.To.class,
            paramLabel = "T2",
            description = "End: an instant, or a date (its end, UTC); default now.")
    Instant to;

    @Option(names = "--output", required = true, paramLabel = "FILE.html", description = "Where to write the report.")
    Path output;

    @Option(names = "--subscription", paramLabel = "ID", description = "Only this subscription (repeatable).")
    List<String> subscriptions = new ArrayList<>();

    @Option(
            names = "--tenant",
            paramLabel = "ID|NAME",
            description = "Only this tenant, by id or display name (repeatable).")
    List<String> tenants = new ArrayList<>();

    @Option(
            names = "--lookback",
            defaultValue = "P7D",
            paramLabel = "DURATION",
            description = "History read before --from for the state at its start (default ${DEFAULT-VALUE}; at"
                    + " least findings.refresh, which re-emits every unchanged finding).")
    Duration lookback;

    @Override
    public Integer call() throws IOException {
        ContactAuditConfig config = kafka.load(new LinkedHashMap<>());
        Instant end = to == null ? Instant.now() : to;
        if (!from.isBefore(end)) {
            throw new ParameterException(spec.commandLine(), "--from " + from + " is not before --to " + end);
        }
        Set<String> subs = subscriptions.stream()
                .map(s -> s.trim().toLowerCase(Locale.ROOT))
                .collect(Collectors.toSet());
        Set<String> tenantSet = tenants.stream().map(String::trim).collect(Collectors.toSet());
        PrintWriter err = spec.commandLine().getErr();
        Skipped skipped = new Skipped();
        long started = System.nanoTime();
        ReportReader.Result result;
        try {
            result = new ReportReader(
                            new HistoryReader(config.kafkaClientProperties(), config.kafkaTimeout(), Clock.systemUTC()),
                            KafkaSetup.topics(config))
                    .read(from, end, lookback, subs, tenantSet, skipped, n -> {
                        if (System.console() != null) {
                            err.print("\rread " + n + " records\r");
                            err.flush();
                        }
                    });
        } catch (HistoryReader.OutsideRetentionException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        String filters = (subs.isEmpty() ? "" : ", subscriptions " + String.join(", ", subs))
                + (tenantSet.isEmpty() ? "" : ", tenants " + String.join(", ", tenantSet));
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (Writer file = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
            HtmlReport.write(
                    result,
                    new HtmlReport.About(ProductVersion.get(), Instant.now(), filters, config.redaction()),
                    file);
        }
        ReportModel m = result.model();
        PrintWriter out = spec.commandLine().getOut();
        out.printf(
                Locale.ROOT,
                "report %s: %s to %s, %d subscriptions at the end (%s), %d drift events, %d exceptions; sha256 %s (%.1f s)%n",
                output,
                from,
                end,
                m.present().size(),
                m.totals().entrySet().stream()
                        .map(e -> e.getValue() + " " + e.getKey())
                        .collect(Collectors.joining(", ")),
                m.driftTotal(),
                m.exceptions().size(),
                result.sha256(),
                (System.nanoTime() - started) / 1e9);
        out.flush();
        skipped.report().forEach(err::println);
        err.flush();
        return skipped.count() > 0 ? 3 : ExitCodes.OK;
    }
}

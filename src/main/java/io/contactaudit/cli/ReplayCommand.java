package io.contactaudit.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.contactaudit.ProductVersion;
import io.contactaudit.app.ExitCodes;
import io.contactaudit.app.KafkaSetup;
import io.contactaudit.config.ContactAuditConfig;
import io.contactaudit.replay.AuditExport;
import io.contactaudit.replay.AuditExport.Column;
import io.contactaudit.replay.AvroJson;
import io.contactaudit.replay.HistoryReader;
import io.contactaudit.replay.Replays;
import io.contactaudit.replay.Skipped;
import io.contactaudit.replay.Times;
import io.contactaudit.rule.Profile;
import io.contactaudit.rule.SecurityContactsNormalizer;
import io.contactaudit.schema.CollectionStatus;
import io.contactaudit.schema.ComplianceFinding;
import io.contactaudit.schema.DriftEvent;
import io.contactaudit.schema.DriftKind;
import io.contactaudit.schema.FieldChange;
import io.contactaudit.schema.Reason;
import io.contactaudit.schema.SecurityContactSnapshot;
import io.contactaudit.schema.Verdict;
import io.contactaudit.siem.OcsfComplianceFinding;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code contact-audit replay}: reads history from the topics by time, bounded, read_committed, without
 * committing offsets of any consumer group.
 */
@Command(
        name = "replay",
        mixinStandardHelpOptions = true,
        description = {
            "Reads history by time for audits: what happened in a range, the posture at an instant,",
            "what today's rule says of past snapshots. Never writes to the topics, never commits offsets."
        },
        subcommands = {
            ReplayCommand.Findings.class,
            ReplayCommand.Drift.class,
            ReplayCommand.Snapshots.class,
            ReplayCommand.Posture.class,
            ReplayCommand.Reevaluate.class
        })
public final class ReplayCommand {

    /** Parses a time option, turning a parse failure into a usage error. */
    abstract static class TimeConverter implements ITypeConverter<Instant> {
        abstract Instant parse(String value);

        @Override
        public Instant convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** A start time: an instant, or a date (start of the day, UTC). */
    static final class From extends TimeConverter {
        @Override
        Instant parse(String value) {
            return Times.start(value);
        }
    }

    /** An end time: an instant, or a date (end of the day, UTC). */
    static final class To extends TimeConverter {
        @Override
        Instant parse(String value) {
            return Times.end(value);
        }
    }

    /** An as-of time: an instant, or a date (the end of that day, UTC). */
    static final class AsOf extends TimeConverter {
        @Override
        Instant parse(String value) {
            return Times.asOf(value);
        }
    }

    /** Output and filter options shared by the replay commands. */
    static final class Output {
        @Option(
                names = "--format",
                defaultValue = "table",
                paramLabel = "table|jsonl|csv|ocsf",
                description = "Output format (default ${DEFAULT-VALUE}; ocsf for findings only).")
        String format;

        @Option(names = "--output", paramLabel = "FILE", description = "Write to FILE instead of standard output.")
        Path output;

        @Option(names = "--subscription", paramLabel = "ID", description = "Only this subscription (repeatable).")
        List<String> subscriptions = new ArrayList<>();

        @Option(
                names = "--tenant",
                paramLabel = "ID|NAME",
                description = "Only subscriptions of this tenant, by id or display name (repeatable).")
        List<String> tenants = new ArrayList<>();

        /** The filter of these options, with {@code verdict} and {@code kind} (null: any). */
        Replays.Filter filter(Verdict verdict, DriftKind kind) {
            return new Replays.Filter(subscriptionSet(), verdict, kind, Set.copyOf(tenants));
        }

        AuditExport.Format parsedFormat(CommandSpec spec) {
            try {
                return AuditExport.Format.parse(format);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
        }

        Set<String> subscriptionSet() {
            return subscriptions.stream()
                    .map(s -> s.trim().toLowerCase(Locale.ROOT))
                    .collect(Collectors.toSet());
        }
    }

    /** Everything a replay needs: the configuration, the reader, where to write. */
    abstract static class Base {
        @ParentCommand
        ReplayCommand parent;

        @Spec
        CommandSpec spec;

        @Mixin
        KafkaOptions kafka;

        @Mixin
        Output output;

        Replays replays() {
            ContactAuditConfig config = config();
            return new Replays(
                    new HistoryReader(config.kafkaClientProperties(), config.kafkaTimeout(), Clock.systemUTC()),
                    KafkaSetup.topics(config));
        }

        ContactAuditConfig config() {
            return kafka.load(new LinkedHashMap<>());
        }

        /** Progress on a terminal for long reads. */
        LongConsumer progress() {
            if (System.console() == null) {
                return n -> {};
            }
            PrintWriter err = spec.commandLine().getErr();
            return n -> {
                if (n % 5000 == 0) {
                    err.print("\rread " + n + " records\r");
                    err.flush();
                }
            };
        }

        /** Undecodable records passed over by this command's reads. */
        final Skipped skipped = new Skipped();

        /**
         * Writes the rows as they stream in, then {@code notes} and the report of skipped records on standard error.
         *
         * @param footer the totals, asked for once every row is written
         * @return 0, or 3 when records were skipped
         */
        <T> int emit(
                Stream<T> rows,
                List<Column<T>> columns,
                Function<T, JsonNode> json,
                Function<T, String> ocsf,
                Supplier<String> footer,
                Supplier<List<String>> notes)
                throws IOException {
            AuditExport.Format format = output.parsedFormat(spec);
            if (format == AuditExport.Format.OCSF && ocsf == null) {
                throw new picocli.CommandLine.ParameterException(
                        spec.commandLine(), "--format ocsf is for findings only");
            }
            PrintWriter err = spec.commandLine().getErr();
            try (rows) {
                if (output.output == null) {
                    PrintWriter out = spec.commandLine().getOut();
                    AuditExport.write(rows.iterator(), columns, format, json, ocsf, out);
                    String text = footer == null ? null : footer.get();
                    if (text != null && format == AuditExport.Format.TABLE) {
                        out.println(text);
                        out.flush();
                    }
                } else {
                    long written;
                    try (PrintWriter file =
                            new PrintWriter(Files.newBufferedWriter(output.output, StandardCharsets.UTF_8))) {
                        written = AuditExport.write(rows.iterator(), columns, format, json, ocsf, file);
                    }
                    String text = footer == null ? null : footer.get();
                    err.println(
                            "wrote " + written + " records to " + output.output + (text == null ? "" : "; " + text));
                }
            }
            notes.get().forEach(line -> err.println("contact-audit: " + line));
            skipped.report().forEach(line -> err.println("contact-audit: " + line));
            err.flush();
            return skipped.count() == 0 ? ExitCodes.OK : ExitCodes.ERROR;
        }

        <T> int emit(Stream<T> rows, List<Column<T>> columns, Function<T, JsonNode> json, Supplier<String> footer)
                throws IOException {
            return emit(rows, columns, json, null, footer, List::of);
        }
    }

    /** Counts rows by verdict as they stream past. */
    static final class Totals {
        private final Map<Verdict, Long> counts = new EnumMap<>(Verdict.class);
        private long rows;

        <T> Stream<T> count(Stream<T> stream, Function<T, Verdict> verdict) {
            return stream.peek(row -> {
                rows++;
                Verdict v = verdict.apply(row);
                if (v != null) {
                    counts.merge(v, 1L, Long::sum);
                }
            });
        }

        long rows() {
            return rows;
        }

        String text(String what) {
            return rows + " " + what + ": " + counts.getOrDefault(Verdict.PASS, 0L) + " PASS, "
                    + counts.getOrDefault(Verdict.FAIL, 0L) + " FAIL, " + counts.getOrDefault(Verdict.ERROR, 0L)
                    + " ERROR";
        }
    }

    /** The range options of {@code replay findings|drift|snapshots}. */
    abstract static class Range extends Base implements Callable<Integer> {
        @Option(
                names = "--from",
                required = true,
                converter = From.class,
                paramLabel = "T1",
                description = "Start: ISO-8601 instant or date (start of day, UTC).")
        Instant from;

        @Option(
                names = "--to",
                converter = To.class,
                paramLabel = "T2",
                description = "End (exclusive): ISO-8601 instant or date (the whole day included). Default: now.")
        Instant to;

        Instant end() {
            return to == null ? Instant.now() : to;
        }
    }

    /** {@code replay findings}. */
    @Command(name = "findings", mixinStandardHelpOptions = true, description = "Findings of a time range.")
    static final class Findings extends Range {
        @Option(names = "--verdict", paramLabel = "PASS|FAIL|ERROR", description = "Only findings of this verdict.")
        Verdict verdict;

        @Override
        public Integer call() throws IOException {
            Replays.Filter filter = output.filter(verdict, null);
            Totals totals = new Totals();
            if (output.parsedFormat(spec) != AuditExport.Format.OCSF) {
                return emit(
                        totals.count(
                                replays().findings(from, end(), filter, skipped, progress()),
                                ComplianceFinding::getVerdict),
                        FINDING_COLUMNS,
                        AvroJson::of,
                        () -> totals.text("findings"));
            }
            Replays replays = replays();
            OcsfComplianceFinding ocsf = new OcsfComplianceFinding(
                    ProductVersion.get(),
                    OcsfComplianceFinding.Redaction.NONE,
                    replays.topics().findingsOcsf().name());
            long[] mapped = {0};
            Stream<Replays.OcsfFinding> rows = replays.findingsOcsf(
                    from,
                    end(),
                    filter,
                    f -> new String(ocsf.encode(f, List.of(), List.of()), StandardCharsets.UTF_8),
                    skipped,
                    progress());
            return emit(
                    totals.count(
                            rows.peek(r -> mapped[0] += r.live() ? 0 : 1),
                            r -> r.finding().getVerdict()),
                    List.of(),
                    null,
                    Replays.OcsfFinding::event,
                    () -> totals.text("findings"),
                    () -> mapped[0] == 0
                            ? List.of()
                            : List.of(mapped[0] + " of " + totals.rows() + " findings had no event on "
                                    + replays.topics().findingsOcsf().name()
                                    + " (retention, or written without one): mapped from the finding alone, "
                                    + "without resources, recipients and drift kinds"));
        }
    }

    /** {@code replay drift}. */
    @Command(name = "drift", mixinStandardHelpOptions = true, description = "Drift events of a time range.")
    static final class Drift extends Range {
        @Option(names = "--kind", paramLabel = "KIND", description = "Only drift of this kind (REGRESSED, STALE, ...).")
        DriftKind kind;

        @Option(names = "--verdict", paramLabel = "PASS|FAIL|ERROR", description = "Only drift to this verdict.")
        Verdict verdict;

        @Override
        public Integer call() throws IOException {
            long[] count = {0};
            Stream<DriftEvent> rows = replays().drift(from, end(), output.filter(verdict, kind), skipped, progress());
            return emit(rows.peek(d -> count[0]++), DRIFT_COLUMNS, AvroJson::of, () -> count[0] + " drift events");
        }
    }

    /** {@code replay snapshots}. */
    @Command(name = "snapshots", mixinStandardHelpOptions = true, description = "Snapshots of a time range.")
    static final class Snapshots extends Range {
        @Override
        public Integer call() throws IOException {
            long[] count = {0};
            Stream<SecurityContactSnapshot> rows =
                    replays().snapshots(from, end(), output.filter(null, null), skipped, progress());
            return emit(rows.peek(s -> count[0]++), SNAPSHOT_COLUMNS, AvroJson::of, () -> count[0] + " snapshots");
        }
    }

    /** {@code replay posture --as-of T}. */
    @Command(
            name = "posture",
            mixinStandardHelpOptions = true,
            description = "The verdict of every subscription at an instant, reconstructed from the history.")
    static final class Posture extends Base implements Callable<Integer> {
        @Option(
                names = "--as-of",
                required = true,
                converter = AsOf.class,
                paramLabel = "T",
                description = "Instant, or date (the end of that day, UTC).")
        Instant asOf;

        @Override
        public Integer call() throws IOException {
            List<Replays.PostureRow> rows = replays().postureAsOf(asOf, output.filter(null, null), skipped, progress());
            long stale = rows.stream().filter(Replays.PostureRow::stale).count();
            long suppressed =
                    rows.stream().filter(Replays.PostureRow::suppressed).count();
            Totals totals = new Totals();
            return emit(
                    totals.count(rows.stream(), Replays.PostureRow::verdict),
                    POSTURE_COLUMNS,
                    AuditExport.columnsAsJson(POSTURE_COLUMNS),
                    () -> "as of " + asOf + ": " + totals.text("subscriptions") + ", " + stale + " STALE, " + suppressed
                            + " of the FAILs suppressed under an exception" + Replays.tenantTotals(rows));
        }
    }

    /** {@code replay reevaluate}. */
    @Command(
            name = "reevaluate",
            mixinStandardHelpOptions = true,
            description =
                    "Today's rule over historical snapshots; lists the snapshots whose verdict differs from the one recorded. Writes nothing.")
    static final class Reevaluate extends Base implements Callable<Integer> {
        @Option(names = "--from", required = true, converter = From.class, paramLabel = "T1", description = "Start.")
        Instant from;

        @Option(names = "--to", converter = To.class, paramLabel = "T2", description = "End (exclusive). Default: now.")
        Instant to;

        @Option(
                names = "--profile",
                defaultValue = "default",
                converter = CheckCommand.ProfileConverter.class,
                paramLabel = "default|strict",
                description = "Profile of today's rule (default ${DEFAULT-VALUE}).")
        Profile profile;

        @Override
        public Integer call() throws IOException {
            long[] count = {0};
            ContactAuditConfig config = config();
            // with findings.emit=changes an unchanged snapshot has no finding of its own: the one in force is at most a
            // refresh interval and a collection interval older
            Duration lookback = config.findingsEveryEvaluation()
                    ? Duration.ZERO
                    : config.findingsRefresh().plus(config.collectionInterval());
            Stream<Replays.Reevaluation> rows = replays()
                    .reevaluate(
                            from,
                            to == null ? Instant.now() : to,
                            profile,
                            lookback,
                            output.filter(null, null),
                            skipped,
                            progress());
            return emit(
                    rows.peek(r -> count[0]++),
                    REEVALUATION_COLUMNS,
                    AuditExport.columnsAsJson(REEVALUATION_COLUMNS),
                    () -> count[0] + " snapshots whose verdict differs under today's rule (" + profile.id() + ")");
        }
    }

    private static String codes(List<Reason> reasons) {
        return reasons.stream().map(Reason::getCode).collect(Collectors.joining(" "));
    }

    private static String text(Object value) {
        return value == null ? "" : value.toString();
    }

    static final List<Column<ComplianceFinding>> FINDING_COLUMNS = List.of(
            new Column<>("collectedAt", f -> text(f.getCollectedAt())),
            new Column<>("subscriptionId", ComplianceFinding::getSubscriptionId),
            new Column<>("verdict", f -> f.getVerdict().name()),
            new Column<>("activity", f -> f.getActivity().name()),
            new Column<>("profile", ComplianceFinding::getProfile),
            new Column<>("ruleVersion", ComplianceFinding::getRuleVersion),
            new Column<>("reasons", f -> codes(f.getReasons())),
            new Column<>("warnings", f -> codes(f.getWarnings())),
            new Column<>("findingId", ComplianceFinding::getFindingId),
            new Column<>("eventId", ComplianceFinding::getEventId));

    static final List<Column<DriftEvent>> DRIFT_COLUMNS = List.of(
            new Column<>("detectedAt", d -> text(d.getDetectedAt())),
            new Column<>("subscriptionId", DriftEvent::getSubscriptionId),
            new Column<>("kind", d -> d.getKind().name()),
            new Column<>("severity", d -> d.getSeverity().name()),
            new Column<>("previous", d -> text(d.getPreviousVerdict())),
            new Column<>("current", d -> text(d.getCurrentVerdict())),
            new Column<>(
                    "changes",
                    d -> d.getChanges().stream().map(ReplayCommand::change).collect(Collectors.joining("; "))),
            new Column<>("eventId", DriftEvent::getEventId));

    static final List<Column<SecurityContactSnapshot>> SNAPSHOT_COLUMNS = List.of(
            new Column<>("collectedAt", s -> text(s.getCollectedAt())),
            new Column<>("subscriptionId", SecurityContactSnapshot::getSubscriptionId),
            new Column<>("status", s -> s.getStatus().name()),
            new Column<>("httpStatus", s -> text(s.getHttpStatus())),
            new Column<>(
                    "contacts",
                    s -> String.valueOf(
                            !s.getContacts().isEmpty() || s.getStatus() != CollectionStatus.OK
                                    ? s.getContacts().size()
                                    : SecurityContactsNormalizer.parse(s.getRawBodies())
                                            .contacts()
                                            .size())),
            new Column<>("apiVersion", SecurityContactSnapshot::getApiVersion),
            new Column<>("runId", SecurityContactSnapshot::getRunId),
            new Column<>("error", s -> text(s.getErrorMessage())));

    static final List<Column<Replays.PostureRow>> POSTURE_COLUMNS = List.of(
            new Column<>("subscriptionId", Replays.PostureRow::subscriptionId),
            new Column<>("verdict", p -> p.verdict().name()),
            new Column<>("stale", p -> p.stale() ? "STALE" : ""),
            new Column<>("suppressedBy", p -> text(p.suppressedBy())),
            new Column<>("since", p -> text(p.since())),
            new Column<>("lastSeen", p -> text(p.lastSeen())),
            new Column<>("reasons", Replays.PostureRow::reasons),
            new Column<>("rule", p -> p.ruleVersion() + "/" + p.profile()),
            new Column<>("tenantId", p -> text(p.tenantId())),
            new Column<>("tenant", p -> text(p.tenantName())));

    static final List<Column<Replays.Reevaluation>> REEVALUATION_COLUMNS = List.of(
            new Column<>("collectedAt", r -> text(r.collectedAt())),
            new Column<>("subscriptionId", Replays.Reevaluation::subscriptionId),
            new Column<>("recorded", r -> text(r.recorded())),
            new Column<>("recordedRule", Replays.Reevaluation::recordedRule),
            new Column<>("today", r -> r.today().name()),
            new Column<>("todayRule", Replays.Reevaluation::todayRule),
            new Column<>("reasons", Replays.Reevaluation::reasons));

    private static String change(FieldChange c) {
        return c.getPath() + ": " + (c.getBefore() == null ? "(none)" : c.getBefore()) + " -> "
                + (c.getAfter() == null ? "(none)" : c.getAfter());
    }
}

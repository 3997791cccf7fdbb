package io.contactaudit.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.contactaudit.app.ExitCodes;
import io.contactaudit.app.KafkaSetup;
import io.contactaudit.collector.KnownSubscriptions;
import io.contactaudit.config.ConfigException;
import io.contactaudit.config.ContactAuditConfig;
import io.contactaudit.exceptions.ExceptionRequest;
import io.contactaudit.exceptions.ExceptionTopic;
import io.contactaudit.exceptions.Exceptions;
import io.contactaudit.kafka.Topics;
import io.contactaudit.replay.AuditExport;
import io.contactaudit.replay.AvroJson;
import io.contactaudit.replay.Times;
import io.contactaudit.schema.ComplianceException;
import io.contactaudit.schema.ExceptionCategory;
import io.contactaudit.schema.PostureState;
import io.contactaudit.schema.Reason;
import io.contactaudit.schema.Verdict;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code contact-audit exceptions}: grant, revoke and list the approved exceptions on
 * {@code <prefix>.exceptions.v1}, with the same Kafka settings as the other commands.
 */
@Command(
        name = "exceptions",
        mixinStandardHelpOptions = true,
        description = {
            "Approved exceptions to the rule: a FAIL an active exception covers stays FAIL and is marked suppressed,",
            "with the exception, on findings, postures, drift and OCSF (status Suppressed) until it expires or is revoked."
        },
        subcommands = {ExceptionsCommand.Add.class, ExceptionsCommand.Revoke.class, ExceptionsCommand.ListCommand.class
        })
public final class ExceptionsCommand {

    /** Every exception on the topic, key → latest record. */
    static Map<String, ComplianceException> read(ContactAuditConfig config, Topics topics) {
        return ExceptionTopic.read(config.kafkaClientProperties(), topics.exceptions(), config.kafkaTimeout());
    }

    static ContactAuditConfig requireKafka(ContactAuditConfig config, CommandSpec spec) {
        if (config.get(ContactAuditConfig.BOOTSTRAP_SERVERS_CONFIG) == null) {
            throw new ParameterException(
                    spec.commandLine(),
                    "exceptions live on the exceptions topic: give --bootstrap-servers (or CONTACT_AUDIT_BOOTSTRAP_SERVERS)");
        }
        return config;
    }

    static void write(ContactAuditConfig config, Topics topics, ComplianceException record) {
        ExceptionTopic.write(config.kafkaClientProperties(), topics.exceptions(), record);
    }

    /** Who runs the command: the operating-system user and host. */
    static String operator() {
        return System.getProperty("user.name") + "@" + System.getenv().getOrDefault("HOSTNAME", "unknown-host");
    }

    /** {@code exceptions add}. */
    @Command(
            name = "add",
            mixinStandardHelpOptions = true,
            description = {
                "Grants an exception for one subscription, after checking it: a justification, a requester who is not",
                "the approver, an expiry in the future and within exceptions.max.duration of approval, a compensating",
                "control for MITIGATED, a subscription the pipeline knows (unless --force). It covers the reasons given",
                "with --reasons, or by default the subscription's current failure reasons."
            },
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:granted", "2:the request is invalid (every problem is listed)", "4:Kafka failed"})
    static final class Add implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        KafkaOptions kafka;

        @Option(names = "--subscription", required = true, paramLabel = "ID", description = "The subscription.")
        String subscription;

        @Option(
                names = "--category",
                required = true,
                paramLabel = "WAIVER|MITIGATED",
                description = "WAIVER: the risk is accepted; MITIGATED: the control is met another way.")
        String category;

        @Option(names = "--justification", required = true, paramLabel = "TEXT", description = "Why.")
        String justification;

        @Option(names = "--requested-by", required = true, paramLabel = "WHO", description = "Who asks for it.")
        String requestedBy;

        @Option(
                names = "--approved-by",
                required = true,
                paramLabel = "WHO",
                description = "Who approved it (not the requester).")
        String approvedBy;

        @Option(
                names = "--approved-at",
                paramLabel = "TIME",
                description = "When it was approved (ISO-8601 instant or date; default: now).")
        String approvedAt;

        @Option(
                names = "--expires",
                paramLabel = "DATE|TIME|DURATION",
                description = "When it ends: a date (valid through that day, UTC), an instant, or a duration from"
                        + " approval (P90D). Required.")
        String expires;

        @Option(names = "--ticket", paramLabel = "REF", description = "Change or risk ticket reference.")
        String ticket;

        @Option(
                names = "--compensating-control",
                paramLabel = "TEXT",
                description = "The control that meets the requirement instead (required for MITIGATED).")
        String compensatingControl;

        @Option(
                names = "--reasons",
                split = ",",
                paramLabel = "CODE[,CODE...]",
                description = "Failure reason codes covered (default: the subscription's current ones).")
        List<String> reasons = new ArrayList<>();

        @Option(
                names = "--force",
                description = "Grant it for a subscription the pipeline has no posture of (yet), with --reasons.")
        boolean force;

        @Override
        public Integer call() {
            ContactAuditConfig config = kafka.load();
            Instant now = Instant.now();
            Instant approved = approvedAt == null ? now : time(approvedAt, "--approved-at", false);
            ExceptionRequest request = new ExceptionRequest(
                    subscription == null ? null : subscription.trim().toLowerCase(Locale.ROOT),
                    category(),
                    reasons.isEmpty()
                            ? null // the subscription's current failure reasons, once its posture is read
                            : reasons.stream()
                                    .map(r -> r.trim().toUpperCase(Locale.ROOT))
                                    .toList(),
                    justification,
                    compensatingControl,
                    ticket,
                    requestedBy,
                    approvedBy,
                    approved,
                    expiry(approved));
            Duration maximum = config.exceptionsMaxDuration();
            // everything that can be checked without Kafka first; the reasons once they are known
            refuse(request.validate(now, maximum));
            requireKafka(config, spec);
            Topics topics = KafkaSetup.topics(config);
            KafkaSetup.prepare(config, topics);
            PostureState posture = KnownSubscriptions.postures(
                            config.kafkaClientProperties(), topics.posture(), config.kafkaTimeout())
                    .get(request.subscriptionId());
            if (posture == null && !force) {
                refuse(List.of("subscription " + request.subscriptionId() + " is unknown to the pipeline (no posture);"
                        + " check the id, or grant it ahead of its first snapshot with --force and --reasons"));
            }
            if (request.reasonCodes() == null) {
                if (posture == null || posture.getVerdict() != Verdict.FAIL) {
                    refuse(List.of("subscription " + request.subscriptionId() + " is "
                            + (posture == null
                                    ? "unknown"
                                    : posture.getVerdict().name())
                            + ", not failing: name the reason codes the exception covers with --reasons"));
                }
                request = new ExceptionRequest(
                        request.subscriptionId(),
                        request.category(),
                        posture.getReasons().stream()
                                .map(Reason::getCode)
                                .distinct()
                                .toList(),
                        request.justification(),
                        request.compensatingControl(),
                        request.ticket(),
                        request.requestedBy(),
                        request.approvedBy(),
                        request.approvedAt(),
                        request.expiresAt());
                refuse(request.validate(now, maximum));
            }
            ComplianceException record = request.toRecord(UUID.randomUUID().toString(), now, operator(), "cli");
            write(config, topics, record);
            PrintWriter out = spec.commandLine().getOut();
            out.println("exception " + record.getExceptionId() + " granted: " + record.getCategory() + " for "
                    + record.getSubscriptionId() + ", covers " + String.join(", ", record.getReasonCodes())
                    + ", approved by " + record.getApprovedBy() + ", expires " + record.getExpiresAt());
            if (posture != null && posture.getVerdict() != Verdict.FAIL) {
                out.println("note: the subscription is " + posture.getVerdict()
                        + " now; the exception suppresses a FAIL only");
            }
            out.flush();
            return ExitCodes.OK;
        }

        private ExceptionCategory category() {
            try {
                return ExceptionCategory.valueOf(category.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(
                        spec.commandLine(), "--category must be WAIVER or MITIGATED, got '" + category + "'");
            }
        }

        private Instant expiry(Instant approved) {
            if (expires == null) {
                return null;
            }
            if (expires.trim().toUpperCase(Locale.ROOT).startsWith("P")) {
                try {
                    return approved.plus(Duration.parse(expires.trim()));
                } catch (DateTimeParseException e) {
                    throw new ParameterException(
                            spec.commandLine(), "--expires '" + expires + "' is not an ISO-8601 duration (P90D)");
                }
            }
            return time(expires, "--expires", true);
        }

        private Instant time(String text, String option, boolean endOfDay) {
            try {
                return endOfDay ? Times.end(text) : Times.start(text);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), option + ": " + e.getMessage());
            }
        }

        private void refuse(List<String> problems) {
            if (!problems.isEmpty()) {
                throw new ConfigException("the exception cannot be granted:\n  - " + String.join("\n  - ", problems));
            }
        }
    }

    /** {@code exceptions revoke}. */
    @Command(
            name = "revoke",
            mixinStandardHelpOptions = true,
            description = {
                "Revokes an exception: writes it again with who revoked it, when and why (nothing is deleted). The",
                "FAIL it suppressed is open again within seconds (EXCEPTION_REVOKED)."
            },
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:revoked", "2:no such exception, or not active", "4:Kafka failed"})
    static final class Revoke implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        KafkaOptions kafka;

        @Option(names = "--id", required = true, paramLabel = "ID", description = "The exception's id.")
        String id;

        @Option(names = "--by", required = true, paramLabel = "WHO", description = "Who revokes it.")
        String by;

        @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why.")
        String reason;

        @Override
        public Integer call() {
            ContactAuditConfig config = requireKafka(kafka.load(), spec);
            if (by.isBlank() || reason.isBlank()) {
                throw new ConfigException("a revocation needs who (--by) and why (--reason)");
            }
            Topics topics = KafkaSetup.topics(config);
            KafkaSetup.prepare(config, topics);
            ComplianceException found = read(config, topics).values().stream()
                    .filter(e -> e.getExceptionId().equals(id.trim()))
                    .findFirst()
                    .orElseThrow(() -> new ConfigException(
                            "no exception " + id + " on " + topics.exceptions().name()));
            Instant now = Instant.now();
            Exceptions.State state = Exceptions.state(found, now);
            if (state != Exceptions.State.ACTIVE) {
                throw new ConfigException("exception " + id + " is " + state + " already: nothing to revoke");
            }
            ComplianceException revoked = ComplianceException.newBuilder(found)
                    .setRevokedAt(now)
                    .setRevokedBy(by.trim())
                    .setRevocationReason(reason.trim())
                    .build();
            write(config, topics, revoked);
            PrintWriter out = spec.commandLine().getOut();
            out.println("exception " + id + " revoked by " + by.trim() + " for " + revoked.getSubscriptionId());
            out.flush();
            return ExitCodes.OK;
        }
    }

    /** {@code exceptions list}. */
    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = {
                "Lists the exceptions (all, or --active, --expired, --expiring P30D), with their state and, when the",
                "subscription passes now, a note that the exception can be closed early."
            })
    static final class ListCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        KafkaOptions kafka;

        @Option(
                names = "--format",
                defaultValue = "table",
                paramLabel = "table|jsonl|csv",
                description = "Output format (default ${DEFAULT-VALUE}).")
        String format;

        @Option(names = "--subscription", paramLabel = "ID", description = "Only this subscription.")
        String subscription;

        @ArgGroup(exclusive = true)
        Filter filter = new Filter();

        static final class Filter {
            @Option(names = "--active", description = "Only those in force now.")
            boolean active;

            @Option(names = "--expired", description = "Only those that expired (not revoked).")
            boolean expired;

            @Option(names = "--revoked", description = "Only those revoked.")
            boolean revoked;

            @Option(
                    names = "--expiring",
                    paramLabel = "DURATION",
                    description = "Only those in force now that end within DURATION (P30D).")
            Duration expiring;
        }

        /** One exception with what is known now. */
        record Row(ComplianceException exception, Exceptions.State state, String note) {}

        @Override
        public Integer call() {
            ContactAuditConfig config = requireKafka(kafka.load(), spec);
            AuditExport.Format parsed;
            try {
                parsed = AuditExport.Format.parse(format);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            if (parsed == AuditExport.Format.OCSF) {
                throw new ParameterException(spec.commandLine(), "--format ocsf is for findings only");
            }
            Topics topics = KafkaSetup.topics(config);
            Instant now = Instant.now();
            Map<String, PostureState> postures = KnownSubscriptions.postures(
                    config.kafkaClientProperties(), topics.posture(), config.kafkaTimeout());
            Predicate<ComplianceException> wanted =
                    e -> subscription == null || subscription.trim().equalsIgnoreCase(e.getSubscriptionId());
            List<Row> rows = read(config, topics).values().stream()
                    .filter(wanted)
                    .map(e -> {
                        Exceptions.State state = Exceptions.state(e, now);
                        return new Row(e, state, note(e, state, postures.get(e.getSubscriptionId()), now));
                    })
                    .filter(this::selected)
                    .sorted(Comparator.comparing((Row r) -> r.exception().getExpiresAt()))
                    .toList();
            List<AuditExport.Column<Row>> columns = List.of(
                    new AuditExport.Column<>("id", r -> r.exception().getExceptionId()),
                    new AuditExport.Column<>("subscription", r -> r.exception().getSubscriptionId()),
                    new AuditExport.Column<>(
                            "category", r -> r.exception().getCategory().name()),
                    new AuditExport.Column<>("state", r -> r.state().name()),
                    new AuditExport.Column<>(
                            "expires", r -> r.exception().getExpiresAt().toString()),
                    new AuditExport.Column<>(
                            "reasons", r -> String.join(" ", r.exception().getReasonCodes())),
                    new AuditExport.Column<>("requested_by", r -> r.exception().getRequestedBy()),
                    new AuditExport.Column<>("approved_by", r -> r.exception().getApprovedBy()),
                    new AuditExport.Column<>("ticket", r -> r.exception().getTicket()),
                    new AuditExport.Column<>("note", Row::note));
            PrintWriter out = spec.commandLine().getOut();
            AuditExport.write(
                    rows.iterator(),
                    columns,
                    parsed,
                    r -> {
                        ObjectNode node = AvroJson.of(r.exception());
                        node.put("state", r.state().name());
                        if (r.note() != null) {
                            node.put("note", r.note());
                        }
                        return node;
                    },
                    null,
                    out);
            if (parsed == AuditExport.Format.TABLE) {
                Map<Exceptions.State, Long> counts = new LinkedHashMap<>();
                rows.forEach(r -> counts.merge(r.state(), 1L, Long::sum));
                out.println(rows.size() + " exception(s)" + (counts.isEmpty() ? "" : ": " + counts));
            }
            out.flush();
            return ExitCodes.OK;
        }

        private boolean selected(Row row) {
            if (filter.active) {
                return row.state() == Exceptions.State.ACTIVE;
            }
            if (filter.expired) {
                return row.state() == Exceptions.State.EXPIRED;
            }
            if (filter.revoked) {
                return row.state() == Exceptions.State.REVOKED;
            }
            if (filter.expiring != null) {
                return row.state() == Exceptions.State.ACTIVE
                        && row.exception().getExpiresAt().isBefore(Instant.now().plus(filter.expiring));
            }
            return true;
        }

        private static String note(ComplianceException e, Exceptions.State state, PostureState posture, Instant now) {
            if (state != Exceptions.State.ACTIVE) {
                return e.getRevokedAt() != null
                        ? "revoked " + e.getRevokedAt() + " by " + e.getRevokedBy() + ": " + e.getRevocationReason()
                        : null;
            }
            if (posture == null) {
                return "the pipeline has no posture of this subscription";
            }
            if (posture.getVerdict() == Verdict.PASS) {
                return "the subscription passes: the exception can be closed early (exceptions revoke)";
            }
            if (posture.getVerdict() == Verdict.FAIL && !posture.getSuppressed()) {
                return "not suppressing: the subscription fails for a reason it does not cover";
            }
            if (Duration.between(now, e.getExpiresAt()).compareTo(Duration.ofDays(30)) < 0) {
                return "expires within 30 days";
            }
            return null;
        }
    }
}

package io.contactaudit.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.contactaudit.Errors;
import io.contactaudit.app.CollectorApp;
import io.contactaudit.app.ExitCodes;
import io.contactaudit.app.KafkaSetup;
import io.contactaudit.collector.Collector;
import io.contactaudit.collector.KnownSubscriptions;
import io.contactaudit.collector.SnapshotPublisher;
import io.contactaudit.config.ConfigException;
import io.contactaudit.config.ContactAuditConfig;
import io.contactaudit.exceptions.ExceptionTopic;
import io.contactaudit.exceptions.Exceptions;
import io.contactaudit.kafka.Delivery;
import io.contactaudit.kafka.Topics;
import io.contactaudit.remediate.ContactFix;
import io.contactaudit.remediate.RemediationRecord;
import io.contactaudit.remediate.RemediationWatch;
import io.contactaudit.remediate.Remediator;
import io.contactaudit.replay.HistoryReader;
import io.contactaudit.replay.Skipped;
import io.contactaudit.rule.HighSeverityAlertEmailRule;
import io.contactaudit.rule.Profile;
import io.contactaudit.schema.ComplianceException;
import io.contactaudit.schema.Verdict;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code contact-audit remediate}: the plan to make failing subscriptions pass, and with {@code --apply}, the fix. */
@Command(
        name = "remediate",
        mixinStandardHelpOptions = true,
        description = {
            "Plans, for each named (or each failing) subscription, the smallest change to its security contact that",
            "makes it send e-mails about High-severity alerts: PUT .../securityContacts/default in the generation the",
            "contact uses, keeping its e-mails, roles, phone and other sources. Prints the plan; --apply writes it",
            "(remediation.azure.credential, with Microsoft.Security/securityContacts/write), reads the contact again",
            "and, with Kafka configured, publishes that snapshot, so the REMEDIATED drift event names the remediation."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:nothing to fix, or every fix written and verified",
            "1:a plan would change something (dry run), or a subscription cannot be fixed",
            "2:usage or configuration error",
            "4:a write failed or could not be verified"
        })
public final class RemediateCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    private CommandSpec spec;

    @Mixin
    private KafkaOptions kafka;

    @Mixin
    private CollectorOptions collector;

    @Option(
            names = "--all-failing",
            description =
                    "Every subscription whose current posture is FAIL (read from the posture topic; needs Kafka).")
    private boolean allFailing;

    @Option(names = "--apply", description = "Write the plan (default: print it only).")
    private boolean apply;

    @Option(names = "--json", description = "One JSON object per subscription instead of a table.")
    private boolean json;

    @Option(
            names = "--severity",
            paramLabel = "High|Medium|Low",
            defaultValue = "High",
            description = "Minimal severity set where the contact's does not cover High (default ${DEFAULT-VALUE}).")
    private String severity;

    @Option(
            names = "--recipients",
            paramLabel = "EMAIL[,EMAIL...]",
            split = ",",
            description = "E-mail addresses added to a contact that has none (never to one that has some).")
    private List<String> recipients = new ArrayList<>();

    @Option(names = "--profile", paramLabel = "default|strict", description = "Rule profile (default: default).")
    private String profile;

    @Option(
            names = "--watch",
            description = "Fix each REGRESSED subscription of the allow-list (--subscriptions, --include) as its drift"
                    + " event arrives, until stopped; needs Kafka. Implies --apply.")
    private boolean watch;

    @Option(
            names = "--max-attempts",
            paramLabel = "N",
            defaultValue = "3",
            description = "--watch: attempts per subscription within --window (default ${DEFAULT-VALUE}).")
    private int maxAttempts;

    @Option(
            names = "--window",
            paramLabel = "DURATION",
            defaultValue = "PT1H",
            description = "--watch: the window of --max-attempts (default ${DEFAULT-VALUE}).")
    private Duration window;

    @Option(
            names = "--contested-within",
            paramLabel = "DURATION",
            defaultValue = "PT24H",
            description = "--watch: a subscription that regresses again this soon after a verified fix is left alone"
                    + " for that long, recorded as CONTESTED (default ${DEFAULT-VALUE}).")
    private Duration contestedWithin;

    @Override
    public Integer call() throws Exception {
        Map<String, String> flags = collector.flags();
        flags.put(ContactAuditConfig.PROFILE_CONFIG, profile);
        ContactAuditConfig config = kafka.load(flags);
        Profile rule = config.profile();
        String minimal = severity(rule);
        PrintWriter out = spec.commandLine().getOut();
        List<String> targets = new ArrayList<>(config.subscriptions());
        boolean kafkaConfigured = config.get(ContactAuditConfig.BOOTSTRAP_SERVERS_CONFIG) != null;
        Topics topics = kafkaConfigured ? KafkaSetup.topics(config) : null;
        if (watch) {
            if (!kafkaConfigured) {
                throw new ParameterException(
                        spec.commandLine(), "--watch reads the drift topic: give --bootstrap-servers");
            }
            if (targets.isEmpty() && config.include() == null) {
                throw new ParameterException(
                        spec.commandLine(),
                        "--watch fixes only an allow-list: give --subscriptions or --include (a regex of subscription ids)");
            }
            return watch(config, topics, rule, minimal, targets, out);
        }
        if (allFailing) {
            if (!kafkaConfigured) {
                throw new ParameterException(
                        spec.commandLine(), "--all-failing reads the posture topic: give --bootstrap-servers");
            }
            KnownSubscriptions.postures(config.kafkaClientProperties(), topics.posture(), config.kafkaTimeout())
                    .forEach((sub, posture) -> {
                        if (posture.getVerdict() == Verdict.FAIL && !targets.contains(sub)) {
                            targets.add(sub);
                        }
                    });
        }
        if (targets.isEmpty()) {
            throw new ParameterException(
                    spec.commandLine(),
                    allFailing
                            ? "no subscription is failing"
                            : "name the subscriptions (--subscriptions) or --all-failing");
        }
        try (CollectorOptions.Azure azure = collector.azure(config, out);
                SnapshotPublisher publisher = apply && kafkaConfigured
                        ? SnapshotPublisher.create(config.kafkaClientProperties(), topics.snapshots())
                        : null;
                KafkaProducer<String, byte[]> audit = apply && kafkaConfigured ? auditProducer(config) : null) {
            Remediator remediator = remediator(config, azure, topics, rule, minimal, publisher);
            int code = ExitCodes.OK;
            if (!json) {
                out.println(apply ? "remediation (applied):" : "remediation plan (dry run; --apply writes it):");
            }
            for (String sub : targets) {
                Remediator.Outcome outcome = apply
                        ? remediator.apply(sub)
                        : new Remediator.Outcome(remediator.plan(sub), null, null, null, null, null);
                print(out, outcome);
                if (audit != null) {
                    record(
                            audit,
                            topics,
                            outcome.plan().subscriptionId(),
                            RemediationRecord.of(
                                    outcome,
                                    RemediationRecord.result(outcome),
                                    null,
                                    by(config),
                                    "apply",
                                    null,
                                    Instant.now()));
                }
                code = Math.max(code, exitCode(outcome));
            }
            out.flush();
            return code;
        }
    }

    private Remediator remediator(
            ContactAuditConfig config,
            CollectorOptions.Azure azure,
            Topics topics,
            Profile rule,
            String minimal,
            SnapshotPublisher publisher) {
        Collector reader = new Collector(azure.arm(), CollectorApp.settings(config), Clock.systemUTC());
        return new Remediator(
                reader,
                azure.fake() != null ? azure.arm() : CollectorApp.remediationArm(config, kafka.env()),
                rule,
                minimal,
                recipients,
                publisher,
                exceptions(config, topics, watch));
    }

    /**
     * The active exception of a subscription, from the exceptions topic (none without Kafka): read once for a run over
     * a list, again at each subscription for --watch, which runs for days.
     */
    private static Function<String, ComplianceException> exceptions(
            ContactAuditConfig config, Topics topics, boolean fresh) {
        if (topics == null) {
            return sub -> null;
        }
        Supplier<Collection<ComplianceException>> read =
                () -> ExceptionTopic.read(config.kafkaClientProperties(), topics.exceptions(), config.kafkaTimeout())
                        .values();
        Collection<ComplianceException> once = fresh ? null : read.get();
        return sub ->
                Exceptions.activeFor(fresh ? read.get() : once, sub, HighSeverityAlertEmailRule.ID, Instant.now());
    }

    /** {@code --watch}: until SIGTERM. */
    private int watch(
            ContactAuditConfig config,
            Topics topics,
            Profile rule,
            String minimal,
            List<String> allowList,
            PrintWriter out)
            throws Exception {
        KafkaSetup.prepare(config, topics);
        Pattern include = config.include();
        Predicate<String> allowed = sub -> allowList.stream().anyMatch(sub::equalsIgnoreCase)
                || (include != null && include.matcher(sub).find());
        Map<String, Object> props = new HashMap<>(config.kafkaClientProperties());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.topicPrefix() + "-remediate");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        // each record may take a read, a write and a read again: small batches keep the loop within
        // max.poll.interval.ms
        props.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10);
        try (CollectorOptions.Azure azure = collector.azure(config, out);
                SnapshotPublisher publisher =
                        SnapshotPublisher.create(config.kafkaClientProperties(), topics.snapshots());
                KafkaProducer<String, byte[]> audit = auditProducer(config)) {
            RemediationWatch watching = new RemediationWatch(
                    new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer()),
                    topics.drift(),
                    remediator(config, azure, topics, rule, minimal, publisher),
                    (sub, record) -> record(audit, topics, sub, record),
                    new RemediationWatch.Settings(allowed, maxAttempts, window, contestedWithin),
                    by(config),
                    Clock.systemUTC());
            remember(config, topics, watching, out);
            CountDownLatch finished = new CountDownLatch(1);
            Thread hook = new Thread(
                    () -> {
                        watching.stop();
                        try {
                            // let the fix in progress finish: its check, its record and its commit
                            finished.await(60, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    },
                    "contact-audit-remediate-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            out.println("fixing REGRESSED subscriptions of the allow-list as their drift arrives on "
                    + topics.drift().name() + "; every attempt recorded on "
                    + topics.remediations().name()
                    + "; stop with Ctrl-C");
            out.flush();
            try {
                watching.run();
            } finally {
                publisher.flush();
                audit.flush();
                finished.countDown();
            }
            return ExitCodes.OK;
        }
    }

    /**
     * Feeds {@code watching} the attempts recorded within the longer of --window and --contested-within, so that its
     * loop protection goes on where the last watch left it.
     */
    private void remember(ContactAuditConfig config, Topics topics, RemediationWatch watching, PrintWriter out) {
        Instant from = Instant.now().minus(window.compareTo(contestedWithin) > 0 ? window : contestedWithin);
        int remembered = 0;
        try (HistoryReader.Cursor<byte[]> history = new HistoryReader(
                        config.kafkaClientProperties(), config.kafkaTimeout(), Clock.systemUTC())
                .open(
                        topics.remediations().name(),
                        new ByteArrayDeserializer(),
                        from,
                        null,
                        key -> true,
                        new Skipped(),
                        n -> {})) {
            while (history.hasNext()) {
                remembered += watching.remember(history.next().value()) ? 1 : 0;
            }
        }
        out.println("loop protection: " + remembered + " attempt(s) of earlier watches since " + from);
    }

    private static KafkaProducer<String, byte[]> auditProducer(ContactAuditConfig config) {
        Map<String, Object> props = new HashMap<>(config.kafkaClientProperties());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "contact-audit-remediate");
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    private static void record(KafkaProducer<String, byte[]> audit, Topics topics, String sub, byte[] record) {
        try {
            Delivery.send(audit, new ProducerRecord<>(topics.remediations().name(), sub, record))
                    .get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "cannot record the remediation of " + sub + ": " + Errors.messages(e.getCause()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while recording a remediation", e);
        }
    }

    /** Who remediates, for the record: the credential kind, the operating-system user and host. */
    private String by(ContactAuditConfig config) {
        String host = System.getenv().getOrDefault("HOSTNAME", "unknown-host");
        return "remediation.azure.credential=" + config.remediationCredential() + " (" + System.getProperty("user.name")
                + "@" + host + ")";
    }

    private String severity(Profile rule) {
        String normalised = Arrays.stream(new String[] {"High", "Medium", "Low"})
                .filter(s -> s.equalsIgnoreCase(severity))
                .findFirst()
                .orElseThrow(() -> new ParameterException(
                        spec.commandLine(), "--severity must be High, Medium or Low, got '" + severity + "'"));
        if (rule == Profile.STRICT && !normalised.equals("High")) {
            throw new ConfigException(
                    "the strict profile accepts High only: --severity " + normalised + " would not pass");
        }
        return normalised;
    }

    private int exitCode(Remediator.Outcome outcome) {
        if (outcome.error() != null) {
            return ExitCodes.FAILURE;
        }
        return switch (outcome.plan().action()) {
            case NONE -> ExitCodes.OK;
            case SKIP -> 1;
            case EXCEPTED -> ExitCodes.OK;
            case FIX -> apply ? ExitCodes.OK : 1;
        };
    }

    private void print(PrintWriter out, Remediator.Outcome outcome) throws Exception {
        ContactFix.Plan plan = outcome.plan();
        String result = outcome.error() != null
                ? "FAILED: " + outcome.error()
                : outcome.verdict() != null
                        ? "written (HTTP " + outcome.status() + "), read again: " + outcome.verdict()
                        : null;
        if (json) {
            ObjectNode line = JSON.valueToTree(plan);
            line.put("action", plan.action().name());
            if (plan.body() != null) {
                line.set("body", JSON.readTree(plan.body()));
            }
            line.put("applied", outcome.status() != null);
            line.put("remediationId", outcome.remediationId());
            line.put("status", outcome.status());
            line.put("armRequestId", outcome.requestId());
            line.put(
                    "verdictAfter",
                    outcome.verdict() == null ? null : outcome.verdict().name());
            line.put("error", outcome.error());
            out.println(JSON.writeValueAsString(line));
            return;
        }
        out.printf(Locale.ROOT, "%n%s  %s%n", plan.subscriptionId(), plan.action());
        out.printf(
                Locale.ROOT,
                "  before: %s%n",
                plan.before() == null ? "(not read)" : plan.before().isEmpty() ? "(no contact)" : plan.before());
        if (plan.action() == ContactFix.Action.FIX) {
            out.printf(Locale.ROOT, "  PUT %s%n", plan.path());
            out.printf(Locale.ROOT, "  body:  %s%n", plan.body());
            out.printf(Locale.ROOT, "  after:  %s%n", plan.after());
        } else {
            out.printf(Locale.ROOT, "  %s%n", plan.reason());
        }
        if (result != null) {
            out.printf(
                    Locale.ROOT,
                    "  %s%s%n",
                    result,
                    outcome.remediationId() == null ? "" : " (" + outcome.remediationId() + ")");
        }
    }
}

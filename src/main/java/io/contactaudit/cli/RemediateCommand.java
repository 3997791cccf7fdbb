package io.contactaudit.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.contactaudit.app.CollectorApp;
import io.contactaudit.app.ExitCodes;
import io.contactaudit.app.KafkaSetup;
import io.contactaudit.collector.Collector;
import io.contactaudit.collector.KnownSubscriptions;
import io.contactaudit.collector.SnapshotPublisher;
import io.contactaudit.config.ConfigException;
import io.contactaudit.config.ContactAuditConfig;
import io.contactaudit.kafka.Topics;
import io.contactaudit.remediate.ContactFix;
import io.contactaudit.remediate.Remediator;
import io.contactaudit.rule.Profile;
import io.contactaudit.schema.Verdict;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
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
                        : null) {
            Collector reader = new Collector(azure.arm(), CollectorApp.settings(config), Clock.systemUTC());
            Remediator remediator = new Remediator(
                    reader,
                    azure.fake() != null ? azure.arm() : CollectorApp.remediationArm(config, kafka.env()),
                    rule,
                    minimal,
                    recipients,
                    publisher);
            int code = ExitCodes.OK;
            if (!json) {
                out.println(apply ? "remediation (applied):" : "remediation plan (dry run; --apply writes it):");
            }
            for (String sub : targets) {
                Remediator.Outcome outcome = apply
                        ? remediator.apply(sub)
                        : new Remediator.Outcome(remediator.plan(sub), null, null, null, null, null);
                print(out, outcome);
                code = Math.max(code, exitCode(outcome));
            }
            out.flush();
            return code;
        }
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
        out.printf(Locale.ROOT, "  before: %s%n", plan.before().isEmpty() ? "(no contact)" : plan.before());
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

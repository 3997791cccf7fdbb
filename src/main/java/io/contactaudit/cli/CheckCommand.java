package io.contactaudit.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.contactaudit.Errors;
import io.contactaudit.app.ExitCodes;
import io.contactaudit.rule.HighSeverityAlertEmailRule;
import io.contactaudit.rule.Profile;
import io.contactaudit.rule.ResponseBody;
import io.contactaudit.rule.RuleResult;
import io.contactaudit.schema.Evidence;
import io.contactaudit.schema.Reason;
import io.contactaudit.schema.Verdict;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/** {@code contact-audit check}: evaluates exported securityContacts list responses offline. */
@Command(
        name = "check",
        mixinStandardHelpOptions = true,
        description = {
            "Evaluates securityContacts list-response bodies offline, one result per input.",
            "Export a body with: az rest --url \"/subscriptions/<id>/providers/Microsoft.Security/securityContacts?api-version=2023-12-01-preview\"",
            "All three API generations (2017-08-01-preview, 2020-01-01-preview, 2023-12-01-preview) are understood."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every input passes",
            "1:some input fails (and none is unevaluable)",
            "2:usage error",
            "3:some input is unevaluable (ERROR: unreadable file, not JSON, not a list, more pages)"
        })
public final class CheckCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String STDIN = "-";

    private final CliContext context;

    @Spec
    private CommandSpec spec;

    @Option(
            names = "--profile",
            paramLabel = "default|strict",
            defaultValue = "default",
            converter = ProfileConverter.class,
            description =
                    "default: a minimal severity of High, Medium or Low passes; strict: High only. Default: ${DEFAULT-VALUE}.")
    private Profile profile;

    @Option(names = "--json", description = "One JSON object per input and line, for scripts and CI.")
    private boolean json;

    @Parameters(
            arity = "1..*",
            paramLabel = "FILE",
            description = "Response bodies to evaluate; '-' reads standard input.")
    private List<String> files;

    CheckCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<Verdict> verdicts = new ArrayList<>();
        Map<Verdict, Integer> counts = new EnumMap<>(Verdict.class);
        boolean stdinRead = false;
        for (String file : files) {
            RuleResult result;
            if (STDIN.equals(file) && stdinRead) {
                result = HighSeverityAlertEmailRule.unreadable(
                        "standard input was already read by an earlier '-'", profile);
            } else {
                stdinRead |= STDIN.equals(file);
                result = evaluate(file);
            }
            verdicts.add(result.verdict());
            counts.merge(result.verdict(), 1, Integer::sum);
            if (json) {
                out.println(toJson(file, result));
            } else {
                printText(out, file, result);
            }
        }
        if (!json && files.size() > 1) {
            out.printf(
                    "%d inputs: %d PASS, %d FAIL, %d ERROR%n",
                    files.size(),
                    counts.getOrDefault(Verdict.PASS, 0),
                    counts.getOrDefault(Verdict.FAIL, 0),
                    counts.getOrDefault(Verdict.ERROR, 0));
        }
        out.flush();
        return ExitCodes.of(verdicts);
    }

    private RuleResult evaluate(String file) {
        byte[] body;
        try {
            body = STDIN.equals(file) ? ResponseBody.read(context.stdin()) : read(Path.of(file));
        } catch (NoSuchFileException e) {
            return HighSeverityAlertEmailRule.unreadable("no such file: " + file, profile);
        } catch (IOException | RuntimeException e) {
            String what = STDIN.equals(file) ? "standard input" : file;
            return HighSeverityAlertEmailRule.unreadable("cannot read " + what + ": " + Errors.messages(e), profile);
        }
        return HighSeverityAlertEmailRule.evaluate(body, profile);
    }

    /** At most {@link ResponseBody#MAX_BYTES} + 1 bytes: a larger file is an ERROR, never read whole. */
    private static byte[] read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return ResponseBody.read(in);
        }
    }

    static String toJson(String file, RuleResult result) {
        ObjectNode line = JSON.createObjectNode();
        line.put("file", file);
        line.put("subscriptionId", result.subscriptionId());
        line.put("verdict", result.verdict().name());
        line.put("profile", result.profile().id());
        line.put("ruleId", result.ruleId());
        line.put("ruleAlias", HighSeverityAlertEmailRule.ALIAS);
        line.put("ruleVersion", result.ruleVersion());
        line.set("reasons", reasons(result.reasons()));
        ArrayNode evidence = line.putArray("evidence");
        for (Evidence e : result.evidence()) {
            evidence.addObject()
                    .put("contact", e.getContact())
                    .put("path", e.getPath())
                    .put("value", e.getValue())
                    .put("outcome", e.getOutcome());
        }
        line.set("warnings", reasons(result.warnings()));
        line.put("contacts", result.contacts().size());
        return line.toString();
    }

    private static ArrayNode reasons(List<Reason> reasons) {
        ArrayNode array = JSON.createArrayNode();
        reasons.forEach(r -> array.addObject().put("code", r.getCode()).put("message", r.getMessage()));
        return array;
    }

    private static void printText(PrintWriter out, String file, RuleResult result) {
        out.printf(
                "%-5s %s  (profile %s, %s v%s%s)%n",
                result.verdict(),
                STDIN.equals(file) ? "<stdin>" : file,
                result.profile().id(),
                result.ruleId(),
                result.ruleVersion(),
                result.subscriptionId() == null ? "" : ", subscription " + result.subscriptionId());
        for (Reason r : result.reasons()) {
            out.printf("      %s: %s%n", r.getCode(), r.getMessage());
        }
        for (Reason w : result.warnings()) {
            out.printf("      warning %s: %s%n", w.getCode(), w.getMessage());
        }
    }

    /** Parses {@code --profile}. */
    static final class ProfileConverter implements ITypeConverter<Profile> {
        @Override
        public Profile convert(String value) {
            try {
                return Profile.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}

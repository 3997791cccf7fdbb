package io.contactaudit.cli;

import io.contactaudit.app.ExitCodes;
import io.contactaudit.config.ConfigReference;
import io.contactaudit.config.ContactAuditConfig;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code contact-audit config}: the effective configuration (secrets redacted), or the reference of every key. */
@Command(
        name = "config",
        mixinStandardHelpOptions = true,
        description =
                "Prints the effective configuration (defaults < --config file < CONTACT_AUDIT_* environment < flags), secrets redacted.")
public final class ConfigCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private KafkaOptions kafka;

    @Option(names = "--reference", description = "Print the reference of every key as a Markdown table instead.")
    private boolean reference;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (reference) {
            out.print(ConfigReference.markdown());
        } else {
            ContactAuditConfig config = kafka.load();
            for (Map.Entry<String, String> e : config.redacted().entrySet()) {
                out.println(e.getKey() + "=" + e.getValue());
            }
        }
        out.flush();
        return ExitCodes.OK;
    }
}

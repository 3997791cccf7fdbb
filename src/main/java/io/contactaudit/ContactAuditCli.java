package io.contactaudit;

import io.contactaudit.cli.BenchCommand;
import io.contactaudit.cli.CheckCommand;
import io.contactaudit.cli.CollectCommand;
import io.contactaudit.cli.ConfigCommand;
import io.contactaudit.cli.DemoCommand;
import io.contactaudit.cli.EvaluateCommand;
import io.contactaudit.cli.ReplayCommand;
import io.contactaudit.cli.RunCommand;
import io.contactaudit.cli.SchemasCommand;
import io.contactaudit.config.ConfigException;
import java.util.Map;
import io.contactaudit.cli.ExitCodes;
import java.io.InputStream;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code contact-audit} command line; the only place that exits the JVM. */
@Command(
        name = "contact-audit",
        mixinStandardHelpOptions = true,
        versionProvider = ContactAuditCli.Version.class,
        description = "Continuous audit of Azure Defender for Cloud alert e-mail notifications (CIS Azure 1.3.0 2.14).",
        subcommands = {CheckCommand.class, CollectCommand.class, EvaluateCommand.class, RunCommand.class, DemoCommand.class, ReplayCommand.class, SchemasCommand.class, ConfigCommand.class, BenchCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every input passes",
            "1:some input fails the rule",
            "2:usage or configuration error",
            "3:some input could not be evaluated (ERROR)",
            "4:the command itself failed (I/O, Kafka, configuration)"})
public final class ContactAuditCli implements Runnable {

    private final InputStream stdin;
    private final Map<String, String> env;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /** A CLI whose commands read standard input from {@code stdin} and configuration from {@code env}. */
    public ContactAuditCli(InputStream stdin, Map<String, String> env) {
        this.stdin = stdin;
        this.env = env;
    }

    /** Standard input, for commands that read {@code -}. */
    public InputStream stdin() {
        return stdin;
    }

    /** The environment, for {@code CONTACT_AUDIT_*} configuration. */
    public Map<String, String> env() {
        return env;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    /** The configured picocli command line, with the one error handler. */
    public static CommandLine commandLine(InputStream stdin, Map<String, String> env, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new ContactAuditCli(stdin, env));
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("contact-audit: " + ExitCodes.describe(e));
            return e instanceof ConfigException ? ExitCodes.USAGE : ExitCodes.FAILURE;
        });
        return cli;
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int code = commandLine(System.in, System.getenv(), out, err).execute(args);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** The version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"contact-audit " + ProductVersion.get()};
        }
    }
}

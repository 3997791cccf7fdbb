package io.contactaudit.cli;

import io.contactaudit.ProductVersion;
import io.contactaudit.app.ExitCodes;
import io.contactaudit.config.ConfigException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The {@code contact-audit} command line; the only place that exits the JVM. */
@Command(
        name = "contact-audit",
        mixinStandardHelpOptions = true,
        versionProvider = ContactAuditCli.Version.class,
        description = "Continuous audit of Azure Defender for Cloud alert e-mail notifications (CIS Azure 1.3.0 2.14).",
        subcommands = {
            CheckCommand.class,
            CollectCommand.class,
            EvaluateCommand.class,
            RunCommand.class,
            DemoCommand.class,
            ReplayCommand.class,
            ReportCommand.class,
            RemediateCommand.class,
            ExceptionsCommand.class,
            SchemasCommand.class,
            ConfigCommand.class,
            BenchCommand.class,
            CommandLine.HelpCommand.class
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every input passes",
            "1:some input fails the rule",
            "2:usage or configuration error",
            "3:some input could not be evaluated (ERROR)",
            "4:the command itself failed (I/O, Kafka, configuration)"
        })
public final class ContactAuditCli implements Runnable {

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a command is required");
    }

    /**
     * The configured picocli command line, with the one error handler; its commands read standard input
     * from {@code stdin} and configuration from {@code env} (see {@link CliContext}).
     */
    public static CommandLine commandLine(
            InputStream stdin, Map<String, String> env, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new ContactAuditCli(), new ContextFactory(new CliContext(stdin, env)));
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("contact-audit: " + ExitCodes.describe(e));
            return e instanceof ConfigException ? ExitCodes.USAGE : ExitCodes.FAILURE;
        });
        return cli;
    }

    public static void main(String[] args) {
        boundAvro();
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int code = commandLine(System.in, System.getenv(), out, err).execute(args);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /**
     * Avro's limits on what one length or count in a record may claim, set before Avro decodes anything (it reads them
     * once): a decoder allocates what a length says, so a record of a few bytes claiming a string of 2 GB would take the
     * heap. The single-object serde checks a record's framing itself; the registry's deserializers have only these.
     * A record holds pages of at most 4 MiB ({@code ResponseBody.MAX_BYTES}) and lists of at most 1,000 contacts.
     * Left as they are when set on the command line ({@code -Dorg.apache.avro.limits...}).
     */
    static void boundAvro() {
        Map.of(
                        "org.apache.avro.limits.string.maxLength", String.valueOf(16 * 1024 * 1024),
                        "org.apache.avro.limits.bytes.maxLength", String.valueOf(16 * 1024 * 1024),
                        "org.apache.avro.limits.collectionItems.maxLength", String.valueOf(1_000_000))
                .forEach((key, value) -> {
                    if (System.getProperty(key) == null) {
                        System.setProperty(key, value);
                    }
                });
    }

    /** The version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"contact-audit " + ProductVersion.get()};
        }
    }
}

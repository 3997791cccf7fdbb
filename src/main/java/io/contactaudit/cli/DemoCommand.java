package io.contactaudit.cli;

import io.contactaudit.app.ExitCodes;
import io.contactaudit.demo.Demo;
import io.contactaudit.schema.DriftKind;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code contact-audit demo}: the whole pipeline on this machine, no Docker, no Azure account. */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the real collector and topology against Apache Kafka's broker started in-process and a",
            "simulated tenant of 40 subscriptions whose settings change between cycles, and shows the drift",
            "stream and the posture live. Under a minute; cleans up after itself."
        })
public final class DemoCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(
            names = "--cycles",
            defaultValue = "6",
            description = "Collection cycles (default ${DEFAULT-VALUE}; 6 or more show every drift kind).")
    private int cycles;

    @Option(
            names = "--interval",
            defaultValue = "PT3S",
            description = "Time between cycles (default ${DEFAULT-VALUE}).")
    private Duration interval;

    @Option(
            names = "--data-dir",
            paramLabel = "DIR",
            description = "Keep the broker's data here (default: a temporary directory, deleted).")
    private Path dataDir;

    @Option(names = "--no-color", description = "No ANSI colours.")
    private boolean noColor;

    @Option(names = "--verbose", description = "Keep the application's INFO logs on standard error.")
    private boolean verbose;

    @Override
    public Integer call() throws Exception {
        if (cycles < 1) {
            throw new ParameterException(spec.commandLine(), "--cycles must be at least 1");
        }
        if (!verbose) {
            QuietLogs.apply();
        }
        PrintWriter out = spec.commandLine().getOut();
        boolean color = !noColor && System.console() != null && System.getenv("NO_COLOR") == null;
        List<DriftKind> missing = new Demo(new Demo.Settings(cycles, interval, dataDir, color), out).run();
        if (!missing.isEmpty() && cycles >= 6) {
            spec.commandLine().getErr().println("contact-audit: the demo expected drift it did not see: " + missing);
            return ExitCodes.FAILURE;
        }
        return ExitCodes.OK;
    }
}

package io.contactaudit.cli;

import io.contactaudit.bench.CollectorBench;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code contact-audit bench}: benchmarks that print their figures; ratios hold, absolute numbers depend on the machine. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks that print figures, each with its baseline measured in the same run.",
        subcommands = {BenchCommand.Collect.class})
public final class BenchCommand {

    /** {@code bench collector}. */
    @Command(name = "collector", mixinStandardHelpOptions = true,
            description = "The collector against a local fake Resource Manager with added latency, at several concurrencies.")
    static final class Collect implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Option(names = "--subscriptions", defaultValue = "10000", description = "Subscriptions in the simulated tenant (default ${DEFAULT-VALUE}).")
        private int subscriptions;

        @Option(names = "--latency-ms", defaultValue = "20", description = "Latency added to every response (default ${DEFAULT-VALUE}).")
        private int latencyMs;

        @Option(names = "--concurrency", split = ",", defaultValue = "1,16,32",
                description = "Concurrencies to compare, the first is the baseline (default ${DEFAULT-VALUE}).")
        private List<Integer> concurrency;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            CollectorBench.run(subscriptions, latencyMs, concurrency, out);
            return ExitCodes.OK;
        }
    }
}

package io.contactaudit.cli;

import io.contactaudit.app.ExitCodes;
import io.contactaudit.bench.CollectorBench;
import io.contactaudit.bench.EventsBench;
import io.contactaudit.bench.OcsfBenchmark;
import io.contactaudit.bench.PipelineBench;
import io.contactaudit.bench.ReplayBench;
import io.contactaudit.bench.RuleBenchmark;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code contact-audit bench}: benchmarks that print their figures; ratios hold, absolute numbers depend on the machine. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmarks that print figures, each with its baseline measured in the same run.",
        subcommands = {
            BenchCommand.Collect.class,
            BenchCommand.Pipeline.class,
            BenchCommand.Rule.class,
            BenchCommand.Ocsf.class,
            BenchCommand.Replay.class,
            BenchCommand.Events.class
        })
public final class BenchCommand {

    /**
     * Runs a JMH benchmark class: average time in nanoseconds, one fork, 3 × 1 s of warm-up, 5 × 1 s measured, with the
     * GC profiler for allocation per operation.
     */
    private static Integer jmh(Class<?> benchmark) throws Exception {
        Options options = new OptionsBuilder()
                .include(benchmark.getName())
                .mode(Mode.AverageTime)
                .timeUnit(TimeUnit.NANOSECONDS)
                .forks(1)
                .warmupIterations(3)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(5)
                .measurementTime(TimeValue.seconds(1))
                .addProfiler(GCProfiler.class)
                .build();
        new Runner(options).run();
        return ExitCodes.OK;
    }

    /** {@code bench rule}: JMH, forked, with the GC profiler for allocation per operation. */
    @Command(
            name = "rule",
            mixinStandardHelpOptions = true,
            description =
                    "JMH: normalise + evaluate per API generation, against parsing the same body (ns/op, bytes/op).")
    static final class Rule implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            return jmh(RuleBenchmark.class);
        }
    }

    /** {@code bench ocsf}: JMH, forked, with the GC profiler for allocation per operation. */
    @Command(
            name = "ocsf",
            mixinStandardHelpOptions = true,
            description = "JMH: one OCSF event as the evaluator writes it, against Jackson writing it from a tree "
                    + "(ns/op, bytes/op).")
    static final class Ocsf implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            return jmh(OcsfBenchmark.class);
        }
    }

    /** {@code bench pipeline}. */
    @Command(
            name = "pipeline",
            mixinStandardHelpOptions = true,
            description =
                    "The topology (exactly-once) on an in-process broker: throughput against a pass-through baseline, latency, state size.")
    static final class Pipeline implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Option(
                names = "--subscriptions",
                defaultValue = "20000",
                description = "Subscriptions (default ${DEFAULT-VALUE}).")
        private int subscriptions;

        @Option(
                names = "--cycles",
                defaultValue = "5",
                description = "Snapshots per subscription (default ${DEFAULT-VALUE}).")
        private int cycles;

        @Option(
                names = "--partitions",
                defaultValue = "1",
                description = "Partitions and stream threads (default ${DEFAULT-VALUE}).")
        private int partitions;

        @Option(
                names = "--latency-rate",
                defaultValue = "1000",
                description = "Snapshots/s of the latency phase (default ${DEFAULT-VALUE}).")
        private int latencyRate;

        @Option(
                names = "--latency-seconds",
                defaultValue = "10",
                description = "Length of the latency phase (default ${DEFAULT-VALUE}).")
        private int latencySeconds;

        @Option(
                names = "--warm-up-rounds",
                defaultValue = "" + PipelineBench.WARM_UP_ROUNDS,
                description =
                        "At most this many rounds of the JIT warm-up before the measured runs; fewer for a quick run "
                                + "whose figures are not steady-state ones (default ${DEFAULT-VALUE}).")
        private int warmUpRounds;

        @Option(
                names = "--set",
                paramLabel = "KEY=VALUE",
                description =
                        "A configuration value for the evaluator and its Kafka clients, as in a config file (repeatable), "
                                + "e.g. --set producer.compression.type=lz4.")
        private Map<String, String> overrides = new LinkedHashMap<>();

        @Override
        public Integer call() throws Exception {
            QuietLogs.apply();
            new PipelineBench(
                            new PipelineBench.Settings(
                                    subscriptions,
                                    cycles,
                                    partitions,
                                    latencyRate,
                                    latencySeconds,
                                    warmUpRounds,
                                    overrides),
                            spec.commandLine().getOut(),
                            spec.commandLine().getErr())
                    .run();
            return ExitCodes.OK;
        }
    }

    /** {@code bench events}. */
    @Command(
            name = "events",
            mixinStandardHelpOptions = true,
            description =
                    "Change → drift event through Azure's change events, the whole pipeline on an in-process broker: p50/p99, split into trigger and evaluator.")
    static final class Events implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Option(
                names = "--subscriptions",
                defaultValue = "1000",
                description = "Subscriptions in the simulated tenant (default ${DEFAULT-VALUE}).")
        private int subscriptions;

        @Option(
                names = "--latency-ms",
                defaultValue = "20",
                description = "Added to every Resource Manager response (default ${DEFAULT-VALUE}).")
        private int latencyMs;

        @Option(
                names = "--rate",
                defaultValue = "10",
                description = "Contact changes per second (default ${DEFAULT-VALUE}).")
        private int rate;

        @Option(
                names = "--seconds",
                defaultValue = "60",
                description = "Length of the measured phase (default ${DEFAULT-VALUE}).")
        private int seconds;

        @Option(
                names = "--debounce",
                defaultValue = "PT0.5S",
                description = "events.debounce (default ${DEFAULT-VALUE}).")
        private Duration debounce;

        @Option(
                names = "--concurrency",
                defaultValue = "16",
                description = "collector.concurrency: subscriptions read at the same time (default ${DEFAULT-VALUE}).")
        private int concurrency;

        @Override
        public Integer call() throws Exception {
            QuietLogs.apply();
            new EventsBench(
                            new EventsBench.Settings(subscriptions, latencyMs, rate, seconds, debounce, concurrency),
                            spec.commandLine().getOut())
                    .run();
            return ExitCodes.OK;
        }
    }

    /** {@code bench replay}. */
    @Command(
            name = "replay",
            mixinStandardHelpOptions = true,
            description =
                    "replay posture --as-of on an in-process broker: heap retained as the history is read, against holding it all.")
    static final class Replay implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Option(
                names = "--findings",
                defaultValue = "1000000",
                description = "Findings in the history (default ${DEFAULT-VALUE}).")
        private int findings;

        @Option(
                names = "--subscriptions",
                defaultValue = "10000",
                description = "Subscriptions (default ${DEFAULT-VALUE}).")
        private int subscriptions;

        @Option(
                names = "--partitions",
                defaultValue = "6",
                description = "Partitions of the topics (default ${DEFAULT-VALUE}).")
        private int partitions;

        @Override
        public Integer call() throws Exception {
            QuietLogs.apply();
            new ReplayBench(
                            new ReplayBench.Settings(findings, subscriptions, partitions),
                            spec.commandLine().getOut())
                    .run();
            return ExitCodes.OK;
        }
    }

    /** {@code bench collector}. */
    @Command(
            name = "collector",
            mixinStandardHelpOptions = true,
            description =
                    "The collector against a local fake Resource Manager with added latency, at several concurrencies.")
    static final class Collect implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Option(
                names = "--subscriptions",
                defaultValue = "10000",
                description = "Subscriptions in the simulated tenant (default ${DEFAULT-VALUE}).")
        private int subscriptions;

        @Option(
                names = "--latency-ms",
                defaultValue = "20",
                description = "Latency added to every response (default ${DEFAULT-VALUE}).")
        private int latencyMs;

        @Option(
                names = "--concurrency",
                split = ",",
                defaultValue = "1,16,32",
                description = "Concurrencies to compare, the first is the baseline (default ${DEFAULT-VALUE}).")
        private List<Integer> concurrency;

        @Option(
                names = "--tenants",
                defaultValue = "0",
                description = "Spread the subscriptions over this many tenants, each read by its own identity under"
                        + " Resource Manager's read limits, and sweep once at the first concurrency (0: one tenant,"
                        + " the concurrency comparison).")
        private int tenants;

        @Option(
                names = "--tenant-wide-limit",
                description =
                        "With --tenants: every read of an identity also shares one bucket of 250 + 25/s (the"
                                + " strictest reading of ARM's per-tenant limit), and the collector paces each identity at 25/s.")
        private boolean tenantWide;

        @Override
        public Integer call() throws Exception {
            QuietLogs.apply();
            PrintWriter out = spec.commandLine().getOut();
            if (tenants > 0) {
                CollectorBench.runTenants(subscriptions, tenants, latencyMs, concurrency.get(0), tenantWide, out);
            } else {
                CollectorBench.run(subscriptions, latencyMs, concurrency, out);
            }
            return ExitCodes.OK;
        }
    }
}

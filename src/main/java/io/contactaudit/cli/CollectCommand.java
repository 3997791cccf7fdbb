package io.contactaudit.cli;

import io.contactaudit.ContactAuditCli;
import io.contactaudit.collector.Collector;
import io.contactaudit.collector.CollectorLoop;
import io.contactaudit.collector.RunSummary;
import io.contactaudit.collector.SnapshotPublisher;
import io.contactaudit.collector.TerminalProgress;
import io.contactaudit.config.ContactAuditConfig;
import io.contactaudit.kafka.TopicProvisioner;
import io.contactaudit.kafka.Topics;
import io.contactaudit.observe.Endpoints;
import io.contactaudit.observe.ObservabilityServer;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code contact-audit collect}: every subscription's security contacts into Kafka, once or on an interval. */
@Command(
        name = "collect",
        mixinStandardHelpOptions = true,
        description = {
            "Reads every subscription's security contacts through the Azure SDK (read-only) and publishes one",
            "snapshot per subscription and run to <prefix>.snapshots.v1. Needs only the Security Reader role."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every snapshot was published (collection errors are data: ERROR snapshots)",
            "2:usage or configuration error",
            "4:publishing failed, or the subscriptions could not be listed"})
public final class CollectCommand implements Callable<Integer> {

    @ParentCommand
    private ContactAuditCli cli;

    @Spec
    private CommandSpec spec;

    @Mixin
    private KafkaOptions kafka;

    @Mixin
    private CollectorOptions collector;

    @ArgGroup(exclusive = true)
    private Schedule schedule = new Schedule();

    static final class Schedule {
        @Option(names = "--once", description = "Run once and exit (the default).")
        boolean once;

        @Option(names = "--interval", paramLabel = "DURATION", description = "Run every DURATION (e.g. PT15M) until stopped.")
        String interval;
    }

    @Option(names = "--no-progress", description = "No progress bar, even on a terminal.")
    private boolean noProgress;

    @Override
    public Integer call() {
        Map<String, String> flags = collector.flags();
        flags.put(ContactAuditConfig.COLLECTION_INTERVAL_CONFIG, schedule.interval);
        ContactAuditConfig config = kafka.load(cli.env(), flags);
        PrintWriter out = spec.commandLine().getOut();
        Topics topics = Topics.of(config);
        try (CollectorOptions.Azure azure = collector.azure(config, cli.env())) {
            TopicProvisioner.prepare(config, topics);
            return collect(config, topics, azure, out);
        }
    }

    @SuppressWarnings("try") // the HTTP server only has to live as long as the collection
    private int collect(ContactAuditConfig config, Topics topics, CollectorOptions.Azure azure, PrintWriter out) {
        try (SnapshotPublisher publisher = SnapshotPublisher.create(config.kafkaClientProperties(), topics.snapshots())) {
            if (azure.fake() != null) {
                out.println("serving the simulated tenant of " + collector.scenario + " at " + azure.fake().endpoint()
                        + " (Azure is not contacted)");
            }
            boolean terminal = System.console() != null && !noProgress;
            CollectorLoop loop = new CollectorLoop(
                    new Collector(azure.arm(), CollectorOptions.settings(config), Clock.systemUTC()), publisher,
                    config.kafkaClientProperties(), topics.posture(), config.kafkaTimeout(),
                    new TerminalProgress(terminal ? new PrintWriter(System.err, true) : null));
            try (ObservabilityServer http = Endpoints.start(config, null, loop, azure.arm())) {
                return schedule(config, loop, publisher, out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCodes.FAILURE;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot start the HTTP endpoints: " + e.getMessage(), e);
        }
    }

    private int schedule(ContactAuditConfig config, CollectorLoop loop, SnapshotPublisher publisher, PrintWriter out)
            throws InterruptedException {
        if (schedule.interval == null) {
            RunSummary summary = loop.once();
            out.println(summary.line());
            out.flush();
            return summary.publishedAll() ? ExitCodes.OK : ExitCodes.FAILURE;
        }
        CountDownLatch finished = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            loop.stop();
            try {
                // let the current run publish what it collected
                finished.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "contact-audit-collector-stop"));
        out.println("collecting every " + config.collectionInterval() + "; stop with Ctrl-C");
        out.flush();
        try {
            boolean ok = loop.every(config.collectionInterval(), summary -> {
                out.println(summary.line());
                out.flush();
            });
            return ok ? ExitCodes.OK : ExitCodes.FAILURE;
        } finally {
            publisher.flush();
            finished.countDown();
        }
    }
}

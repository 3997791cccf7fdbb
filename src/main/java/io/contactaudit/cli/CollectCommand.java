package io.contactaudit.cli;

import io.contactaudit.app.CollectorApp;
import io.contactaudit.app.KafkaSetup;
import io.contactaudit.app.Lifecycle;
import io.contactaudit.collector.TerminalProgress;
import io.contactaudit.config.ContactAuditConfig;
import io.contactaudit.demo.ChangeFeed;
import io.contactaudit.kafka.Topics;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code contact-audit collect}: every subscription's security contacts into Kafka, once or on an interval. */
@Command(
        name = "collect",
        mixinStandardHelpOptions = true,
        description = {
            "Reads every subscription's security contacts through the Azure SDK (read-only) and publishes one",
            "snapshot per subscription and run to <prefix>.snapshots.v1. Needs only the Security Reader role."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every snapshot was published (collection errors are data: ERROR snapshots)",
            "2:usage or configuration error",
            "4:publishing failed, or the subscriptions could not be listed"
        })
public final class CollectCommand implements Callable<Integer> {

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

        @Option(
                names = "--interval",
                paramLabel = "DURATION",
                description = "Run every DURATION (e.g. PT15M) until stopped.")
        String interval;
    }

    @Option(names = "--no-progress", description = "No progress bar, even on a terminal.")
    private boolean noProgress;

    @Option(
            names = "--events",
            description = {
                "Also read a subscription again as soon as Azure reports a change of its security contacts (events.* settings:",
                "an Event Hub's Kafka endpoint); implies the poll on its interval (collection.interval) as the safety net."
            })
    private boolean events;

    @Override
    public Integer call() throws InterruptedException {
        Map<String, String> flags = collector.flags();
        flags.put(ContactAuditConfig.COLLECTION_INTERVAL_CONFIG, schedule.interval);
        if (events) {
            if (schedule.once) {
                throw new ParameterException(
                        spec.commandLine(), "--events runs until stopped: it cannot be combined with --once");
            }
            flags.put(ContactAuditConfig.EVENTS_ENABLED_CONFIG, "true");
        }
        ContactAuditConfig config = kafka.load(flags);
        PrintWriter out = spec.commandLine().getOut();
        Topics topics = KafkaSetup.topics(config);
        try (CollectorOptions.Azure azure = collector.azure(config, out)) {
            KafkaSetup.prepare(config, topics);
            boolean terminal = System.console() != null && !noProgress;
            TerminalProgress progress = new TerminalProgress(terminal ? new PrintWriter(System.err, true) : null);
            try (ChangeFeed feed = azure.changeFeed(config, out);
                    CollectorApp app = CollectorApp.create(config, topics, azure.sources(), progress)) {
                if (schedule.interval == null && !config.eventsEnabled()) {
                    return Lifecycle.once(config, app, out, spec.commandLine().getErr());
                }
                return Lifecycle.untilStopped(
                        config,
                        null,
                        app,
                        out,
                        spec.commandLine().getErr(),
                        "collecting every " + config.collectionInterval()
                                + (config.eventsEnabled()
                                        ? " and on every change reported on " + config.eventsTopic()
                                        : "")
                                + "; stop with Ctrl-C");
            }
        }
    }
}

package io.contactaudit.cli;

import io.contactaudit.app.CollectorApp;
import io.contactaudit.app.EvaluatorApp;
import io.contactaudit.app.KafkaSetup;
import io.contactaudit.app.Lifecycle;
import io.contactaudit.collector.TerminalProgress;
import io.contactaudit.config.ConfigException;
import io.contactaudit.config.ContactAuditConfig;
import io.contactaudit.demo.ChangeFeed;
import io.contactaudit.embedded.EmbeddedKafka;
import io.contactaudit.kafka.Topics;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code contact-audit run}: the collector loop and the evaluator in one process (small deployments). */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = {
            "Collects on an interval and evaluates, in one process. Without --bootstrap-servers it starts Apache",
            "Kafka's own broker in-process with its data in --embedded-kafka DIR (default data/kafka), so history",
            "survives restarts."
        })
public final class RunCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private KafkaOptions kafka;

    @Mixin
    private CollectorOptions collector;

    @Mixin
    private EvaluateOptions evaluate;

    @Option(
            names = "--embedded-kafka",
            paramLabel = "DIR",
            arity = "0..1",
            fallbackValue = "data/kafka",
            description =
                    "Run an in-process KRaft broker with its data in DIR (default when no brokers are configured: data/kafka).")
    private Path embeddedKafka;

    @Option(
            names = "--events",
            description =
                    "Also read a subscription again as soon as Azure reports a change of its security contacts (events.* settings).")
    private boolean events;

    @Option(names = "--interval", paramLabel = "DURATION", description = "Collection interval (default PT15M).")
    private String interval;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Map<String, String> flags = collector.flags();
        flags.putAll(evaluate.flags());
        flags.put(ContactAuditConfig.COLLECTION_INTERVAL_CONFIG, interval);
        if (events) {
            flags.put(ContactAuditConfig.EVENTS_ENABLED_CONFIG, "true");
        }
        ContactAuditConfig config = kafka.load(flags);
        PrintWriter out = spec.commandLine().getOut();

        try (CollectorOptions.Azure azure = collector.azure(config, out)) {
            return run(config, flags, azure, out);
        }
    }

    @SuppressWarnings("try") // the embedded broker only has to live as long as the run
    private int run(ContactAuditConfig config, Map<String, String> flags, CollectorOptions.Azure azure, PrintWriter out)
            throws IOException, InterruptedException {
        EmbeddedKafka broker = null;
        if (embeddedKafka != null || config.get(ContactAuditConfig.BOOTSTRAP_SERVERS_CONFIG) == null) {
            if (config.get(ContactAuditConfig.BOOTSTRAP_SERVERS_CONFIG) != null && embeddedKafka != null) {
                throw new ConfigException("give either --bootstrap-servers or --embedded-kafka, not both");
            }
            Path dir = embeddedKafka == null ? Path.of("data/kafka") : embeddedKafka;
            broker = EmbeddedKafka.start(dir);
            out.println("embedded Kafka broker at " + broker.bootstrapServers() + ", data in " + dir);
            flags.put(ContactAuditConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            config = kafka.load(flags);
        }
        Topics topics = KafkaSetup.topics(config);
        try (EmbeddedKafka ignored = broker) {
            KafkaSetup.prepare(config, topics);
            try (ChangeFeed feed = azure.changeFeed(config, out);
                    CollectorApp collecting =
                            CollectorApp.create(config, topics, azure.sources(), new TerminalProgress(null));
                    EvaluatorApp evaluator = EvaluatorApp.create(config, topics)) {
                return Lifecycle.untilStopped(
                        config,
                        evaluator,
                        collecting,
                        out,
                        spec.commandLine().getErr(),
                        String.format(
                                "collecting every %s and evaluating into %s.*; stop with Ctrl-C",
                                config.collectionInterval(), config.topicPrefix()));
            }
        }
    }
}

package io.contactaudit.cli;

import io.contactaudit.ContactAuditCli;
import io.contactaudit.collector.Collector;
import io.contactaudit.collector.CollectorLoop;
import io.contactaudit.collector.SnapshotPublisher;
import io.contactaudit.collector.TerminalProgress;
import io.contactaudit.config.ConfigException;
import io.contactaudit.config.ContactAuditConfig;
import io.contactaudit.embedded.EmbeddedKafka;
import io.contactaudit.evaluate.StreamsRunner;
import io.contactaudit.kafka.TopicProvisioner;
import io.contactaudit.kafka.Topics;
import io.contactaudit.observe.Endpoints;
import io.contactaudit.observe.ObservabilityServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code contact-audit run}: the collector loop and the evaluator in one process (small deployments). */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = {
            "Collects on an interval and evaluates, in one process. Without --bootstrap-servers it starts Apache",
            "Kafka's own broker in-process with its data in --embedded-kafka DIR (default data/kafka), so history",
            "survives restarts."})
public final class RunCommand implements Callable<Integer> {

    @ParentCommand
    private ContactAuditCli cli;

    @Spec
    private CommandSpec spec;

    @Mixin
    private KafkaOptions kafka;

    @Mixin
    private CollectorOptions collector;

    @Mixin
    private EvaluateOptions evaluate;

    @Option(names = "--embedded-kafka", paramLabel = "DIR", arity = "0..1", fallbackValue = "data/kafka",
            description = "Run an in-process KRaft broker with its data in DIR (default when no brokers are configured: data/kafka).")
    private Path embeddedKafka;

    @Option(names = "--interval", paramLabel = "DURATION", description = "Collection interval (default PT15M).")
    private String interval;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Map<String, String> flags = collector.flags();
        flags.putAll(evaluate.flags());
        flags.put(ContactAuditConfig.COLLECTION_INTERVAL_CONFIG, interval);
        ContactAuditConfig config = kafka.load(cli.env(), flags);
        PrintWriter out = spec.commandLine().getOut();

        try (CollectorOptions.Azure azure = collector.azure(config, cli.env())) {
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
            config = kafka.load(cli.env(), flags);
        }
        Topics topics = Topics.of(config);
        CountDownLatch finished = new CountDownLatch(1);
        try (EmbeddedKafka ignored = broker) {
            TopicProvisioner.prepare(config, topics);
            try (SnapshotPublisher publisher = SnapshotPublisher.create(config.kafkaClientProperties(), topics.snapshots());
                 StreamsRunner runner = StreamsRunner.evaluator(topics, config)) {
                if (azure.fake() != null) {
                    out.println("serving the simulated tenant of " + collector.scenario + " at " + azure.fake().endpoint()
                            + " (Azure is not contacted)");
                }
                CollectorLoop loop = new CollectorLoop(new Collector(azure.arm(), CollectorOptions.settings(config), Clock.systemUTC()),
                        publisher, config.kafkaClientProperties(), topics.posture(), config.kafkaTimeout(), new TerminalProgress(null));
                runner.start();
                ObservabilityServer http = Endpoints.start(config, runner, loop, azure.arm());
                Duration every = config.collectionInterval();
                Thread collecting = new Thread(() -> loop.every(every, summary -> {
                    out.println(summary.line());
                    out.flush();
                }), "contact-audit-collector");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    loop.stop();
                    runner.close();
                    try {
                        finished.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "contact-audit-stop"));
                collecting.start();
                out.printf("collecting every %s and evaluating into %s.*; stop with Ctrl-C%n", every, config.topicPrefix());
                out.flush();
                while (!runner.awaitStopped(Duration.ofSeconds(1))) {
                    // until stopped by the shutdown hook, or by a failure of the evaluator
                }
                loop.stop();
                collecting.join(TimeUnit.SECONDS.toMillis(60));
                if (http != null) {
                    http.close();
                }
                if (runner.failure() != null) {
                    spec.commandLine().getErr().println("contact-audit: " + ExitCodes.describe(runner.failure()));
                    return ExitCodes.FAILURE;
                }
                return ExitCodes.OK;
            }
        } finally {
            finished.countDown();
        }
    }
}

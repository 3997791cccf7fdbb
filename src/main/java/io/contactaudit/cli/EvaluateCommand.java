package io.contactaudit.cli;

import io.contactaudit.ContactAuditCli;
import io.contactaudit.config.ContactAuditConfig;
import io.contactaudit.evaluate.EvaluateTopology;
import io.contactaudit.evaluate.StreamsRunner;
import io.contactaudit.kafka.TopicProvisioner;
import io.contactaudit.observe.Endpoints;
import io.contactaudit.observe.ObservabilityServer;
import io.contactaudit.kafka.Topics;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code contact-audit evaluate}: runs the evaluate topology until stopped (SIGTERM, Ctrl-C). */
@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        description = {
            "Evaluates snapshots into findings, drift events and posture, exactly once, until stopped.",
            "Creates missing topics when allowed (topics.create=true) and fails fast when the brokers do not answer."})
public final class EvaluateCommand implements Callable<Integer> {

    @ParentCommand
    private ContactAuditCli cli;

    @Spec
    private CommandSpec spec;

    @Mixin
    private KafkaOptions kafka;

    @Mixin
    private EvaluateOptions evaluate;

    @Override
    public Integer call() throws InterruptedException, java.io.IOException {
        ContactAuditConfig config = kafka.load(cli.env(), evaluate.flags());
        PrintWriter out = spec.commandLine().getOut();

        Topics topics = Topics.of(config);
        List<String> created = TopicProvisioner.prepare(config, topics);
        if (!created.isEmpty()) {
            out.println("created topics: " + String.join(", ", created));
        }
        EvaluateTopology.Settings settings = EvaluateTopology.Settings.of(config);
        try (StreamsRunner runner = new StreamsRunner(EvaluateTopology.build(topics, settings), StreamsRunner.properties(config))) {
            Thread hook = new Thread(runner::close, "contact-audit-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            runner.start();
            ObservabilityServer http = Endpoints.start(config, runner, null);
            out.printf("evaluating %s -> %s, %s, %s (profile %s, stale after %s, exactly_once_v2); stop with Ctrl-C%n",
                    topics.snapshots().name(), topics.findings().name(), topics.drift().name(), topics.posture().name(),
                    settings.profile().id(), settings.staleAfter());
            out.flush();
            while (!runner.awaitStopped(Duration.ofSeconds(1))) {
                // runs until closed by the shutdown hook or stopped by a failure
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: the JVM is stopping
            }
            if (http != null) {
                http.close();
            }
            if (runner.failure() != null) {
                spec.commandLine().getErr().println("contact-audit: " + ExitCodes.describe(runner.failure()));
                return ExitCodes.FAILURE;
            }
            return ExitCodes.OK;
        }
    }
}

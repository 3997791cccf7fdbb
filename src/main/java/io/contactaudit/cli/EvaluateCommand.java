package io.contactaudit.cli;

import io.contactaudit.app.EvaluatorApp;
import io.contactaudit.app.KafkaSetup;
import io.contactaudit.app.Lifecycle;
import io.contactaudit.config.ContactAuditConfig;
import io.contactaudit.evaluate.EvaluateTopology;
import io.contactaudit.kafka.Topics;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code contact-audit evaluate}: runs the evaluate topology until stopped (SIGTERM, Ctrl-C). */
@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        description = {
            "Evaluates snapshots into findings, drift events and posture, exactly once, until stopped.",
            "Creates missing topics when allowed (topics.create=true) and fails fast when the brokers do not answer."
        })
public final class EvaluateCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private KafkaOptions kafka;

    @Mixin
    private EvaluateOptions evaluate;

    @Override
    public Integer call() throws InterruptedException {
        ContactAuditConfig config = kafka.load(evaluate.flags());
        PrintWriter out = spec.commandLine().getOut();

        Topics topics = KafkaSetup.topics(config);
        List<String> created = KafkaSetup.prepare(config, topics);
        if (!created.isEmpty()) {
            out.println("created topics: " + String.join(", ", created));
        }
        try (EvaluatorApp evaluator = EvaluatorApp.create(config, topics)) {
            EvaluateTopology.Settings settings = evaluator.settings();
            String banner = String.format(
                    "evaluating %s -> %s, %s, %s (profile %s, stale after %s, exactly_once_v2); stop with Ctrl-C",
                    topics.snapshots().name(),
                    topics.findings().name(),
                    topics.drift().name(),
                    topics.posture().name(),
                    settings.profile().id(),
                    settings.staleAfter());
            return Lifecycle.untilStopped(
                    config, evaluator, null, out, spec.commandLine().getErr(), banner);
        }
    }
}

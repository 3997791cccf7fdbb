package io.contactaudit.app;

import io.contactaudit.collector.ArmClient;
import io.contactaudit.collector.Collector;
import io.contactaudit.collector.CollectorLoop;
import io.contactaudit.collector.Credentials;
import io.contactaudit.collector.RunSummary;
import io.contactaudit.collector.SnapshotPublisher;
import io.contactaudit.config.ContactAuditConfig;
import io.contactaudit.kafka.Topics;
import java.net.URI;
import java.time.Clock;
import java.util.Map;
import javax.net.ssl.SSLContext;

/**
 * The collector of a configuration, built one way for {@code collect}, {@code run}, {@code demo} and the
 * benchmarks: the Resource Manager client, the collector's settings, the snapshot publisher and the loop
 * that reads known subscriptions from the posture topic. {@link Lifecycle} runs it as a process.
 */
public final class CollectorApp implements AutoCloseable {

    private final ArmClient arm;
    private final SnapshotPublisher publisher;
    private final CollectorLoop loop;

    private CollectorApp(ArmClient arm, SnapshotPublisher publisher, CollectorLoop loop) {
        this.arm = arm;
        this.publisher = publisher;
        this.loop = loop;
    }

    /** A collector reading through {@code arm} into the snapshot topic of {@code topics}. */
    public static CollectorApp create(ContactAuditConfig config, Topics topics, ArmClient arm, Collector.Progress progress) {
        SnapshotPublisher publisher = SnapshotPublisher.create(config.kafkaClientProperties(), topics.snapshots());
        CollectorLoop loop = new CollectorLoop(new Collector(arm, settings(config), Clock.systemUTC()), publisher,
                config.kafkaClientProperties(), topics.posture(), config.kafkaTimeout(), progress);
        return new CollectorApp(arm, publisher, loop);
    }

    /** Which subscriptions to read, how, and how many at a time. */
    public static Collector.Settings settings(ContactAuditConfig config) {
        return new Collector.Settings(config.apiVersion(), config.concurrency(), config.subscriptions(),
                config.include(), config.exclude(), Collector.Settings.defaults().maxPages());
    }

    /** Endpoint, scope, timeout and retries of the Resource Manager client. */
    public static ArmClient.Settings armSettings(ContactAuditConfig config) {
        return new ArmClient.Settings(config.azureEndpoint(), config.azureScope(), config.requestTimeout(), config.maxRetries(),
                config.maxRetryDelay(), ArmClient.Settings.defaults().baseRetryDelay());
    }

    /** A client of Azure Resource Manager with the credential of {@code azure.credential}. */
    public static ArmClient arm(ContactAuditConfig config, Map<String, String> env) {
        return new ArmClient(armSettings(config), AzureCredentials.of(config.azureCredential(), env), null, Clock.systemUTC());
    }

    /** A client of a local Resource Manager endpoint (a scenario, the demo) that trusts {@code trust} and sends a fixed token. */
    public static ArmClient arm(ContactAuditConfig config, URI endpoint, SSLContext trust) {
        return new ArmClient(armSettings(config).withEndpoint(endpoint), Credentials.fixed("local"), trust, Clock.systemUTC());
    }

    /** The Resource Manager client, for its request statistics. */
    public ArmClient arm() {
        return arm;
    }

    /** The loop: one run, or runs on an interval. */
    public CollectorLoop loop() {
        return loop;
    }

    /** One run, published and flushed. */
    public RunSummary once() throws InterruptedException {
        return loop.once();
    }

    /** Waits until every snapshot sent so far is published. */
    public void flush() {
        publisher.flush();
    }

    /** Publishes what was sent and closes the publisher. */
    @Override
    public void close() {
        publisher.flush();
        publisher.close();
    }
}

package io.contactaudit.app;

import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import io.contactaudit.collector.ArmClient;
import io.contactaudit.collector.Collector;
import io.contactaudit.collector.CollectorLoop;
import io.contactaudit.collector.Credentials;
import io.contactaudit.collector.EventTrigger;
import io.contactaudit.collector.RunSummary;
import io.contactaudit.collector.SnapshotPublisher;
import io.contactaudit.collector.Tenant;
import io.contactaudit.config.ContactAuditConfig;
import io.contactaudit.config.TenantsFile;
import io.contactaudit.evaluate.errors.DeadLetters;
import io.contactaudit.kafka.Delivery;
import io.contactaudit.kafka.Topics;
import io.contactaudit.schema.DeadLetter;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The collector of a configuration, built one way for {@code collect}, {@code run}, {@code demo} and the
 * benchmarks: the Resource Manager client, the collector's settings, the snapshot publisher and the loop
 * that reads known subscriptions from the posture topic. {@link Lifecycle} runs it as a process.
 */
public final class CollectorApp implements AutoCloseable {

    private final List<Collector.Source> sources;
    private final SnapshotPublisher publisher;
    private final CollectorLoop loop;
    private final EventTrigger trigger;
    private final KafkaProducer<byte[], DeadLetter> rejects;

    private CollectorApp(
            List<Collector.Source> sources,
            SnapshotPublisher publisher,
            CollectorLoop loop,
            EventTrigger trigger,
            KafkaProducer<byte[], DeadLetter> rejects) {
        this.sources = sources;
        this.publisher = publisher;
        this.loop = loop;
        this.trigger = trigger;
        this.rejects = rejects;
    }

    /**
     * A collector reading through {@code arm} into the snapshot topic of {@code topics}; with {@code events.enabled},
     * also a trigger that reads a subscription again when Azure reports a change of its security contacts.
     */
    public static CollectorApp create(
            ContactAuditConfig config, Topics topics, ArmClient arm, Collector.Progress progress) {
        return create(config, topics, List.of(new Collector.Source(Tenant.ANY, arm)), progress);
    }

    /** A collector reading with {@code sources}, one identity per tenant (see {@link #sources}). */
    public static CollectorApp create(
            ContactAuditConfig config, Topics topics, List<Collector.Source> sources, Collector.Progress progress) {
        SnapshotPublisher publisher = SnapshotPublisher.create(config.kafkaClientProperties(), topics.snapshots());
        Collector collector = new Collector(sources, settings(config), Clock.systemUTC());
        CollectorLoop loop = new CollectorLoop(
                collector,
                publisher,
                config.kafkaClientProperties(),
                topics.posture(),
                config.kafkaTimeout(),
                progress);
        if (!config.eventsEnabled()) {
            return new CollectorApp(sources, publisher, loop, null, null);
        }
        Map<String, Object> producer = new HashMap<>(config.kafkaClientProperties());
        producer.put(ProducerConfig.ACKS_CONFIG, "all");
        producer.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        KafkaProducer<byte[], DeadLetter> rejects = new KafkaProducer<>(
                producer, topics.dlq().key().serializer(), topics.dlq().value().serializer());
        Map<String, Object> consumer = new HashMap<>(config.eventsClientProperties());
        consumer.put(ConsumerConfig.GROUP_ID_CONFIG, config.eventsGroupId());
        consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumer.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumer.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "contact-audit-collector-events");
        EventTrigger trigger = new EventTrigger(
                new KafkaConsumer<>(consumer, new ByteArrayDeserializer(), new ByteArrayDeserializer()),
                config.eventsTopic(),
                config.eventsDebounce(),
                config.concurrency(),
                collector,
                publisher,
                (record, cause) -> deadLetter(rejects, topics, record, cause),
                config.collectionInterval());
        return new CollectorApp(sources, publisher, loop, trigger, rejects);
    }

    /** A change event that is not one, whole, with its cause, on the dead-letter topic. */
    private static CompletableFuture<Void> deadLetter(
            KafkaProducer<byte[], DeadLetter> producer,
            Topics topics,
            ConsumerRecord<byte[], byte[]> record,
            String cause) {
        DeadLetter letter = DeadLetters.of(
                record.topic(),
                record.partition(),
                record.offset(),
                record.timestamp(),
                record.key(),
                record.value(),
                DeadLetters.Stage.VALIDATION,
                new IllegalArgumentException(cause),
                "contact-audit-collector",
                System.currentTimeMillis());
        return Delivery.send(producer, new ProducerRecord<>(topics.dlq().name(), record.key(), letter));
    }

    /** The change-triggered reads, or null when {@code events.enabled} is off. */
    public EventTrigger trigger() {
        return trigger;
    }

    /** Which subscriptions to read, how, and how many at a time. */
    public static Collector.Settings settings(ContactAuditConfig config) {
        return new Collector.Settings(
                config.apiVersion(),
                config.concurrency(),
                config.subscriptions(),
                config.include(),
                config.exclude(),
                Collector.Settings.defaults().maxPages());
    }

    /** Endpoint, scope, timeout and retries of the Resource Manager client. */
    public static ArmClient.Settings armSettings(ContactAuditConfig config) {
        return new ArmClient.Settings(
                config.azureEndpoint(),
                config.azureScope(),
                config.requestTimeout(),
                config.maxRetries(),
                config.maxRetryDelay(),
                ArmClient.Settings.defaults().baseRetryDelay(),
                config.tenantReadsBurst(),
                config.tenantReadsPerSecond());
    }

    /** A client of Azure Resource Manager with the credential of {@code azure.credential}. */
    public static ArmClient arm(ContactAuditConfig config, Map<String, String> env) {
        return new ArmClient(
                armSettings(config), AzureCredentials.of(config.azureCredential(), env), null, Clock.systemUTC());
    }

    /**
     * The identities of the configuration: one per tenant of {@code collector.tenants.file}, each with its own
     * credential and read pace; without the file, the single identity of {@code azure.credential}.
     */
    public static List<Collector.Source> sources(ContactAuditConfig config, Map<String, String> env) {
        return sources(config, env, null, null);
    }

    /**
     * The identities of the configuration against {@code endpoint} (null: Azure), a local endpoint trusted through
     * {@code trust} that also serves the tenants' tokens; without a tenants file, one identity with a fixed token.
     */
    public static List<Collector.Source> sources(
            ContactAuditConfig config, Map<String, String> env, URI endpoint, SSLContext trust) {
        if (config.tenantsFile() == null) {
            return List.of(new Collector.Source(
                    Tenant.ANY, endpoint == null ? arm(config, env) : arm(config, endpoint, trust)));
        }
        return sources(config, TenantsFile.read(config.tenantsFile()), env, endpoint, trust);
    }

    /**
     * The identities of {@code tenants}, against {@code endpoint} (null: azure.endpoint) with tokens from its
     * authority (a local endpoint that serves both, trusted through {@code trust}; null: Entra ID's).
     */
    public static List<Collector.Source> sources(
            ContactAuditConfig config, TenantsFile tenants, Map<String, String> env, URI endpoint, SSLContext trust) {
        HttpClient http = trust == null
                ? null
                : new JdkHttpClientBuilder(java.net.http.HttpClient.newBuilder().sslContext(trust)).build();
        String authority = endpoint != null ? endpoint.toString() : config.azureAuthorityHost();
        List<Collector.Source> sources = new ArrayList<>();
        for (TenantsFile.Entry t : tenants.tenants()) {
            ArmClient.Settings settings = armSettings(config)
                    .withReads(
                            config.tenantReadsBurst(),
                            t.readsPerSecond() != null ? t.readsPerSecond() : config.tenantReadsPerSecond());
            if (endpoint != null) {
                settings = settings.withEndpoint(endpoint);
            }
            sources.add(new Collector.Source(
                    new Tenant(t.tenantId(), t.displayName(), t.includePattern(), t.excludePattern()),
                    new ArmClient(
                            settings, AzureCredentials.forTenant(t, env, authority, http), trust, Clock.systemUTC())));
        }
        return sources;
    }

    /** The Resource Manager client of remediate --apply: remediation.azure.credential, which may write. */
    public static ArmClient remediationArm(ContactAuditConfig config, Map<String, String> env) {
        return new ArmClient(
                armSettings(config), AzureCredentials.of(config.remediationCredential(), env), null, Clock.systemUTC());
    }

    /** A client of a local Resource Manager endpoint (a scenario, the demo) that trusts {@code trust} and sends a fixed token. */
    public static ArmClient arm(ContactAuditConfig config, URI endpoint, SSLContext trust) {
        return new ArmClient(
                armSettings(config).withEndpoint(endpoint), Credentials.fixed("local"), trust, Clock.systemUTC());
    }

    /** The identities, for their request statistics. */
    public List<Collector.Source> sources() {
        return sources;
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

    /** Publishes what was sent and closes the publishers. */
    @Override
    public void close() {
        publisher.flush();
        publisher.close();
        if (rejects != null) {
            rejects.close();
        }
    }
}

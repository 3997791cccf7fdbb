package io.contactaudit.app;

import io.contactaudit.config.ContactAuditConfig;
import io.contactaudit.evaluate.BacklogProbe;
import io.contactaudit.evaluate.ConsumerLag;
import io.contactaudit.evaluate.EvaluateTopology;
import io.contactaudit.evaluate.ExceptionCounts;
import io.contactaudit.evaluate.StreamsRunner;
import io.contactaudit.kafka.Topics;
import io.contactaudit.observe.PostureView;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DefaultProductionExceptionHandler;
import org.apache.kafka.streams.errors.LogAndFailExceptionHandler;
import org.apache.kafka.streams.errors.LogAndFailProcessingExceptionHandler;
import org.apache.kafka.streams.state.HostInfo;

/**
 * The evaluator of a configuration, built one way for {@code evaluate}, {@code run}, {@code demo}, the
 * benchmarks and the tests: the topology's settings and the Streams properties come from the configuration
 * here and nowhere else. {@link Lifecycle} runs it as a process.
 */
public final class EvaluatorApp implements AutoCloseable {

    /** The consumer setting (internal to the Kafka clients) that makes a dynamic member send LeaveGroup when it closes. */
    static final String LEAVE_GROUP_ON_CLOSE = "internal.leave.group.on.close";

    private final EvaluateTopology.Settings settings;
    private final StreamsRunner runner;
    private final Topics topics;

    private EvaluatorApp(EvaluateTopology.Settings settings, StreamsRunner runner, Topics topics) {
        this.settings = settings;
        this.runner = runner;
        this.topics = topics;
    }

    /** The evaluate topology over {@code topics} with the settings of {@code config}, ready to start. */
    public static EvaluatorApp create(ContactAuditConfig config, Topics topics) {
        EvaluateTopology.Settings settings = settings(config);
        AtomicReference<StreamsRunner> runner = new AtomicReference<>();
        BacklogProbe backlog = new ConsumerLag(
                () -> runner.get() == null ? Map.of() : runner.get().streams().metrics());
        runner.set(new StreamsRunner(EvaluateTopology.build(topics, settings, backlog), properties(config)));
        return new EvaluatorApp(settings, runner.get(), topics);
    }

    /** What the topology decides with: profile, staleness window and check interval, redaction, emission of findings. */
    public static EvaluateTopology.Settings settings(ContactAuditConfig config) {
        return new EvaluateTopology.Settings(
                config.profile(),
                config.staleAfter(),
                config.staleCheckInterval(),
                config.redaction(),
                config.findingsEveryEvaluation() ? EvaluateTopology.Emission.EVERY : EvaluateTopology.Emission.CHANGES,
                config.findingsRefresh(),
                config.stateInMemory() ? EvaluateTopology.StoreKind.MEMORY : EvaluateTopology.StoreKind.ROCKSDB);
    }

    /** Streams settings from the configuration: exactly-once v2, explicit handlers, client settings passed through. */
    public static Properties properties(ContactAuditConfig config) {
        Properties props = new Properties();
        Map<String, Object> client = config.kafkaClientProperties();
        props.putAll(client);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(
                StreamsConfig.STATE_DIR_CONFIG,
                config.stateDir().toAbsolutePath().toString());
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.numStreamThreads());
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndFailExceptionHandler.class);
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndFailProcessingExceptionHandler.class);
        props.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DefaultProductionExceptionHandler.class);
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) config.topicReplicationFactor());
        props.putIfAbsent(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        // Kafka Streams keeps a closed member in the group until its session.timeout.ms (45 s) has passed, so a
        // restarted
        // evaluator sat idle that long. A clean close now leaves the group and a restart gets its partitions at once.
        // Static members (group.instance.id, for orchestrated rolling restarts) never leave on close: this changes
        // nothing for them.
        props.putIfAbsent(StreamsConfig.mainConsumerPrefix(LEAVE_GROUP_ON_CLOSE), true);
        // Each snapshot becomes a changelog record and, when something changed, a finding, an OCSF event, drift and a
        // posture record, all in one transaction; compressed, larger batches cut the producer's and the broker's work
        // per record (docs/benchmarks.md).
        producerDefault(props, ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        producerDefault(props, ProducerConfig.BATCH_SIZE_CONFIG, 262_144);
        HostInfo advertised = advertised(config);
        if (advertised != null) {
            props.putIfAbsent(StreamsConfig.APPLICATION_SERVER_CONFIG, advertised.host() + ":" + advertised.port());
        }
        return props;
    }

    /** Sets a producer setting unless the configuration sets it, for every client or for the producer alone. */
    private static void producerDefault(Properties props, String key, Object value) {
        if (!props.containsKey(key) && !props.containsKey(StreamsConfig.producerPrefix(key))) {
            props.put(StreamsConfig.producerPrefix(key), value);
        }
    }

    /**
     * How many records of the snapshot topic the evaluator of {@code config} has not yet processed and committed: the
     * end offsets less its consumer group's committed offsets. Zero means that everything it wrote for them is visible
     * to read_committed readers (the offsets are committed in the same transaction). Works whatever the evaluator
     * emits for each snapshot, where counting its output does not.
     */
    public static long unprocessed(Admin admin, ContactAuditConfig config, Topics topics)
            throws InterruptedException, ExecutionException {
        return unprocessed(admin, config.applicationId(), topics.snapshots().name());
    }

    /** How many records of {@code topic} the consumer group {@code group} has not committed: end offsets less committed offsets. */
    public static long unprocessed(Admin admin, String group, String topic)
            throws InterruptedException, ExecutionException {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin.describeTopics(List.of(topic))
                .allTopicNames()
                .get()
                .get(topic)
                .partitions()
                .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
                admin.listOffsets(latest).all().get();
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get();
        long behind = 0;
        for (var end : ends.entrySet()) {
            OffsetAndMetadata at = committed.get(end.getKey());
            behind += Math.max(0, end.getValue().offset() - (at == null ? 0 : at.offset()));
        }
        return behind;
    }

    /** The settings the topology was built with. */
    public EvaluateTopology.Settings settings() {
        return settings;
    }

    /** The Streams client's runner: state, failure, metrics. */
    public StreamsRunner runner() {
        return runner;
    }

    /** The exceptions this evaluator holds, by state, now; null while it is not running. */
    public ExceptionCounts exceptionCounts() {
        return ExceptionCounts.of(
                runner.streams(),
                topics.exceptions().value().deserializer(),
                topics.exceptions().name(),
                Instant.now());
    }

    /** The live posture pages of this evaluator ({@code /posture}, {@code /}), asking the others through {@link #advertised}. */
    public PostureView postureView(ContactAuditConfig config) {
        return new PostureView(runner.streams(), topics, config.kafkaClientProperties(), advertised(config));
    }

    /**
     * Where the other evaluators reach this one's HTTP endpoints for the live posture ({@code application.server}):
     * {@code http.host}, or this machine's name when that is a wildcard, and {@code http.port}; null without HTTP
     * endpoints or with a port chosen at start (0).
     */
    public static HostInfo advertised(ContactAuditConfig config) {
        int port = config.httpPort();
        if (port <= 0) {
            return null;
        }
        String host = config.httpHost();
        if (host.equals("0.0.0.0") || host.equals("::")) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                host = "localhost";
            }
        }
        return new HostInfo(host, port);
    }

    /** Starts processing. */
    public void start() {
        runner.start();
    }

    @Override
    public void close() {
        runner.close();
    }
}

package io.contactaudit.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Apache Kafka's own KRaft broker (combined broker and controller, one node) in this JVM, on free
 * loopback ports, with its data in a directory: formatted on first start, reused on restart, so that
 * history survives. For {@code demo}, small {@code run} deployments and integration tests; not a
 * production cluster (one replica, plaintext, loopback only).
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    /** A SCRAM-SHA-512 user for an additional SASL_PLAINTEXT listener (for testing secure client settings). */
    public record Scram(String user, String password) {}

    private final Path dataDir;
    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private final String saslBootstrapServers;

    private EmbeddedKafka(Path dataDir, KafkaRaftServer server, String bootstrapServers, String saslBootstrapServers) {
        this.dataDir = dataDir;
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.saslBootstrapServers = saslBootstrapServers;
    }

    /** Starts a broker whose data lives in {@code dataDir} (created and formatted when new). */
    public static EmbeddedKafka start(Path dataDir) throws IOException {
        return start(dataDir, 0);
    }

    /** Starts a broker on {@code port} (0: a free one) with its data in {@code dataDir}. */
    public static EmbeddedKafka start(Path dataDir, int port) throws IOException {
        return start(dataDir, port, null);
    }

    /**
     * Starts a broker on {@code port} (0: a free one) with its data in {@code dataDir}; with {@code scram},
     * also a SASL_PLAINTEXT listener that accepts that SCRAM-SHA-512 user (created when the data is formatted).
     */
    public static EmbeddedKafka start(Path dataDir, int port, Scram scram) throws IOException {
        Node node = new Node(1, port == 0 ? freePort() : port, freePort());
        return start(dataDir, Uuid.randomUuid().toString(), node, List.of(node), scram);
    }

    /**
     * One node of a cluster of combined broker and controller nodes on loopback; its ports stay the same across
     * restarts.
     */
    public record Node(int id, int brokerPort, int controllerPort) {

        /** A node on free ports. */
        public static Node free(int id) throws IOException {
            return new Node(id, freePort(), freePort());
        }
    }

    /**
     * Starts one node of a cluster whose controller quorum is {@code voters} (this node among them), with its data in
     * {@code dataDir} (formatted with {@code clusterId} when new). With three or more voters, internal topics and new
     * topics get three replicas and {@code min.insync.replicas} 2: for tests of replication and of lost brokers.
     */
    public static EmbeddedKafka startNode(Path dataDir, String clusterId, Node node, List<Node> voters)
            throws IOException {
        return start(dataDir, clusterId, node, voters, null);
    }

    private static EmbeddedKafka start(Path dataDir, String clusterId, Node node, List<Node> voters, Scram scram)
            throws IOException {
        Files.createDirectories(dataDir);
        Path logs = dataDir.toAbsolutePath().resolve("logs");
        int brokerPort = node.brokerPort();
        int controllerPort = node.controllerPort();
        String replicas = voters.size() >= 3 ? "3" : "1";
        String minIsr = voters.size() >= 3 ? "2" : "1";
        Map<String, String> props = new TreeMap<>();
        props.put("process.roles", "broker,controller");
        props.put("node.id", String.valueOf(node.id()));
        props.put(
                "controller.quorum.voters",
                String.join(
                        ",",
                        voters.stream()
                                .map(v -> v.id() + "@127.0.0.1:" + v.controllerPort())
                                .toList()));
        int saslPort = scram == null ? -1 : freePort();
        String sasl = scram == null ? "" : ",SASL_PLAINTEXT://127.0.0.1:" + saslPort;
        props.put(
                "listeners",
                "PLAINTEXT://127.0.0.1:" + brokerPort + sasl + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + sasl);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put(
                "listener.security.protocol.map",
                "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT" + (scram == null ? "" : ",SASL_PLAINTEXT:SASL_PLAINTEXT"));
        if (scram != null) {
            props.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
            props.put(
                    "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config",
                    "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        }
        props.put("log.dirs", logs.toString());
        props.put("auto.create.topics.enable", "false");
        props.put("num.partitions", "1");
        props.put("default.replication.factor", replicas);
        props.put("min.insync.replicas", minIsr);
        props.put("offsets.topic.replication.factor", replicas);
        props.put("offsets.topic.num.partitions", "4");
        props.put("transaction.state.log.replication.factor", replicas);
        props.put("transaction.state.log.min.isr", minIsr);
        props.put("transaction.state.log.num.partitions", "4");
        props.put("share.coordinator.state.topic.replication.factor", replicas);
        props.put("share.coordinator.state.topic.min.isr", minIsr);
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024));

        Path config = dataDir.resolve("server.properties");
        Properties file = new Properties();
        file.putAll(props);
        try (Writer writer = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
            file.store(writer, "embedded KRaft broker of contact-audit; ports change at every start");
        }
        if (!Files.exists(logs.resolve("meta.properties"))) {
            format(config, clusterId, scram);
        }
        long started = System.nanoTime();
        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
        try {
            server.startup();
        } catch (RuntimeException e) {
            server.shutdown();
            throw new IOException("the embedded Kafka broker in " + dataDir + " did not start: " + e.getMessage(), e);
        }
        String bootstrap = "127.0.0.1:" + brokerPort;
        LOG.info(
                "embedded Kafka broker at {} (data {}) started in {} ms",
                bootstrap,
                dataDir,
                (System.nanoTime() - started) / 1_000_000);
        return new EmbeddedKafka(dataDir, server, bootstrap, scram == null ? null : "127.0.0.1:" + saslPort);
    }

    private static void format(Path config, String clusterId, Scram scram) throws IOException {
        // a random cluster id may start with '-', which the tool would read as an option: pass it with '='
        List<String> list =
                new ArrayList<>(List.of("format", "--cluster-id=" + clusterId, "--config", config.toString()));
        if (scram != null) {
            list.add("--add-scram");
            list.add("SCRAM-SHA-512=[name=" + scram.user() + ",password=" + scram.password() + "]");
        }
        String[] args = list.toArray(String[]::new);
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int code;
        try (PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            code = StorageTool.execute(args, print);
        } catch (RuntimeException e) {
            throw new IOException("cannot format the embedded Kafka data directory: " + e.getMessage(), e);
        }
        if (code != 0) {
            throw new IOException("cannot format the embedded Kafka data directory (exit " + code + "): "
                    + output.toString(StandardCharsets.UTF_8).trim());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    /** {@code 127.0.0.1:PORT}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** {@code 127.0.0.1:PORT} of the SASL_PLAINTEXT (SCRAM-SHA-512) listener, or null. */
    public String saslBootstrapServers() {
        return saslBootstrapServers;
    }

    /** Where the broker keeps its data. */
    public Path dataDir() {
        return dataDir;
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }
}

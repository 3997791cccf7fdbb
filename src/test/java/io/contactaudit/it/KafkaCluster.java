package io.contactaudit.it;

import io.contactaudit.embedded.EmbeddedKafka;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A replicated Apache Kafka cluster in this JVM: {@code n} KRaft nodes, each broker and controller, on fixed
 * loopback ports, so that a node can be stopped and started again where it was. Three nodes give topics three
 * replicas and {@code min.insync.replicas} 2.
 */
final class KafkaCluster implements AutoCloseable {

    private final Path dir;
    private final String clusterId = Uuid.randomUuid().toString();
    private final List<EmbeddedKafka.Node> nodes = new ArrayList<>();
    private final Map<Integer, EmbeddedKafka> running = new ConcurrentHashMap<>();

    private KafkaCluster(Path dir) {
        this.dir = dir;
    }

    /** Starts {@code n} nodes at once (each waits for a controller quorum). */
    static KafkaCluster start(Path dir, int n) throws IOException {
        KafkaCluster cluster = new KafkaCluster(dir);
        for (int id = 1; id <= n; id++) {
            cluster.nodes.add(EmbeddedKafka.Node.free(id));
        }
        try {
            CompletableFuture.allOf(cluster.nodes.stream()
                            .map(node -> CompletableFuture.runAsync(() -> cluster.startNode(node.id())))
                            .toArray(CompletableFuture[]::new))
                    .get(120, TimeUnit.SECONDS);
        } catch (Exception e) {
            cluster.close();
            throw new IOException("the cluster did not start: " + e.getMessage(), e);
        }
        return cluster;
    }

    /** Every node's address, as a client's bootstrap.servers. */
    String bootstrapServers() {
        return nodes.stream().map(n -> "127.0.0.1:" + n.brokerPort()).collect(Collectors.joining(","));
    }

    /** Stops node {@code id} (a clean shutdown: its partitions' leadership moves to the others). */
    void stop(int id) {
        EmbeddedKafka node = running.remove(id);
        if (node != null) {
            node.close();
        }
    }

    /** Starts node {@code id} again on its ports, with its data. */
    void restart(int id) {
        startNode(id);
    }

    private void startNode(int id) {
        EmbeddedKafka.Node node = nodes.get(id - 1);
        try {
            running.put(id, EmbeddedKafka.startNode(dir.resolve("node-" + id), clusterId, node, nodes));
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** The id of the node leading {@code topic}'s partition {@code partition}. */
    int leaderOf(String topic, int partition) throws Exception {
        try (Admin admin = admin()) {
            return admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get(30, TimeUnit.SECONDS)
                    .get(topic)
                    .partitions()
                    .get(partition)
                    .leader()
                    .id();
        }
    }

    Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
    }

    @Override
    public void close() {
        // in parallel: a node shutting down alone waits for the others' controller quorum
        CompletableFuture.allOf(running.keySet().stream()
                        .map(id -> CompletableFuture.runAsync(() -> stop(id)))
                        .toArray(CompletableFuture[]::new))
                .join();
    }
}

package io.contactaudit.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks at start that the brokers answer and the topics exist; creates missing topics with their
 * settings when allowed. Idempotent: existing topics are left as they are.
 */
public final class TopicProvisioner {

    private static final Logger LOG = LoggerFactory.getLogger(TopicProvisioner.class);

    /**
     * How topics are provisioned at start.
     *
     * @param create            create missing topics (else fail listing them)
     * @param partitions        partitions of created topics
     * @param replicationFactor replication factor of created topics; -1 for the broker default
     * @param timeout           how long to wait for the brokers
     */
    public record Settings(boolean create, int partitions, short replicationFactor, Duration timeout) {}

    private TopicProvisioner() {}

    /** Waits for the brokers and makes sure every topic exists; the names of the topics created. */
    public static List<String> prepare(Map<String, Object> clientProperties, Topics topics, Settings settings) {
        try (Admin admin = admin(clientProperties, settings.timeout())) {
            awaitBrokers(
                    admin,
                    String.valueOf(clientProperties.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG)),
                    settings.timeout());
            return ensure(
                    admin,
                    topics.all(),
                    settings.create(),
                    settings.partitions(),
                    settings.replicationFactor(),
                    settings.timeout());
        }
    }

    /**
     * Makes sure a topic outside the project's set exists (the stand-in for an Event Hub in the demo, {@code --scenario
     * --events} and the benchmarks): created with {@code partitions} and the broker's replication when missing, then
     * waited for like the project's own.
     */
    public static void ensureTopic(
            Map<String, Object> clientProperties, String name, int partitions, Duration timeout) {
        TopicSpec<byte[], byte[]> topic = TopicSpec.ofBytes(name, Map.of(), "an input from outside");
        try (Admin admin = admin(clientProperties, timeout)) {
            ensure(admin, List.of(topic), true, partitions, (short) -1, timeout);
        }
    }

    /**
     * Waits until every partition of the new topics has a leader that serves it: producing into a partition
     * the broker has not taken up yet gets NOT_LEADER_OR_FOLLOWER, and an idempotent producer's retries of such
     * a first batch can end in an out-of-order-sequence loop. A leader in the metadata is not enough (the
     * broker may not have opened the log yet): a ListOffsets answered by the leader is.
     */
    static void awaitLeaders(Admin admin, List<String> topics, Duration timeout)
            throws ExecutionException, TimeoutException, InterruptedException {
        if (topics.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                // both fail, retriably, while the metadata does not know a new topic yet, a partition has no
                // leader, or its leader does not serve it yet
                Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
                admin.describeTopics(topics)
                        .allTopicNames()
                        .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                        .values()
                        .forEach(d -> d.partitions()
                                .forEach(p -> partitions.put(
                                        new TopicPartition(d.name(), p.partition()), OffsetSpec.latest())));
                admin.listOffsets(partitions).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RetriableException)) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "the new topics " + topics + " have no serving leader after " + timeout.toSeconds() + " s");
            }
            Thread.sleep(50);
        }
    }

    /** An Admin client whose calls give up after {@code timeout}. */
    public static Admin admin(Map<String, Object> clientProperties, Duration timeout) {
        Map<String, Object> props = new HashMap<>(clientProperties);
        int ms = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        props.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms);
        props.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(ms, 30_000));
        props.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "contact-audit-admin");
        return Admin.create(props);
    }

    /** Fails with a clear message when no broker answers within {@code timeout}. */
    public static void awaitBrokers(Admin admin, String bootstrapServers, Duration timeout) {
        try {
            admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            throw new IllegalStateException(
                    "cannot reach Kafka at " + bootstrapServers + " within " + timeout.toSeconds()
                            + " s (is the broker running, and are bootstrap.servers and the security settings right?)",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Kafka", e);
        }
    }

    /**
     * Makes sure every topic exists.
     *
     * @param create            create missing topics (else fail listing them)
     * @param partitions        partitions of created topics
     * @param replicationFactor replication factor of created topics; -1 for the broker default
     * @return the names of the topics created
     */
    public static List<String> ensure(
            Admin admin,
            Collection<TopicSpec<?, ?>> topics,
            boolean create,
            int partitions,
            short replicationFactor,
            Duration timeout) {
        try {
            Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            List<TopicSpec<?, ?>> missing =
                    topics.stream().filter(t -> !existing.contains(t.name())).toList();
            if (missing.isEmpty()) {
                return List.of();
            }
            if (!create) {
                throw new IllegalStateException("missing topics: "
                        + String.join(
                                ", ", missing.stream().map(TopicSpec::name).toList())
                        + "; create them (see ops/) or set topics.create=true");
            }
            List<NewTopic> requests = new ArrayList<>();
            for (TopicSpec<?, ?> topic : missing) {
                requests.add(new NewTopic(topic.name(), Optional.of(partitions), Optional.of(replicationFactor))
                        .configs(topic.config()));
            }
            List<String> created = new ArrayList<>();
            admin.createTopics(requests).values().forEach((name, future) -> {
                try {
                    future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                    created.add(name);
                    LOG.info("created topic {} ({} partitions)", name, partitions);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException(
                                "cannot create topic " + name + ": "
                                        + e.getCause().getMessage(),
                                e.getCause());
                    }
                } catch (TimeoutException e) {
                    throw new IllegalStateException(
                            "creating topic " + name + " timed out after " + timeout.toSeconds() + " s", e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while creating topics", e);
                }
            });
            awaitLeaders(admin, created, timeout);
            return created;
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot list topics: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while listing topics", e);
        }
    }
}

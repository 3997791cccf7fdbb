package io.contactaudit.it;

import static org.awaitility.Awaitility.await;

import io.contactaudit.embedded.EmbeddedKafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The broker of the integration tests: an external one when {@code KAFKA_BOOTSTRAP_SERVERS} is set,
 * else Apache Kafka's KRaft broker in this JVM ({@link EmbeddedKafka}), started on first use and stopped
 * at exit. Helpers take the bootstrap servers so that the same tests run against a container too.
 */
public final class TestKafka {

    private static EmbeddedKafka broker;

    private TestKafka() {}

    /** The shared broker's bootstrap servers. */
    public static synchronized String bootstrapServers() {
        String external = System.getenv("KAFKA_BOOTSTRAP_SERVERS");
        if (external != null && !external.isBlank()) {
            return external;
        }
        if (broker == null) {
            try {
                Path dir = Files.createTempDirectory("contact-audit-it-kafka");
                broker = EmbeddedKafka.start(dir);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    broker.close();
                    try {
                        io.contactaudit.demo.Directories.deleteRecursively(dir);
                    } catch (IOException e) {
                        System.err.println("could not delete the test broker's directory " + dir + ": " + e);
                    }
                }));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return broker.bootstrapServers();
    }

    /** A topic prefix no other test uses. */
    public static String uniquePrefix(String test) {
        return "it-" + test + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** An idempotent, acks=all producer to the shared broker. */
    public static <K, V> KafkaProducer<K, V> producer(Serializer<K> key, Serializer<V> value) {
        return producer(bootstrapServers(), key, value);
    }

    /**
     * An idempotent, acks=all producer, one request in flight: the tests seed topics they have just created, and
     * an idempotent producer whose first batches meet NOT_LEADER_OR_FOLLOWER with several requests in flight
     * can loop on OUT_OF_ORDER_SEQUENCE_NUMBER until its delivery timeout (seen twice in CrashRecoveryIT).
     */
    public static <K, V> KafkaProducer<K, V> producer(String bootstrap, Serializer<K> key, Serializer<V> value) {
        return new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrap,
                        ProducerConfig.ACKS_CONFIG,
                        "all",
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                        true,
                        ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION,
                        1),
                key,
                value);
    }

    /** Reads {@code topic} of the shared broker with read_committed until {@code count} records arrived. */
    public static <K, V> List<ConsumerRecord<K, V>> readCommitted(
            String topic, Deserializer<K> key, Deserializer<V> value, int count, Duration timeout) {
        return readCommitted(bootstrapServers(), topic, key, value, count, timeout);
    }

    /**
     * Reads {@code topic} with read_committed from the beginning until {@code count} records arrived, then
     * a little longer, so that a test also sees records that should not be there.
     */
    public static <K, V> List<ConsumerRecord<K, V>> readCommitted(
            String bootstrap, String topic, Deserializer<K> key, Deserializer<V> value, int count, Duration timeout) {
        List<ConsumerRecord<K, V>> records = new ArrayList<>();
        // assigned, not subscribed: no consumer group to join, nothing committed
        try (KafkaConsumer<K, V> consumer = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrap,
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                        "read_committed",
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        false),
                key,
                value)) {
            List<org.apache.kafka.common.TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await().atMost(timeout).pollInterval(Duration.ofMillis(50)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= count;
            });
            // one more poll: anything beyond the expected count is a duplicate or an unexpected record
            consumer.poll(Duration.ofMillis(500)).forEach(records::add);
        }
        return records;
    }
}

package io.contactaudit.exceptions;

import io.contactaudit.Errors;
import io.contactaudit.kafka.CompactedTopic;
import io.contactaudit.kafka.Delivery;
import io.contactaudit.kafka.TopicSpec;
import io.contactaudit.schema.ComplianceException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/** The exceptions topic: every exception's latest record, and writing one (a grant or a revocation) under its key. */
public final class ExceptionTopic {

    private ExceptionTopic() {}

    /** Key → latest record of every exception on {@code topic}. */
    public static Map<String, ComplianceException> read(
            Map<String, Object> clientProperties, TopicSpec<String, ComplianceException> topic, Duration timeout) {
        return CompactedTopic.latest(clientProperties, topic, timeout);
    }

    /** Writes {@code record} under its key ({@link Exceptions#key}) and waits for the brokers to acknowledge it. */
    public static void write(
            Map<String, Object> clientProperties,
            TopicSpec<String, ComplianceException> topic,
            ComplianceException record) {
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "contact-audit-exceptions");
        try (KafkaProducer<String, ComplianceException> producer =
                new KafkaProducer<>(props, new StringSerializer(), topic.value().serializer())) {
            Delivery.send(producer, new ProducerRecord<>(topic.name(), Exceptions.key(record), record))
                    .get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "cannot write exception " + record.getExceptionId() + ": " + Errors.messages(e.getCause()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing exception " + record.getExceptionId(), e);
        }
    }
}

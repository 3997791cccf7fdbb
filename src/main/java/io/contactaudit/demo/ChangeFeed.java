package io.contactaudit.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What Azure delivers to an Event Hub for each security-contact change {@link FakeArm} accepts, written to a local
 * topic standing in for the hub, in the real shapes and with their quirks: null keys; the Activity Log's {@code Start}
 * record in one message and its {@code Success} record, upper case and next to a record about another resource, in the
 * next; and the subscription's Event Grid system topic event for the same write (same correlation id), as a
 * one-element array. Nothing in them says what the contact now is: a reader must read the subscription again.
 */
public final class ChangeFeed implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChangeFeed.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final AtomicLong messages = new AtomicLong();

    private ChangeFeed(KafkaProducer<byte[], byte[]> producer, String topic) {
        this.producer = producer;
        this.topic = topic;
    }

    /** Publishes every change {@code arm} accepts to {@code topic}, through a producer with {@code clientProperties}. */
    public static ChangeFeed start(FakeArm arm, Map<String, Object> clientProperties, String topic) {
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "contact-audit-change-feed");
        ChangeFeed feed =
                new ChangeFeed(new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer()), topic);
        arm.onChange(feed::publish);
        return feed;
    }

    /** Messages written so far. */
    public long messages() {
        return messages.get();
    }

    /** The messages Azure delivers for one change, in the order it delivers them here. */
    static List<String> messagesOf(FakeArm.ContactChange change) {
        return List.of(
                activityLog(activityRecord(change, "Start", "Started")),
                activityLog(
                        activityRecord(change, "Success", "OK"), otherResource(change.subscriptionId(), change.time())),
                eventGrid(change));
    }

    private void publish(FakeArm.ContactChange change) {
        for (String message : messagesOf(change)) {
            producer.send(new ProducerRecord<>(topic, null, message.getBytes(StandardCharsets.UTF_8)), (meta, e) -> {
                if (e != null) {
                    LOG.warn(
                            "a change event for {} was not written to {}: {}",
                            change.subscriptionId(),
                            topic,
                            e.toString());
                }
            });
            messages.incrementAndGet();
        }
        producer.flush();
    }

    private static String activityLog(ObjectNode... records) {
        ObjectNode message = JSON.createObjectNode();
        ArrayNode array = message.putArray("records");
        for (ObjectNode record : records) {
            array.add(record);
        }
        return message.toString();
    }

    /** An Activity Log record as a diagnostic setting writes it: upper-case operation and resource id. */
    private static ObjectNode activityRecord(FakeArm.ContactChange change, String resultType, String resultSignature) {
        String operation =
                "MICROSOFT.SECURITY/SECURITYCONTACTS/" + change.operation().toUpperCase(Locale.ROOT);
        ObjectNode record = JSON.createObjectNode();
        record.put("time", change.time().toString());
        record.put("resourceId", change.resourceId().toUpperCase(Locale.ROOT));
        record.put("operationName", operation);
        record.put("category", "Administrative");
        record.put("resultType", resultType);
        record.put("resultSignature", resultSignature);
        record.put("durationMs", "0");
        record.put("callerIpAddress", "203.0.113.7");
        record.put("correlationId", change.correlationId());
        record.putObject("identity").putObject("claims").put("name", "secops-automation");
        record.put("level", "Information");
        record.put("tenantId", change.tenantId());
        record.putObject("properties").put("eventCategory", "Administrative").put("entity", change.resourceId());
        return record;
    }

    /** A successful write of another resource type in the same subscription: ignored by a reader. */
    private static ObjectNode otherResource(String subscriptionId, Instant time) {
        ObjectNode record = JSON.createObjectNode();
        record.put("time", time.toString());
        record.put(
                "resourceId",
                ("/subscriptions/" + subscriptionId
                                + "/resourceGroups/rg-web/providers/Microsoft.Storage/storageAccounts/stweb01")
                        .toUpperCase(Locale.ROOT));
        record.put("operationName", "MICROSOFT.STORAGE/STORAGEACCOUNTS/WRITE");
        record.put("category", "Administrative");
        record.put("resultType", "Success");
        record.put("correlationId", UUID.randomUUID().toString());
        record.put("level", "Information");
        return record;
    }

    /** The event of the subscription's Event Grid system topic, in the Event Grid schema, as a one-element array. */
    private static String eventGrid(FakeArm.ContactChange change) {
        boolean delete = "delete".equals(change.operation());
        ArrayNode events = JSON.createArrayNode();
        ObjectNode event = events.addObject();
        event.put("id", UUID.randomUUID().toString());
        event.put("topic", "/subscriptions/" + change.subscriptionId());
        event.put("subject", change.resourceId());
        event.put(
                "eventType",
                delete ? "Microsoft.Resources.ResourceDeleteSuccess" : "Microsoft.Resources.ResourceWriteSuccess");
        event.put("eventTime", change.time().toString());
        event.put("dataVersion", "");
        event.put("metadataVersion", "1");
        ObjectNode data = event.putObject("data");
        data.put("correlationId", change.correlationId());
        data.put("resourceProvider", "Microsoft.Security");
        data.put("resourceUri", change.resourceId());
        data.put("operationName", "Microsoft.Security/securityContacts/" + change.operation());
        data.put("status", "Succeeded");
        data.put("subscriptionId", change.subscriptionId());
        data.put("tenantId", change.tenantId());
        return events.toString();
    }

    @Override
    public void close() {
        producer.close();
    }
}

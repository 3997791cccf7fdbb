package io.contactaudit.collector;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.contactaudit.rule.SecurityContactsNormalizer;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Security-contact changes in the messages Azure delivers to an Event Hub (read through its Kafka endpoint), in the
 * two shapes Azure writes them:
 *
 * <ul>
 *   <li><b>Activity Log</b> through a diagnostic setting: one JSON object {@code {"records": [...]}}; a write is
 *   logged as a {@code Start} record and a terminal one, and only the terminal success counts
 *   ({@code resultType} Success or Succeeded). {@code operationName} and {@code resourceId} arrive in any case.</li>
 *   <li><b>Event Grid</b> system topic of the subscription: {@code Microsoft.Resources.ResourceWriteSuccess} and
 *   {@code ResourceDeleteSuccess}, in the Event Grid schema or as CloudEvents 1.0, usually a one-element array.</li>
 * </ul>
 *
 * Events carry no contact state: a change only says which subscription to read again. Everything else on the hub
 * (other resource types, reads, failed or started writes) is ignored and counted.
 */
public final class ChangeEvents {

    /** Where a change was read from. */
    public enum Source {
        ACTIVITY_LOG,
        EVENT_GRID,
        CLOUD_EVENTS
    }

    /**
     * A write or delete of a subscription's security contact.
     *
     * @param subscriptionId the subscription, lower case
     * @param tenantId       its tenant, when the event says
     * @param eventId        the id to de-duplicate by: the ARM correlation id where there is one (the Activity Log
     *                       record and the Event Grid event of one write share it), else the event's own id
     * @param eventTime      when Azure says the change happened
     * @param operation      {@code write} or {@code delete}
     * @param source         the shape it came in
     */
    public record Change(
            String subscriptionId,
            String tenantId,
            String eventId,
            Instant eventTime,
            String operation,
            Source source) {}

    /** What one message held: the changes, and how many of its entries were about something else. */
    public record Parsed(List<Change> changes, int ignored) {}

    /** A message that is not one of the shapes above (not JSON, the wrong JSON type, a change without a time). */
    public static final class MalformedEventException extends Exception {
        MalformedEventException(String message) {
            super(message);
        }
    }

    private static final ObjectMapper JSON = SecurityContactsNormalizer.boundedMapper();
    private static final Pattern CONTACT = Pattern.compile(
            "^/subscriptions/([^/]+)/providers/microsoft\\.security/securitycontacts/[^/]+$", Pattern.CASE_INSENSITIVE);
    private static final String OPERATION = "microsoft.security/securitycontacts/";
    private static final String WRITE_SUCCESS = "microsoft.resources.resourcewritesuccess";
    private static final String DELETE_SUCCESS = "microsoft.resources.resourcedeletesuccess";

    private ChangeEvents() {}

    /** The changes in one message's value. */
    public static Parsed parse(byte[] value) throws MalformedEventException {
        if (value == null || value.length == 0) {
            throw new MalformedEventException("an empty message");
        }
        JsonNode root;
        try {
            root = JSON.readTree(value);
        } catch (JacksonException e) {
            throw new MalformedEventException("not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new MalformedEventException("unreadable: " + e.getMessage());
        }
        List<Change> changes = new ArrayList<>();
        int ignored = 0;
        if (root != null && root.isObject() && root.has("records")) {
            JsonNode records = root.get("records");
            if (!records.isArray()) {
                throw new MalformedEventException("Activity Log message whose records are not an array");
            }
            for (JsonNode record : records) {
                Change change = activityLog(record);
                if (change == null) {
                    ignored++;
                } else {
                    changes.add(change);
                }
            }
        } else if (root != null && (root.isArray() || root.isObject())) {
            for (JsonNode event : root.isArray() ? root : List.of(root)) {
                Change change = eventGrid(event);
                if (change == null) {
                    ignored++;
                } else {
                    changes.add(change);
                }
            }
        } else {
            throw new MalformedEventException("neither an Activity Log message nor Event Grid events: " + kind(root));
        }
        return new Parsed(List.copyOf(changes), ignored);
    }

    private static Change activityLog(JsonNode record) throws MalformedEventException {
        if (!record.isObject()) {
            throw new MalformedEventException("an Activity Log record that is not an object: " + kind(record));
        }
        String operation = lower(text(record, "operationName"));
        String result = lower(text(record, "resultType"));
        if (operation == null
                || !operation.startsWith(OPERATION)
                || !("success".equals(result) || "succeeded".equals(result))) {
            return null; // another resource, a read, a Start record or a failure
        }
        String sub = subscription(text(record, "resourceId"));
        if (sub == null) {
            return null;
        }
        String id = firstOf(text(record, "correlationId"), text(record, "eventDataId"));
        return new Change(
                sub, text(record, "tenantId"), id, time(record, "time"), verb(operation), Source.ACTIVITY_LOG);
    }

    private static Change eventGrid(JsonNode event) throws MalformedEventException {
        if (!event.isObject()) {
            throw new MalformedEventException("an Event Grid event that is not an object: " + kind(event));
        }
        boolean cloudEvent = event.has("specversion");
        String type = lower(text(event, cloudEvent ? "type" : "eventType"));
        if (!WRITE_SUCCESS.equals(type) && !DELETE_SUCCESS.equals(type)) {
            return null;
        }
        JsonNode data = event.path("data");
        String operation = lower(text(data, "operationName"));
        if (operation == null || !operation.startsWith(OPERATION)) {
            return null;
        }
        String sub = subscription(firstOf(text(data, "resourceUri"), text(event, "subject")));
        if (sub == null) {
            return null;
        }
        String id = firstOf(text(data, "correlationId"), text(event, "id"));
        return new Change(
                sub,
                text(data, "tenantId"),
                id,
                time(event, cloudEvent ? "time" : "eventTime"),
                verb(operation),
                cloudEvent ? Source.CLOUD_EVENTS : Source.EVENT_GRID);
    }

    /** The subscription of a security contact's resource id, lower case, or null for another resource. */
    static String subscription(String resourceId) {
        if (resourceId == null) {
            return null;
        }
        Matcher m = CONTACT.matcher(resourceId.trim());
        return m.matches() ? m.group(1).toLowerCase(Locale.ROOT) : null;
    }

    private static String verb(String operation) {
        return operation.endsWith("/delete") ? "delete" : "write";
    }

    /** The times a change may carry: from before Azure Resource Manager to the end of four-digit years. */
    static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");

    static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    private static Instant time(JsonNode node, String field) throws MalformedEventException {
        String text = text(node, field);
        if (text == null) {
            throw new MalformedEventException("a security-contact change without " + field);
        }
        Instant time;
        try {
            time = Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new MalformedEventException(
                    "a security-contact change whose " + field + " is not a time: '" + text + "'");
        }
        if (time.isBefore(EARLIEST) || time.isAfter(LATEST)) {
            // a time the snapshot's triggerEventTime (epoch milliseconds) cannot hold would stop the trigger at every
            // read of this message
            throw new MalformedEventException("a security-contact change whose " + field + " is not between " + EARLIEST
                    + " and " + LATEST + ": '" + text + "'");
        }
        return time;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || !value.isTextual() || value.asText().isBlank() ? null : value.asText();
    }

    private static String lower(String text) {
        return text == null ? null : text.toLowerCase(Locale.ROOT);
    }

    private static String firstOf(String a, String b) {
        return a != null ? a : b;
    }

    private static String kind(JsonNode node) {
        return node == null ? "nothing" : node.getNodeType().name().toLowerCase(Locale.ROOT);
    }
}

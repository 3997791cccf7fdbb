package io.contactaudit.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import io.contactaudit.collector.ChangeEvents.Change;
import io.contactaudit.collector.ChangeEvents.MalformedEventException;
import io.contactaudit.collector.ChangeEvents.Source;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The shapes Azure writes to an Event Hub (src/test/resources/events/), with their quirks. */
class ChangeEventsTest {

    static final String SUB = "0b4f7c2e-8a7d-4c11-9a3e-5f6e7d8c9b0a";
    static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";

    static byte[] event(String name) throws IOException {
        return Files.readAllBytes(Path.of("src/test/resources/events", name));
    }

    static ChangeEvents.Parsed parse(String json) throws MalformedEventException {
        return ChangeEvents.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void activityLogCountsTheTerminalSuccessOnlyInAnyCase() throws Exception {
        ChangeEvents.Parsed parsed = ChangeEvents.parse(event("activity-log-write.json"));
        assertThat(parsed.changes())
                .containsExactly(new Change(
                        SUB,
                        null,
                        "7c3e1f0a-55b2-4a41-9e0e-3b9d2c1a0f11",
                        Instant.parse("2026-03-01T10:00:00.9876543Z"),
                        "write",
                        Source.ACTIVITY_LOG));
        assertThat(parsed.ignored())
                .as("the Start record, another resource, a failed write")
                .isEqualTo(3);
    }

    @Test
    void eventGridDeleteInAnArray() throws Exception {
        ChangeEvents.Parsed parsed = ChangeEvents.parse(event("event-grid-delete.json"));
        assertThat(parsed.changes())
                .containsExactly(new Change(
                        SUB,
                        TENANT,
                        "8a9b0c1d-2e3f-4a5b-8c7d-9e0f1a2b3c4d",
                        Instant.parse("2026-03-01T10:05:00.1234567Z"),
                        "delete",
                        Source.EVENT_GRID));
        assertThat(parsed.ignored()).isZero();
    }

    @Test
    void cloudEventAsASingleObject() throws Exception {
        ChangeEvents.Parsed parsed = ChangeEvents.parse(event("cloud-event-write.json"));
        assertThat(parsed.changes())
                .extracting(Change::subscriptionId, Change::operation, Change::source, Change::eventTime)
                .containsExactly(tuple(SUB, "write", Source.CLOUD_EVENTS, Instant.parse("2026-03-01T10:06:00Z")));
    }

    @Test
    void otherResourcesAndOtherOperationsAreIgnoredAndCounted() throws Exception {
        ChangeEvents.Parsed parsed = ChangeEvents.parse(event("event-grid-other-resource.json"));
        assertThat(parsed.changes()).isEmpty();
        assertThat(parsed.ignored()).isEqualTo(2);
    }

    @Test
    void withoutACorrelationIdTheEventIdDeduplicates() throws Exception {
        ChangeEvents.Parsed parsed = parse("""
                {"id": "e-1", "eventType": "microsoft.resources.resourcewritesuccess", "eventTime": "2026-03-01T10:00:00Z",
                 "subject": "/subscriptions/%s/providers/Microsoft.Security/securityContacts/default",
                 "data": {"operationName": "MICROSOFT.SECURITY/SECURITYCONTACTS/WRITE"}}""".formatted(SUB.toUpperCase()));
        assertThat(parsed.changes())
                .extracting(Change::subscriptionId, Change::eventId)
                .containsExactly(tuple(SUB, "e-1"));
    }

    @Test
    void malformedMessagesSayWhy() {
        assertThatThrownBy(() -> parse("{\"records\": "))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageStartingWith("not JSON");
        assertThatThrownBy(() -> parse("42"))
                .hasMessageContaining("neither an Activity Log message nor Event Grid events: number");
        assertThatThrownBy(() -> parse("{\"records\": {}}")).hasMessageContaining("records are not an array");
        assertThatThrownBy(() -> parse("[1]")).hasMessageContaining("not an object: number");
        assertThatThrownBy(() -> ChangeEvents.parse(new byte[0])).hasMessage("an empty message");
        assertThatThrownBy(() -> parse("""
                [{"eventType": "Microsoft.Resources.ResourceWriteSuccess", "eventTime": "yesterday",
                  "subject": "/subscriptions/%s/providers/Microsoft.Security/securityContacts/default",
                  "data": {"operationName": "Microsoft.Security/securityContacts/write"}}]""".formatted(SUB)))
                .hasMessageContaining("eventTime is not a time: 'yesterday'");
        // a time epoch milliseconds cannot hold: as a snapshot's triggerEventTime it stopped the trigger at every read
        assertThatThrownBy(() -> parse("""
                [{"eventType": "Microsoft.Resources.ResourceWriteSuccess", "eventTime": "+300000000-01-01T00:00:00Z",
                  "subject": "/subscriptions/%s/providers/Microsoft.Security/securityContacts/default",
                  "data": {"operationName": "Microsoft.Security/securityContacts/write"}}]""".formatted(SUB)))
                .hasMessageContaining("eventTime is not between 2000-01-01T00:00:00Z and 9999-12-31T23:59:59Z");
    }

    @Test
    void onlyASecurityContactOfASubscriptionIsAChange() {
        assertThat(ChangeEvents.subscription(
                        "/subscriptions/ABC/providers/Microsoft.Security/securityContacts/default"))
                .isEqualTo("abc");
        assertThat(ChangeEvents.subscription("/subscriptions/abc/providers/Microsoft.Security/securityContacts"))
                .isNull();
        assertThat(ChangeEvents.subscription("/subscriptions/abc/providers/Microsoft.Security/pricings/default"))
                .isNull();
        assertThat(ChangeEvents.subscription(
                        "/subscriptions/abc/resourceGroups/rg/providers/Microsoft.Security/securityContacts/x"))
                .isNull();
    }
}

package io.contactaudit.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.contactaudit.collector.ChangeEvents;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fake Resource Manager's write path: PUT and DELETE of a security contact, checked as Azure checks them, change
 * what it serves and are announced once each; {@link ChangeFeed} turns each into the messages Azure delivers.
 */
class FakeArmWritesTest {

    static final String SUB = "0b4f7c2e-8a7d-4c11-9a3e-5f6e7d8c9b0a";
    static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";

    FakeArm arm;
    final List<FakeArm.ContactChange> changes = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        arm = FakeArm.start(new Scenario(
                TENANT,
                100,
                0,
                List.of(new Scenario.Subscription(
                        SUB, "prod", "Enabled", ContactRenderer.V2023, List.of(), null, null, null, null))));
        arm.onChange(changes::add);
    }

    @AfterEach
    void stop() {
        arm.close();
    }

    List<Scenario.Contact> served() {
        return arm.scenario().subscriptions().get(0).contacts();
    }

    @ParameterizedTest
    @ValueSource(strings = {ContactRenderer.V2017, ContactRenderer.V2020, ContactRenderer.V2023})
    void aPutInEachGenerationSetsTheContactItServes(String generation) throws Exception {
        boolean v2017 = generation.equals(ContactRenderer.V2017);
        Scenario.Contact contact = new Scenario.Contact(
                "default", true, List.of("secops@contoso.com"), v2017 ? "High" : "Medium", List.of("Owner"), null);

        assertThat(arm.putContact(SUB, contact, generation)).as("created").isEqualTo(201);
        assertThat(served()).containsExactly(contact);
        assertThat(arm.putContact(SUB, contact.withAlerts("Off"), generation))
                .as("replaced")
                .isEqualTo(200);
        assertThat(served()).containsExactly(contact.withAlerts("Off"));

        assertThat(changes).hasSize(2).allSatisfy(c -> {
            assertThat(c.subscriptionId()).isEqualTo(SUB);
            assertThat(c.tenantId()).isEqualTo(TENANT);
            assertThat(c.operation()).isEqualTo("write");
            assertThat(c.resourceId())
                    .isEqualTo("/subscriptions/" + SUB + "/providers/Microsoft.Security/securityContacts/default");
        });
        assertThat(changes.get(0).correlationId()).isNotEqualTo(changes.get(1).correlationId());
    }

    @Test
    void aDeleteRemovesTheContactOnce() throws Exception {
        Scenario.Contact contact =
                new Scenario.Contact("default", true, List.of("a@contoso.com"), "High", List.of(), null);
        arm.putContact(SUB, contact, ContactRenderer.V2023);

        assertThat(arm.deleteContact(SUB, "default", ContactRenderer.V2023)).isEqualTo(200);
        assertThat(served()).isEmpty();
        assertThat(arm.deleteContact(SUB, "default", ContactRenderer.V2023))
                .as("nothing left to delete")
                .isEqualTo(204);
        assertThat(changes).extracting(FakeArm.ContactChange::operation).containsExactly("write", "delete", "delete");
    }

    @Test
    void whatAzureRefusesChangesNothingAndAnnouncesNothing() throws Exception {
        Scenario.Contact contact =
                new Scenario.Contact("default", true, List.of("a@contoso.com"), "High", List.of(), null);
        assertThat(put(
                                "/securityContacts/default?api-version=" + ContactRenderer.V2023,
                                "{\"properties\": {"
                                        + "\"emails\": \"a@contoso.com\", \"notificationsSources\": [{\"sourceType\": \"Alert\","
                                        + " \"minimalSeverity\": \"Critical\"}]}}")
                        .body())
                .contains("InvalidRequestContent", "Critical");
        assertThat(put(
                                "/securityContacts/default?api-version=" + ContactRenderer.V2023,
                                "{\"properties\": {" + "\"emails\": \"not-an-address\"}}")
                        .body())
                .contains("Invalid email address");
        assertThat(put(
                                "/securityContacts/default?api-version=" + ContactRenderer.V2023,
                                "{\"properties\": {\"emails\": \"a@contoso.com\", \"isEnabled\": true,"
                                        + " \"alertNotifications\": {\"state\": \"On\", \"minimalSeverity\": \"High\"}}}")
                        .body())
                .as("two generations in one body")
                .contains("InvalidRequestContent", "alertNotifications", "2023-12-01-preview");
        assertThat(put("/securityContacts/default?api-version=" + ContactRenderer.V2023, "[]")
                        .statusCode())
                .isEqualTo(400);
        assertThat(put("/securityContacts/default?api-version=" + ContactRenderer.V2023, "{not json")
                        .statusCode())
                .isEqualTo(400);
        assertThat(arm.putContact(SUB, contact.withName("primary"), ContactRenderer.V2023))
                .as("only 'default' from 2020-01-01-preview on")
                .isEqualTo(400);
        assertThat(put("/securityContacts/default", "{\"properties\": {}}").body())
                .contains("MissingApiVersionParameter");
        assertThat(arm.putContact(SUB, contact, "2019-01-01")).isEqualTo(400);
        assertThat(arm.putContact("5b1c2e0a-3f7d-4b8e-9a61-0c2d4e6f8a10", contact, ContactRenderer.V2023))
                .isEqualTo(404);
        HttpResponse<String> anonymous = send(HttpRequest.newBuilder(arm.endpoint()
                        .resolve("subscriptions/" + SUB
                                + "/providers/Microsoft.Security/securityContacts/default?api-version="
                                + ContactRenderer.V2023))
                .PUT(HttpRequest.BodyPublishers.ofString("{\"properties\": {}}"))
                .build());
        assertThat(anonymous.statusCode()).isEqualTo(401);

        assertThat(served()).isEmpty();
        assertThat(changes).isEmpty();
    }

    @Test
    void eachChangeReachesTheHubAsTheActivityLogAndEventGridWriteIt() throws Exception {
        arm.putContact(
                SUB,
                new Scenario.Contact("default", true, List.of("a@contoso.com"), "High", List.of(), null),
                ContactRenderer.V2023);
        FakeArm.ContactChange change = changes.get(0);

        List<String> messages = ChangeFeed.messagesOf(change);
        assertThat(messages).hasSize(3);
        ChangeEvents.Parsed start = ChangeEvents.parse(bytes(messages.get(0)));
        ChangeEvents.Parsed success = ChangeEvents.parse(bytes(messages.get(1)));
        ChangeEvents.Parsed grid = ChangeEvents.parse(bytes(messages.get(2)));
        assertThat(messages.get(0)).contains("MICROSOFT.SECURITY/SECURITYCONTACTS/WRITE", "\"Start\"");
        assertThat(start.changes()).as("a Start record is not the change").isEmpty();
        assertThat(success.changes()).singleElement().satisfies(c -> {
            assertThat(c.subscriptionId()).isEqualTo(SUB);
            assertThat(c.eventId()).isEqualTo(change.correlationId());
            assertThat(c.eventTime()).isEqualTo(change.time());
            assertThat(c.source()).isEqualTo(ChangeEvents.Source.ACTIVITY_LOG);
        });
        assertThat(success.ignored()).as("the record about a storage account").isEqualTo(1);
        assertThat(grid.changes()).singleElement().satisfies(c -> {
            assertThat(c.eventId()).as("the same write").isEqualTo(change.correlationId());
            assertThat(c.tenantId()).isEqualTo(TENANT);
            assertThat(c.source()).isEqualTo(ChangeEvents.Source.EVENT_GRID);
        });
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    HttpResponse<String> put(String pathAfterProvider, String body) throws Exception {
        return send(HttpRequest.newBuilder(arm.endpoint()
                        .resolve("subscriptions/" + SUB + "/providers/Microsoft.Security" + pathAfterProvider))
                .header("Authorization", "Bearer test")
                .PUT(HttpRequest.BodyPublishers.ofString(body))
                .build());
    }

    HttpResponse<String> send(HttpRequest request) throws Exception {
        HttpClient client =
                HttpClient.newBuilder().sslContext(arm.clientSslContext()).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }
}

package io.contactaudit.remediate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.contactaudit.rule.Profile;
import io.contactaudit.schema.CollectionStatus;
import io.contactaudit.schema.SecurityContactSnapshot;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The plan for each API generation: the smallest change that passes, merged into what is there. */
class ContactFixTest {

    static final String SUB = "0b4f7c2e-8a7d-4c11-9a3e-5f6e7d8c9b0a";
    static final ObjectMapper JSON = new ObjectMapper();

    static SecurityContactSnapshot snapshot(String body) {
        return SecurityContactSnapshot.newBuilder()
                .setSubscriptionId(SUB)
                .setRunId("r")
                .setCollectedAt(Instant.parse("2026-03-01T10:00:00Z"))
                .setApiVersion("2023-12-01-preview")
                .setStatus(CollectionStatus.OK)
                .setRawBodies(List.of(body))
                .build();
    }

    static ContactFix.Plan plan(String body, String... recipients) {
        return ContactFix.plan(snapshot(body), Profile.DEFAULT, "High", List.of(recipients));
    }

    static JsonNode properties(ContactFix.Plan plan) throws Exception {
        return JSON.readTree(plan.body()).get("properties");
    }

    @Test
    void latestGenerationEnablesAndAddsAnAlertSourceKeepingEverythingElse() throws Exception {
        ContactFix.Plan plan = plan("""
                {"value": [{"name": "default", "properties": {"isEnabled": false, "emails": "a@contoso.com;b@contoso.com",
                  "phone": "+1 555", "notificationsByRole": {"state": "On", "roles": ["Owner", "ServiceAdmin"]},
                  "notificationsSources": [{"sourceType": "AttackPath", "minimalRiskLevel": "Critical"}]}}]}""", "ignored@contoso.com");

        assertThat(plan.action()).isEqualTo(ContactFix.Action.FIX);
        assertThat(plan.apiVersion()).isEqualTo("2023-12-01-preview");
        assertThat(plan.path())
                .isEqualTo("/subscriptions/" + SUB
                        + "/providers/Microsoft.Security/securityContacts/default?api-version=2023-12-01-preview");
        JsonNode p = properties(plan);
        assertThat(p.get("isEnabled").asBoolean()).isTrue();
        assertThat(p.get("emails").asText()).as("kept, none added").isEqualTo("a@contoso.com;b@contoso.com");
        assertThat(p.get("phone").asText()).isEqualTo("+1 555");
        assertThat(p.get("notificationsByRole").toString()).contains("ServiceAdmin");
        assertThat(p.get("notificationsSources").toString())
                .contains("\"sourceType\":\"AttackPath\"", "\"minimalRiskLevel\":\"Critical\"")
                .contains("{\"sourceType\":\"Alert\",\"minimalSeverity\":\"High\"}");
        assertThat(p.has("alertNotifications")).as("one generation per body").isFalse();
        assertThat(plan.before()).contains("disabled");
        assertThat(plan.after()).contains("enabled", "Alert>=High");
    }

    @Test
    void aSeverityThatAlreadyCoversHighIsKept() throws Exception {
        ContactFix.Plan plan = plan("""
                {"value": [{"name": "default", "properties": {"isEnabled": false, "emails": "a@contoso.com",
                  "notificationsSources": [{"sourceType": "Alert", "minimalSeverity": "Low"}]}}]}""");
        assertThat(properties(plan).get("notificationsSources").toString()).contains("\"minimalSeverity\":\"Low\"");

        ContactFix.Plan strict = ContactFix.plan(snapshot("""
                        {"value": [{"name": "default", "properties": {"isEnabled": true, "emails": "a@contoso.com",
                          "notificationsSources": [{"sourceType": "Alert", "minimalSeverity": "Medium"}]}}]}"""), Profile.STRICT, "High", List.of());
        assertThat(properties(strict).get("notificationsSources").toString())
                .as("the strict profile accepts High only")
                .contains("\"minimalSeverity\":\"High\"");
    }

    @Test
    void generation2020TurnsAlertNotificationsOnUnderTheNameDefault() throws Exception {
        ContactFix.Plan plan = plan("""
                [{"name": "default", "properties": {"emails": "dev@contoso.com",
                  "alertNotifications": {"state": "Off", "minimalSeverity": "Critical"},
                  "notificationsByRole": {"state": "On", "roles": ["Owner"]}}}]""");
        assertThat(plan.apiVersion()).isEqualTo("2020-01-01-preview");
        JsonNode p = properties(plan);
        assertThat(p.get("alertNotifications").toString()).isEqualTo("{\"state\":\"On\",\"minimalSeverity\":\"High\"}");
        assertThat(p.get("emails").asText()).isEqualTo("dev@contoso.com");
        assertThat(p.get("notificationsByRole").toString()).contains("Owner");
        assertThat(p.has("notificationsSources") || p.has("isEnabled")).isFalse();
    }

    @Test
    void generation2017KeepsItsVersionAndName() throws Exception {
        ContactFix.Plan plan = plan("""
                {"value": [{"name": "default1", "properties": {"email": "crm@contoso.com", "alertNotifications": "Off",
                  "alertsToAdmins": "On"}}]}""");
        assertThat(plan.path()).endsWith("/securityContacts/default1?api-version=2017-08-01-preview");
        JsonNode p = properties(plan);
        assertThat(p.get("alertNotifications").asText()).isEqualTo("On");
        assertThat(p.get("alertsToAdmins").asText()).isEqualTo("On");
        assertThat(p.get("email").asText()).isEqualTo("crm@contoso.com");
    }

    @Test
    void recipientsAreAddedOnlyWhereThereAreNone() throws Exception {
        String empty = """
                {"value": [{"name": "default", "properties": {"isEnabled": true, "emails": "",
                  "notificationsSources": []}}]}""";
        assertThat(plan(empty).action())
                .as("no recipients to add: nobody would get the mails")
                .isEqualTo(ContactFix.Action.SKIP);
        assertThat(plan(empty).reason()).contains("--recipients");
        assertThat(properties(plan(empty, "secops@contoso.com", "soc@contoso.com"))
                        .get("emails")
                        .asText())
                .isEqualTo("secops@contoso.com;soc@contoso.com");

        ContactFix.Plan none = plan("{\"value\": []}", "secops@contoso.com");
        assertThat(none.action()).as("no contact at all: one is created").isEqualTo(ContactFix.Action.FIX);
        assertThat(none.path()).contains("/securityContacts/default?api-version=2023-12-01-preview");
        assertThat(properties(none).get("emails").asText()).isEqualTo("secops@contoso.com");
    }

    @Test
    void whatPassesOrCannotBeJudgedIsNotTouched() {
        assertThat(plan("""
                                {"value": [{"name": "default", "properties": {"isEnabled": true, "emails": "a@contoso.com",
                                  "notificationsSources": [{"sourceType": "Alert", "minimalSeverity": "High"}]}}]}""").action()).isEqualTo(ContactFix.Action.NONE);
        assertThat(plan("{\"value\": [{\"name\": \"default\", \"properties\": ").action())
                .as("unparseable: ERROR")
                .isEqualTo(ContactFix.Action.SKIP);
        SecurityContactSnapshot forbidden = snapshot("{}");
        forbidden.setStatus(CollectionStatus.FORBIDDEN);
        forbidden.setRawBodies(List.of());
        assertThat(ContactFix.plan(forbidden, Profile.DEFAULT, "High", List.of("a@contoso.com"))
                        .reason())
                .contains("could not be read", "FORBIDDEN");
    }
}

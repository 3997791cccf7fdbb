package io.contactaudit.rule;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.contactaudit.schema.NormalizedContact;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SecurityContactsNormalizerTest {

    @Test
    void latestGenerationIsNormalisedWithCanonicalCase() {
        String body = """
            {"value":[{"id":"/subscriptions/ABC-1/providers/Microsoft.Security/securityContacts/default","name":"default",
              "properties":{"isEnabled":true,"emails":"a@x.com; b@x.com;","phone":"123",
                "notificationsByRole":{"state":"ON","roles":["OWNER","Contributor","SomethingNew"]},
                "notificationsSources":[{"sourceType":"attackpath","minimalRiskLevel":"critical"},
                                        {"sourceType":"Alert","minimalSeverity":"MEDIUM"}]}}]}
            """;
        SecurityContactsNormalizer.ParsedList list = SecurityContactsNormalizer.parse(body);
        assertThat(list.problems()).isEmpty();
        assertThat(list.subscriptionId()).isEqualTo("abc-1");
        NormalizedContact c = list.normalized().get(0);
        assertThat(c.getApiGeneration()).isEqualTo("2023-12-01-preview");
        assertThat(c.getIsEnabled()).isTrue();
        assertThat(c.getEmails()).containsExactly("a@x.com", "b@x.com");
        assertThat(c.getRoleNotificationsState()).isEqualTo("On");
        assertThat(c.getRoles()).containsExactly("Owner", "Contributor", "SomethingNew");
        assertThat(c.getNotificationSources())
                .extracting(s -> s.getSourceType() + "/" + s.getMinimalSeverity() + "/" + s.getMinimalRiskLevel())
                .containsExactly("AttackPath/null/Critical", "Alert/Medium/null");
    }

    @Test
    void emailsAsAnArrayAndAsTheSingular2017Field() {
        assertThat(SecurityContactsNormalizer.parse("[{\"properties\":{\"emails\":[\"a@x.com\",\"b@x.com;c@x.com\"]}}]")
                        .normalized()
                        .get(0)
                        .getEmails())
                .containsExactly("a@x.com", "b@x.com", "c@x.com");
        NormalizedContact v2017 = SecurityContactsNormalizer.parse(
                        "{\"value\":[{\"name\":\"default1\",\"properties\":{\"email\":\"a@x.com\",\"alertNotifications\":\"on\",\"alertsToAdmins\":\"off\"}}]}")
                .normalized()
                .get(0);
        assertThat(v2017.getEmails()).containsExactly("a@x.com");
        assertThat(v2017.getAlertNotificationsState()).isEqualTo("On");
        assertThat(v2017.getAlertsToAdmins()).isEqualTo("Off");
        assertThat(v2017.getApiGeneration()).isEqualTo("2017-08-01-preview");
    }

    @Test
    void aSingleSourceObjectIsReadAsAList() {
        SecurityContactsNormalizer.ParsedList list = SecurityContactsNormalizer.parse(
                "[{\"properties\":{\"isEnabled\":true,\"notificationsSources\":{\"sourceType\":\"Alert\",\"minimalSeverity\":\"High\"}}}]");
        assertThat(list.contacts().get(0).sources()).hasSize(1);
        assertThat(HighSeverityAlertEmailRule.evaluate(list, Profile.DEFAULT)
                        .verdict()
                        .name())
                .isEqualTo("PASS");
    }

    @Test
    void unknownValuesAreKeptAsReceived() {
        NormalizedContact c = SecurityContactsNormalizer.parse(
                        "[{\"properties\":{\"alertNotifications\":{\"state\":\"Maybe\",\"minimalSeverity\":\"Informational\"}}}]")
                .normalized()
                .get(0);
        assertThat(c.getAlertNotificationsState()).isEqualTo("Maybe");
        assertThat(c.getAlertMinimalSeverity()).isEqualTo("Informational");
    }

    @Test
    void pagesAreConcatenatedAndTheLastNextLinkCounts() {
        SecurityContactsNormalizer.ParsedList list = SecurityContactsNormalizer.parse(List.of(
                "{\"value\":[{\"name\":\"a\",\"properties\":{}}],\"nextLink\":\"https://x/2\"}",
                "{\"value\":[{\"name\":\"b\",\"properties\":{}}]}"));
        assertThat(list.contacts()).extracting(Contact::label).containsExactly("a", "b");
        assertThat(list.nextLink()).isNull();
        assertThat(list.contacts().get(1).path()).isEqualTo("page2:$.value[0]");
    }

    @Test
    void unnamedContactsAreLabelledByPosition() {
        SecurityContactsNormalizer.ParsedList list = SecurityContactsNormalizer.parse("[{\"properties\":{}}, 7]");
        assertThat(list.contacts()).extracting(Contact::label).containsExactly("#1", "#2");
        assertThat(list.contacts().get(1).unevaluable()).isEqualTo("the contact is not a JSON object");
        assertThat(list.subscriptionId()).isNull();
    }

    @Test
    void aValueSeenIsQuotedAsJacksonWritesIt() {
        List<JsonNode> values = new ArrayList<>();
        for (char from = 0; from < 0x800; from += 40) { // 40 characters at a time: escaped, they stay under 300
            StringBuilder some = new StringBuilder();
            for (char c = from; c < from + 40; c++) {
                some.append(c);
            }
            values.add(TextNode.valueOf(some.toString()));
        }
        values.addAll(List.of(
                TextNode.valueOf("a\"b\\c/d\u2028e\uD83D\uDE00f\uD800"),
                TextNode.valueOf(""),
                BooleanNode.TRUE,
                BooleanNode.FALSE,
                NullNode.getInstance(),
                IntNode.valueOf(4),
                JsonNodeFactory.instance.arrayNode().add("x").add(1.5)));
        for (JsonNode value : values) {
            assertThat(value.toString()).hasSizeLessThanOrEqualTo(300);
            assertThat(SecurityContactsNormalizer.json(value)).isEqualTo(value.toString());
        }
    }

    @Test
    void addressesAreSplitAtSemicolonsAndCommasTrimmedAndEmptyOnesDropped() {
        String body = """
                {"value":[{"id":"/subscriptions/00000000-0000-0000-0000-000000000001/providers/Microsoft.Security/securityContacts/default",
                "name":"default","properties":{"emails":" a@contoso.com;b@contoso.com ,, ;c@contoso.com;","alertNotifications":{"state":"On","minimalSeverity":"High"}}}]}""";
        assertThat(SecurityContactsNormalizer.parse(body)
                        .contacts()
                        .get(0)
                        .normalized()
                        .getEmails())
                .containsExactly("a@contoso.com", "b@contoso.com", "c@contoso.com");
    }
}

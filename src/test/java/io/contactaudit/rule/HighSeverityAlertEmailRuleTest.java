package io.contactaudit.rule;

import static org.assertj.core.api.Assertions.assertThat;

import io.contactaudit.schema.CollectionStatus;
import io.contactaudit.schema.Evidence;
import io.contactaudit.schema.SecurityContactSnapshot;
import io.contactaudit.schema.Verdict;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HighSeverityAlertEmailRuleTest {

    static final String SUB = "20ff7fc3-e762-44dd-bd96-b71116dcdc23";

    static RuleResult check(String body) {
        return HighSeverityAlertEmailRule.evaluate(body, Profile.DEFAULT);
    }

    static RuleResult strict(String body) {
        return HighSeverityAlertEmailRule.evaluate(body, Profile.STRICT);
    }

    /** A 2023-12-01-preview list with one contact, after the published List example. */
    static String latest(String isEnabled, String alertSeverity) {
        return """
            {"value": [{
              "id": "/subscriptions/%s/providers/Microsoft.Security/securityContact/default",
              "name": "default", "type": "Microsoft.Security/securityContact",
              "properties": {
                "notificationsByRole": {"state": "On", "roles": ["Owner", "Admin"]},
                "isEnabled": %s,
                "emails": "john@contoso.com;Jane@contoso.com",
                "phone": "(214)275-4038",
                "notificationsSources": [
                  {"sourceType": "AttachPath", "minimalRiskLevel": "Critical"},
                  {"sourceType": "Alert", "minimalSeverity": %s}
                ]
              }
            }]}
            """.formatted(SUB, isEnabled, alertSeverity);
    }

    /** A 2020-01-01-preview list: the live service returns a bare array. */
    static String v2020(String state, String severity) {
        return """
            [{
              "id": "/subscriptions/%s/providers/Microsoft.Security/securityContact/default",
              "name": "default", "type": "Microsoft.Security/securityContact",
              "properties": {
                "notificationsByRole": {"state": "On", "roles": ["Owner", "Admin"]},
                "emails": "john@contoso.com;Jane@contoso.com",
                "phone": "(214)275-4038",
                "alertNotifications": {"state": %s, "minimalSeverity": %s}
              }
            }]
            """.formatted(SUB, state, severity);
    }

    /** A 2017-08-01-preview list with free contact names. */
    static String v2017(String name, String alertNotifications) {
        return """
            {"value": [{
              "id": "/subscriptions/%s/providers/Microsoft.Security/securityContacts/%s",
              "name": "%s", "type": "Microsoft.Security/securityContacts",
              "properties": {"email": "john@contoso.com", "phone": "(214)275-4038",
                             "alertNotifications": %s, "alertsToAdmins": "On"}
            }]}
            """.formatted(SUB, name, name, alertNotifications);
    }

    @Nested
    class Latest {
        @ParameterizedTest
        @ValueSource(strings = {"\"High\"", "\"Medium\"", "\"Low\"", "\"high\"", "\"MEDIUM\""})
        void enabledWithAnAcceptedSeverityPasses(String severity) {
            RuleResult result = check(latest("true", severity));
            assertThat(result.verdict()).isEqualTo(Verdict.PASS);
            assertThat(result.reasonCodes()).containsExactly("ALERT_EMAILS_ENABLED");
            assertThat(result.subscriptionId()).isEqualTo(SUB);
            assertThat(result.evidence())
                    .extracting(Evidence::getPath, Evidence::getOutcome)
                    .contains(org.assertj.core.groups.Tuple.tuple(
                            "$.value[0].properties.notificationsSources[1].minimalSeverity", "PASSED"));
        }

        @ParameterizedTest
        @ValueSource(strings = {"\"Critical\"", "\"Informational\"", "null", "\"\""})
        void aSeverityOutsideHighMediumLowFails(String severity) {
            RuleResult result = check(latest("true", severity));
            assertThat(result.verdict()).isEqualTo(Verdict.FAIL);
            assertThat(result.reasonCodes()).containsExactly("SEVERITY_NOT_ACCEPTED");
        }

        @Test
        void missingSeverityFails() {
            String body = latest("true", "\"High\"").replace(", \"minimalSeverity\": \"High\"", "");
            assertThat(check(body).verdict()).isEqualTo(Verdict.FAIL);
            assertThat(check(body).reasons().get(0).getMessage()).contains("has no minimal alert severity");
        }

        @Test
        void explicitlyDisabledFailsEvenWithHigh() {
            RuleResult result = check(latest("false", "\"High\""));
            assertThat(result.verdict()).isEqualTo(Verdict.FAIL);
            assertThat(result.reasonCodes()).containsExactly("CONTACT_DISABLED");
            assertThat(result.evidence())
                    .extracting(Evidence::getPath, Evidence::getValue, Evidence::getOutcome)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple("$.value[0].properties.isEnabled", "false", "FAILED"));
        }

        @Test
        void disabledAsAStringIsStillDisabled() {
            assertThat(check(latest("\"False\"", "\"High\"")).reasonCodes()).containsExactly("CONTACT_DISABLED");
            assertThat(check(latest("\"TRUE\"", "\"High\"")).verdict()).isEqualTo(Verdict.PASS);
        }

        @Test
        void sourcesWithoutIsEnabledFail() {
            String body = latest("true", "\"High\"").replace("\"isEnabled\": true,", "");
            RuleResult result = check(body);
            assertThat(result.verdict()).isEqualTo(Verdict.FAIL);
            assertThat(result.reasonCodes()).containsExactly("NOT_ENABLED");
        }

        @Test
        void isEnabledOfAnotherTypeIsNotTrue() {
            assertThat(check(latest("1", "\"High\"")).reasonCodes()).containsExactly("NOT_ENABLED");
            assertThat(check(latest("null", "\"High\"")).reasonCodes()).containsExactly("NOT_ENABLED");
        }

        @Test
        void enabledWithoutAnAlertSourceFails() {
            String body = """
                {"value":[{"name":"default","properties":{"isEnabled":true,"emails":"a@b.c",
                  "notificationsSources":[{"sourceType":"AttackPath","minimalRiskLevel":"Critical"}]}}]}
                """;
            RuleResult result = check(body);
            assertThat(result.verdict()).isEqualTo(Verdict.FAIL);
            assertThat(result.reasonCodes()).containsExactly("NO_ALERT_SOURCE");
            assertThat(result.warningCodes()).isEmpty();
        }

        @Test
        void sourceTypeAndSeverityInAnyCaseAndUnknownTypesAreWarnings() {
            String body = """
                {"value":[{"name":"default","properties":{"isEnabled":true,"emails":["a@b.c"],
                  "notificationsSources":[{"sourceType":"AttachPath","minimalRiskLevel":"Critical"},
                                          {"sourceType":"FutureThing","x":1},
                                          {"sourceType":"ALERT","minimalSeverity":"low","extra":{"a":1}}],
                  "somethingNew":{"deep":[1,2]}}, "unknownTop": true}]}
                """;
            RuleResult result = check(body);
            assertThat(result.verdict()).isEqualTo(Verdict.PASS);
            assertThat(result.warningCodes()).containsExactly("UNKNOWN_SOURCE_TYPE", "UNKNOWN_SOURCE_TYPE");
            assertThat(result.contacts().get(0).getNotificationSources().get(2).getSourceType())
                    .isEqualTo("Alert");
            assertThat(result.contacts().get(0).getNotificationSources().get(2).getMinimalSeverity())
                    .isEqualTo("Low");
        }

        @Test
        void enabledWithNoRecipientsPassesWithAWarning() {
            String body = """
                {"value":[{"name":"default","properties":{"isEnabled":true,"emails":"",
                  "notificationsByRole":{"state":"Off","roles":["Owner"]},
                  "notificationsSources":[{"sourceType":"Alert","minimalSeverity":"High"}]}}]}
                """;
            RuleResult result = check(body);
            assertThat(result.verdict()).isEqualTo(Verdict.PASS);
            assertThat(result.warningCodes()).containsExactly("NO_RECIPIENTS");
        }

        @Test
        void rolesOnCountAsRecipients() {
            String body = """
                {"value":[{"name":"default","properties":{"isEnabled":true,
                  "notificationsByRole":{"state":"on","roles":["owner"]},
                  "notificationsSources":[{"sourceType":"Alert","minimalSeverity":"High"}]}}]}
                """;
            assertThat(check(body).warningCodes()).isEmpty();
            assertThat(check(body).contacts().get(0).getRoles()).containsExactly("Owner");
        }

        @Test
        void severityFloorDiffersByProfile() {
            assertThat(strict(latest("true", "\"High\"")).verdict()).isEqualTo(Verdict.PASS);
            assertThat(strict(latest("true", "\"Medium\"")).verdict()).isEqualTo(Verdict.FAIL);
            assertThat(strict(latest("true", "\"Low\"")).reasons().get(0).getMessage())
                    .contains("profile strict accepts High only");
            assertThat(strict(latest("true", "\"Low\"")).profile()).isEqualTo(Profile.STRICT);
        }

        @Test
        void anySecondAlertSourceWithAnAcceptedSeverityIsEnough() {
            String body = """
                {"value":[{"name":"default","properties":{"isEnabled":true,"emails":"a@b.c",
                  "notificationsSources":[{"sourceType":"Alert","minimalSeverity":"Critical"},
                                          {"sourceType":"Alert","minimalSeverity":"High"}]}}]}
                """;
            assertThat(check(body).verdict()).isEqualTo(Verdict.PASS);
        }
    }

    @Nested
    class V2020 {
        @ParameterizedTest
        @CsvSource({
            "'\"On\"', '\"Low\"', PASS, FAIL",
            "'\"on\"', '\"High\"', PASS, PASS",
            "'\"On\"', '\"Medium\"', PASS, FAIL",
            "'\"ON\"', '\"hIgH\"', PASS, PASS",
            "'\"Off\"', '\"High\"', FAIL, FAIL",
            "'\"On\"', '\"Critical\"', FAIL, FAIL",
            "'\"On\"', 'null', FAIL, FAIL",
            "'null', '\"High\"', FAIL, FAIL"
        })
        void bareArrayWithStateAndSeverity(String state, String severity, Verdict byDefault, Verdict byStrict) {
            assertThat(check(v2020(state, severity)).verdict()).isEqualTo(byDefault);
            assertThat(strict(v2020(state, severity)).verdict()).isEqualTo(byStrict);
        }

        @Test
        void offNamesTheState() {
            RuleResult result = check(v2020("\"Off\"", "\"High\""));
            assertThat(result.reasonCodes()).containsExactly("ALERT_NOTIFICATIONS_OFF");
            assertThat(result.evidence())
                    .extracting(Evidence::getPath)
                    .containsExactly("$[0].properties.alertNotifications.state");
        }

        @Test
        void detectsTheGenerationFromTheProperties() {
            assertThat(check(v2020("\"On\"", "\"Low\"")).contacts().get(0).getApiGeneration())
                    .isEqualTo("2020-01-01-preview");
            assertThat(check(latest("true", "\"Low\"")).contacts().get(0).getApiGeneration())
                    .isEqualTo("2023-12-01-preview");
            assertThat(check(v2017("default1", "\"On\"")).contacts().get(0).getApiGeneration())
                    .isEqualTo("2017-08-01-preview");
        }

        @Test
        void emptyListInEitherFormFails() {
            assertThat(check("{\"value\": []}").verdict()).isEqualTo(Verdict.FAIL);
            assertThat(check("{\"value\": []}").reasonCodes()).containsExactly("NO_CONTACTS");
            assertThat(check("[]").verdict()).isEqualTo(Verdict.FAIL);
        }

        @Test
        void thePublishedListExampleIsNotJsonAndIsAnError() {
            // The 2020-01-01-preview List example wraps the array in braces: "body": { [ ... ] }.
            String broken = "{\n" + v2020("\"On\"", "\"Low\"") + "\n}";
            RuleResult result = check(broken);
            assertThat(result.verdict()).isEqualTo(Verdict.ERROR);
            assertThat(result.reasonCodes()).containsExactly("UNPARSEABLE_BODY");
            assertThat(result.reasons().get(0).getMessage()).contains("line 2");
        }

        @Test
        void latestFieldsDoNotHideA2020Pass() {
            // A contact carrying both generations passes if any of its paths passes.
            String body = """
                [{"name":"default","properties":{"notificationsSources":[],
                  "alertNotifications":{"state":"On","minimalSeverity":"High"},"emails":"a@b.c"}}]
                """;
            RuleResult result = check(body);
            assertThat(result.verdict()).isEqualTo(Verdict.PASS);
            assertThat(result.reasons().get(0).getMessage()).contains("alertNotifications");
        }
    }

    @Nested
    class V2017 {
        @ParameterizedTest
        @ValueSource(strings = {"default1", "default2", "john", "anything"})
        void contactNamesAreNotFiltered(String name) {
            assertThat(check(v2017(name, "\"On\"")).verdict()).isEqualTo(Verdict.PASS);
        }

        @Test
        void stringOnPassesUnderBothProfiles() {
            assertThat(check(v2017("default1", "\"on\"")).verdict()).isEqualTo(Verdict.PASS);
            assertThat(strict(v2017("default1", "\"On\"")).verdict()).isEqualTo(Verdict.PASS);
        }

        @Test
        void stringOffFails() {
            RuleResult result = check(v2017("default1", "\"Off\""));
            assertThat(result.verdict()).isEqualTo(Verdict.FAIL);
            assertThat(result.reasonCodes()).containsExactly("ALERT_NOTIFICATIONS_OFF");
        }

        @Test
        void alertsToAdminsCountsAsARecipient() {
            String body = """
                {"value":[{"name":"default1","properties":{"email":"","alertNotifications":"On","alertsToAdmins":"On"}}]}
                """;
            assertThat(check(body).warningCodes()).isEmpty();
            assertThat(check(body.replace("\"alertsToAdmins\":\"On\"", "\"alertsToAdmins\":\"Off\""))
                            .warningCodes())
                    .containsExactly("NO_RECIPIENTS");
        }
    }

    @Nested
    class ListResponses {
        @Test
        void onePassingContactIsEnough() {
            String body = """
                {"value":[
                  {"name":"default1","properties":{"email":"a@b.c","alertNotifications":"Off"}},
                  {"name":"default2","properties":{"email":"a@b.c","alertNotifications":"On"}}]}
                """;
            RuleResult result = check(body);
            assertThat(result.verdict()).isEqualTo(Verdict.PASS);
            assertThat(result.reasons().get(0).getMessage()).contains("default2");
            assertThat(result.contacts()).hasSize(2);
        }

        @Test
        void passEvenOnAPartialPageWithAWarning() {
            String body = """
                {"value":[{"name":"default","properties":{"isEnabled":true,"emails":"a@b.c",
                   "notificationsSources":[{"sourceType":"Alert","minimalSeverity":"High"}]}}],
                 "nextLink":"https://management.azure.com/next?page=2"}
                """;
            RuleResult result = check(body);
            assertThat(result.verdict()).isEqualTo(Verdict.PASS);
            assertThat(result.warningCodes()).containsExactly("PARTIAL_LIST");
        }

        @Test
        void aFailingPartialPageIsAnError() {
            String body = """
                {"value":[{"name":"default1","properties":{"alertNotifications":"Off"}}],
                 "nextLink":"https://management.azure.com/next?page=2"}
                """;
            RuleResult result = check(body);
            assertThat(result.verdict()).isEqualTo(Verdict.ERROR);
            assertThat(result.reasonCodes()).containsExactly("INCOMPLETE_LIST", "ALERT_NOTIFICATIONS_OFF");
        }

        @Test
        void emptyOrNullNextLinkIsComplete() {
            assertThat(check("{\"value\":[],\"nextLink\":\"\"}").verdict()).isEqualTo(Verdict.FAIL);
            assertThat(check("{\"value\":[],\"nextLink\":null}").verdict()).isEqualTo(Verdict.FAIL);
        }

        @Test
        void unevaluableContactMakesAnErrorUnlessAnotherPasses() {
            String failing = """
                {"value":[{"name":"default1","properties":{"alertNotifications":"Off"}}, "garbage", {"name":"x"}]}
                """;
            RuleResult result = check(failing);
            assertThat(result.verdict()).isEqualTo(Verdict.ERROR);
            assertThat(result.reasonCodes())
                    .containsExactly("CONTACT_UNEVALUABLE", "CONTACT_UNEVALUABLE", "ALERT_NOTIFICATIONS_OFF");
            String passing = failing.replace("\"Off\"", "\"On\"");
            assertThat(check(passing).verdict()).isEqualTo(Verdict.PASS);
        }

        @Test
        void propertiesNotAnObjectIsUnevaluable() {
            RuleResult result = check("[{\"name\":\"default\",\"properties\":\"On\"}]");
            assertThat(result.verdict()).isEqualTo(Verdict.ERROR);
            assertThat(result.reasons().get(0).getMessage()).contains("\"properties\" is not a JSON object");
        }

        @Test
        void contactWithNoAlertSettingFails() {
            RuleResult result = check("[{\"name\":\"default\",\"properties\":{\"phone\":\"1\"}}]");
            assertThat(result.verdict()).isEqualTo(Verdict.FAIL);
            assertThat(result.reasonCodes()).containsExactly("NO_ALERT_SETTING");
        }

        @Test
        void multiplePagesAreOneList() {
            String page1 = """
                {"value":[{"name":"a","properties":{"alertNotifications":"Off"}}],"nextLink":"https://x/next"}
                """;
            String page2 = """
                {"value":[{"name":"b","properties":{"alertNotifications":{"state":"On","minimalSeverity":"High"}}}]}
                """;
            RuleResult result = HighSeverityAlertEmailRule.evaluate(
                    SecurityContactsNormalizer.parse(java.util.List.of(page1, page2)), Profile.DEFAULT);
            assertThat(result.verdict()).isEqualTo(Verdict.PASS);
            assertThat(result.warningCodes()).doesNotContain("PARTIAL_LIST");
            assertThat(result.evidence())
                    .extracting(Evidence::getPath)
                    .contains("page2:$.value[0].properties.alertNotifications.minimalSeverity");
        }
    }

    @Nested
    class Errors {
        @ParameterizedTest
        @ValueSource(strings = {"", "   ", "not json", "{\"value\": [", "[] trailing", "<html>502 Bad Gateway</html>"})
        void unparseableBodiesAreErrors(String body) {
            RuleResult result = check(body);
            assertThat(result.verdict()).isEqualTo(Verdict.ERROR);
            assertThat(result.reasonCodes()).containsExactly("UNPARSEABLE_BODY");
        }

        @Test
        void armErrorBodyIsAnError() {
            String body = """
                {"error":{"code":"AuthorizationFailed","message":"The client does not have authorization"}}
                """;
            RuleResult result = check(body);
            assertThat(result.verdict()).isEqualTo(Verdict.ERROR);
            assertThat(result.reasonCodes()).containsExactly("ARM_ERROR");
            assertThat(result.reasons().get(0).getMessage()).contains("AuthorizationFailed");
        }

        @ParameterizedTest
        @ValueSource(strings = {"{}", "{\"value\": null}", "{\"value\": {}}", "null", "42", "\"text\"", "true"})
        void otherShapesAreErrors(String body) {
            RuleResult result = check(body);
            assertThat(result.verdict()).isEqualTo(Verdict.ERROR);
            assertThat(result.reasonCodes()).containsExactly("UNEXPECTED_SHAPE");
        }

        @Test
        void aSingleContactIsNotAList() {
            String single = "{\"id\":\"/subscriptions/" + SUB
                    + "/x\",\"name\":\"default\",\"properties\":{\"isEnabled\":true}}";
            RuleResult result = check(single);
            assertThat(result.verdict()).isEqualTo(Verdict.ERROR);
            assertThat(result.reasons().get(0).getMessage()).contains("a single contact?");
        }

        @Test
        void byteOrderMarkIsTolerated() {
            assertThat(check("\uFEFF" + v2017("default1", "\"On\"")).verdict()).isEqualTo(Verdict.PASS);
        }
    }

    @Nested
    class Snapshots {
        SecurityContactSnapshot.Builder snapshot() {
            return SecurityContactSnapshot.newBuilder()
                    .setSubscriptionId(SUB)
                    .setRunId("run-1")
                    .setCollectedAt(Instant.parse("2026-03-01T00:00:00Z"))
                    .setApiVersion("2023-12-01-preview");
        }

        @ParameterizedTest
        @CsvSource({
            "FORBIDDEN, 403, COLLECTION_FORBIDDEN", "NOT_FOUND, 404, COLLECTION_NOT_FOUND",
            "THROTTLED, 429, COLLECTION_THROTTLED", "ERROR, 503, COLLECTION_ERROR"
        })
        void aCollectionFailureIsAnErrorWithItsCauseNeverAPass(CollectionStatus status, int http, String code) {
            // even a body that would pass is not evaluated when the collection failed
            SecurityContactSnapshot s = snapshot()
                    .setStatus(status)
                    .setHttpStatus(http)
                    .setErrorMessage("AuthorizationFailed: no access")
                    .setArmRequestId("req-1")
                    .setRawBodies(List.of(v2017("default1", "\"On\"")))
                    .build();
            RuleResult result = HighSeverityAlertEmailRule.evaluate(s, Profile.DEFAULT);
            assertThat(result.verdict()).isEqualTo(Verdict.ERROR);
            assertThat(result.reasonCodes()).containsExactly(code);
            assertThat(result.reasons().get(0).getMessage()).contains("HTTP " + http, "AuthorizationFailed", "req-1");
            assertThat(result.subscriptionId()).isEqualTo(SUB);
        }

        @Test
        void anOkSnapshotIsEvaluatedOnItsPages() {
            SecurityContactSnapshot s = snapshot()
                    .setStatus(CollectionStatus.OK)
                    .setRawBodies(List.of(v2020("\"On\"", "\"Medium\"")))
                    .build();
            assertThat(HighSeverityAlertEmailRule.evaluate(s, Profile.DEFAULT).verdict())
                    .isEqualTo(Verdict.PASS);
            assertThat(HighSeverityAlertEmailRule.evaluate(s, Profile.STRICT).verdict())
                    .isEqualTo(Verdict.FAIL);
        }

        @Test
        void anOkSnapshotWithoutABodyIsAnError() {
            SecurityContactSnapshot s =
                    snapshot().setStatus(CollectionStatus.OK).build();
            assertThat(HighSeverityAlertEmailRule.evaluate(s, Profile.DEFAULT).verdict())
                    .isEqualTo(Verdict.ERROR);
        }
    }

    @Test
    void everyResultCarriesTheRuleIdVersionAndProfile() {
        for (RuleResult result : java.util.List.of(check("[]"), strict("nope"), check(v2017("a", "\"On\"")))) {
            assertThat(result.ruleId()).isEqualTo("cis-azure-1.3.0-2.14");
            assertThat(result.ruleVersion()).isEqualTo(HighSeverityAlertEmailRule.VERSION);
            assertThat(result.profile()).isNotNull();
        }
    }
}

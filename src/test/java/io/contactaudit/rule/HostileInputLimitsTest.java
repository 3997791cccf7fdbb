package io.contactaudit.rule;

import static org.assertj.core.api.Assertions.assertThat;

import io.contactaudit.schema.Verdict;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The bounds of {@link ResponseBody}, and the hostile inputs the property tests found, as plain examples. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HostileInputLimitsTest {

    static final String PASSING_CONTACT =
            "{\"name\":\"default\",\"properties\":{\"emails\":\"a@contoso.com\",\"alertNotifications\":{\"state\":\"On\",\"minimalSeverity\":\"High\"}}}";

    static RuleResult check(String body) {
        return HighSeverityAlertEmailRule.evaluate(body, Profile.DEFAULT);
    }

    static String contacts(int n, String contact) {
        StringBuilder body = new StringBuilder("{\"value\":[");
        for (int i = 0; i < n; i++) {
            body.append(i == 0 ? "" : ",").append(contact);
        }
        return body.append("]}").toString();
    }

    static void refused(RuleResult result, String code, String... message) {
        assertThat(result.verdict()).isEqualTo(Verdict.ERROR);
        assertThat(result.reasonCodes()).containsExactly(code);
        assertThat(result.reasons().get(0).getMessage()).contains(message);
    }

    @Test
    void lookAlikeLettersAreNotHigh() {
        // String.equalsIgnoreCase takes the dotless and the dotted capital i for an i: these passed
        assertThat(check(
                                "[{\"properties\":{\"alertNotifications\":{\"state\":\"On\",\"minimalSeverity\":\"H\u0131gh\"}}}]")
                        .verdict())
                .isEqualTo(Verdict.FAIL);
        assertThat(check(
                                "[{\"properties\":{\"isEnabled\":true,\"notificationsSources\":[{\"sourceType\":\"Alert\",\"minimalSeverity\":\"MED\u0130UM\"}]}}]")
                        .reasonCodes())
                .containsExactly("SEVERITY_NOT_ACCEPTED");
        assertThat(check("[{\"properties\":{\"alertNotifications\":{\"state\":\"oN\",\"minimalSeverity\":\"hIGH\"}}}]")
                        .verdict())
                .as("ASCII case still does not matter")
                .isEqualTo(Verdict.PASS);
    }

    @Test
    void aLookAlikeFalseIsNotFalse() {
        RuleResult result = check(
                "[{\"properties\":{\"isEnabled\":\"fal\u017Fe\",\"notificationsSources\":[{\"sourceType\":\"Alert\",\"minimalSeverity\":\"High\"}]}}]");
        assertThat(result.reasonCodes()).containsExactly("NOT_ENABLED");
    }

    @Test
    void aRepeatedFieldNameIsAnError() {
        // which isEnabled counts? Jackson kept the last one, so this passed
        refused(
                check("[{\"properties\":{\"isEnabled\":false,\"isEnabled\":true,"
                        + "\"notificationsSources\":[{\"sourceType\":\"Alert\",\"minimalSeverity\":\"High\"}]}}]"),
                "UNPARSEABLE_BODY",
                "Duplicate field 'isEnabled'",
                "line 1");
    }

    @Test
    void aBodyLargerThanTheLimitIsNotParsed() {
        byte[] body = new byte[ResponseBody.MAX_BYTES + 1];
        java.util.Arrays.fill(body, (byte) ' ');
        body[0] = '[';
        body[body.length - 1] = ']';
        refused(
                HighSeverityAlertEmailRule.evaluate(body, Profile.DEFAULT),
                "BODY_TOO_LARGE",
                "larger than 4194304 bytes");
        body[body.length - 2] = ']';
        byte[] atTheLimit = java.util.Arrays.copyOf(body, ResponseBody.MAX_BYTES);
        assertThat(HighSeverityAlertEmailRule.evaluate(atTheLimit, Profile.DEFAULT)
                        .reasonCodes())
                .containsExactly("NO_CONTACTS");
    }

    @Test
    void invalidUtf8IsAnErrorWithItsOffset() {
        byte[] body = contacts(1, PASSING_CONTACT).getBytes(StandardCharsets.UTF_8);
        body[40] = (byte) 0xFF;
        refused(
                HighSeverityAlertEmailRule.evaluate(body, Profile.DEFAULT),
                "UNPARSEABLE_BODY",
                "not valid UTF-8",
                "byte offset 40");
        byte[] surrogate = "[\"\u00ED\u00A0\u0080\"]".getBytes(StandardCharsets.ISO_8859_1);
        refused(HighSeverityAlertEmailRule.evaluate(surrogate, Profile.DEFAULT), "UNPARSEABLE_BODY", "not valid UTF-8");
    }

    @Test
    void deepNestingStopsAtTheLimit() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        refused(check(deep), "BODY_TOO_LARGE", "nesting depth (65) exceeds the maximum allowed (64");
        String contact = "{\"properties\":" + "{\"x\":".repeat(58) + "1" + "}".repeat(58) + ",\"p\":1}";
        assertThat(check("{\"value\":[" + contact + "]}").reasonCodes())
                .as("depth 62 is read")
                .containsExactly("NO_ALERT_SETTING");
    }

    @Test
    void aHugeStringStopsAtTheLimit() {
        String body = "[{\"properties\":{\"emails\":\"" + "a".repeat(ResponseBody.MAX_STRING_CHARS + 1)
                + "\",\"alertNotifications\":\"On\"}}]";
        refused(check(body), "BODY_TOO_LARGE", "String value length");
        String longName = "[{\"" + "n".repeat(ResponseBody.MAX_NAME_CHARS + 1) + "\":1}]";
        refused(check(longName), "BODY_TOO_LARGE", "Name length");
    }

    @Test
    void hugeNumbersStopAtTheLimitOrAreJustNumbers() {
        refused(
                check("[{\"properties\":{\"isEnabled\":" + "9".repeat(ResponseBody.MAX_NUMBER_CHARS + 1) + "}}]"),
                "BODY_TOO_LARGE",
                "Number value length");
        for (String number : List.of("1e999999999", "-1e-999999999", "1E+2147483648", "9".repeat(100))) {
            RuleResult result = check("[{\"properties\":{\"isEnabled\":" + number + ",\"notificationsSources\":[]}}]");
            assertThat(result.reasonCodes()).as(number).containsExactly("NOT_ENABLED");
        }
    }

    @Test
    void moreContactsThanTheLimitAreAnErrorEvenWithAPassingOne() {
        refused(
                check(contacts(ResponseBody.MAX_CONTACTS + 1, PASSING_CONTACT)),
                "BODY_TOO_LARGE",
                "more than 1000 contacts");
        assertThat(check(contacts(ResponseBody.MAX_CONTACTS, PASSING_CONTACT)).verdict())
                .isEqualTo(Verdict.PASS);
        // 100,000 contacts: the token limit stops the parser first
        refused(check(contacts(100_000, "{}")), "BODY_TOO_LARGE", "Token count");
    }

    @Test
    void theContactLimitCountsEveryPage() {
        String page = contacts(600, "{\"properties\":{\"alertNotifications\":\"Off\"}}");
        RuleResult result = HighSeverityAlertEmailRule.evaluate(
                SecurityContactsNormalizer.parse(List.of(page, page)), Profile.DEFAULT);
        assertThat(result.verdict()).isEqualTo(Verdict.ERROR);
        assertThat(result.reasonCodes()).startsWith("BODY_TOO_LARGE");
        assertThat(result.reasons().get(0).getMessage()).contains("600 on this page, 600 before it");
    }

    @Test
    void aSnapshotPageLargerThanTheLimitIsAnError() {
        String body = "[" + " ".repeat(ResponseBody.MAX_BYTES) + "]";
        refused(check(body), "BODY_TOO_LARGE", "Document length");
    }
}

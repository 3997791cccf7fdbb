package io.contactaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckCommandTest {

    static final ObjectMapper JSON = new ObjectMapper();

    static final String PASSING = """
        {"value":[{"id":"/subscriptions/AAAA-1/providers/Microsoft.Security/securityContacts/default","name":"default",
          "properties":{"isEnabled":true,"emails":"sec@contoso.com",
            "notificationsSources":[{"sourceType":"Alert","minimalSeverity":"Medium"}]}}]}
        """;
    static final String FAILING = """
        [{"id":"/subscriptions/bbbb-2/providers/Microsoft.Security/securityContacts/default","name":"default",
          "properties":{"emails":"sec@contoso.com","alertNotifications":{"state":"Off","minimalSeverity":"High"}}}]
        """;

    @TempDir
    Path dir;

    Path pass;
    Path fail;

    @BeforeEach
    void files() throws IOException {
        pass = Files.writeString(dir.resolve("pass.json"), PASSING);
        fail = Files.writeString(dir.resolve("fail.json"), FAILING);
    }

    List<JsonNode> jsonLines(CliRunner.Run run) {
        return run.lines().stream()
                .map(line -> {
                    try {
                        return JSON.readTree(line);
                    } catch (IOException e) {
                        throw new AssertionError("not a JSON line: " + line, e);
                    }
                })
                .toList();
    }

    @Test
    void allPassingExitsZero() {
        CliRunner.Run run = CliRunner.run("check", pass.toString());
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("PASS ").contains("subscription aaaa-1", "ALERT_EMAILS_ENABLED");
    }

    @Test
    void anyFailingExitsOne() {
        CliRunner.Run run = CliRunner.run("check", pass.toString(), fail.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains("ALERT_NOTIFICATIONS_OFF", "2 inputs: 1 PASS, 1 FAIL, 0 ERROR");
    }

    @Test
    void jsonLinesCarryTheRequiredFields() {
        CliRunner.Run run = CliRunner.run("check", "--json", pass.toString(), fail.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        List<JsonNode> lines = jsonLines(run);
        assertThat(lines).hasSize(2);
        JsonNode first = lines.get(0);
        assertThat(first.fieldNames())
                .toIterable()
                .contains(
                        "file",
                        "subscriptionId",
                        "verdict",
                        "profile",
                        "ruleId",
                        "ruleVersion",
                        "reasons",
                        "evidence",
                        "warnings");
        assertThat(first.get("file").asText()).isEqualTo(pass.toString());
        assertThat(first.get("subscriptionId").asText()).isEqualTo("aaaa-1");
        assertThat(first.get("verdict").asText()).isEqualTo("PASS");
        assertThat(first.get("profile").asText()).isEqualTo("default");
        assertThat(first.get("ruleId").asText()).isEqualTo("cis-azure-1.3.0-2.14");
        assertThat(first.get("evidence").get(1).get("path").asText())
                .isEqualTo("$.value[0].properties.notificationsSources[0].minimalSeverity");
        assertThat(lines.get(1).get("verdict").asText()).isEqualTo("FAIL");
        assertThat(lines.get(1).get("reasons").get(0).get("code").asText()).isEqualTo("ALERT_NOTIFICATIONS_OFF");
    }

    @Test
    void strictProfileChangesTheVerdict() {
        CliRunner.Run run = CliRunner.run("check", "--profile", "strict", "--json", pass.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(jsonLines(run).get(0).get("profile").asText()).isEqualTo("strict");
        assertThat(jsonLines(run).get(0).get("reasons").get(0).get("code").asText())
                .isEqualTo("SEVERITY_NOT_ACCEPTED");
    }

    @Test
    void readsStandardInput() {
        CliRunner.Run run = CliRunner.withStdin(PASSING, "check", "--json", "-");
        assertThat(run.exitCode()).isZero();
        assertThat(jsonLines(run).get(0).get("file").asText()).isEqualTo("-");
        assertThat(jsonLines(run).get(0).get("verdict").asText()).isEqualTo("PASS");
    }

    @Test
    void aMissingFileIsAnErrorAndTheOthersAreStillEvaluated() {
        Path missing = dir.resolve("missing.json");
        CliRunner.Run run = CliRunner.run("check", "--json", pass.toString(), missing.toString(), fail.toString());
        assertThat(run.exitCode()).isEqualTo(3);
        List<JsonNode> lines = jsonLines(run);
        assertThat(lines).extracting(l -> l.get("verdict").asText()).containsExactly("PASS", "ERROR", "FAIL");
        assertThat(lines.get(1).get("reasons").get(0).get("code").asText()).isEqualTo("INPUT_UNREADABLE");
        assertThat(lines.get(1).get("reasons").get(0).get("message").asText()).contains("no such file", "missing.json");
        assertThat(lines.get(1).get("subscriptionId").isNull()).isTrue();
    }

    @Test
    void aDirectoryIsUnreadable() {
        CliRunner.Run run = CliRunner.run("check", dir.toString());
        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.out()).contains("INPUT_UNREADABLE", "cannot read");
    }

    @Test
    void unparseableInputIsAnError() throws IOException {
        Path broken = Files.writeString(dir.resolve("broken.json"), "{ [ {\"name\": \"default\"} ] }");
        CliRunner.Run run = CliRunner.run("check", broken.toString());
        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.out()).startsWith("ERROR").contains("UNPARSEABLE_BODY", "line 1");
    }

    @Test
    void usageErrorsExitTwo() {
        assertThat(CliRunner.run("check").exitCode()).isEqualTo(2);
        CliRunner.Run badProfile = CliRunner.run("check", "--profile", "lenient", pass.toString());
        assertThat(badProfile.exitCode()).isEqualTo(2);
        assertThat(badProfile.err()).contains("unknown profile 'lenient': expected default or strict");
        assertThat(CliRunner.run("check", "--nope", pass.toString()).exitCode()).isEqualTo(2);
        assertThat(CliRunner.run().exitCode()).isEqualTo(2);
    }

    @Test
    void helpExitsZero() {
        CliRunner.Run run = CliRunner.run("check", "--help");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("--profile", "--json", "Exit codes");
    }
}

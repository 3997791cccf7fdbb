package io.contactaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code remediate} through the real command line against the example tenant (a local fake of Resource Manager). */
class RemediateCommandTest {

    static final String TENANT = Path.of("examples/tenant.yaml").toString();
    static final String PASSING = "0b4f7c2e-8a7d-4c11-9a3e-5f6e7d8c9b0a";
    static final String FAILING_2020 = "1c5a8d3f-9b8e-4d22-8b4f-6a7f8e9d0c1b";
    static final String FORBIDDEN = "3e7caf5b-bdaa-4f44-8d6b-8c9bab01e2d3";

    @Test
    void aDryRunPrintsThePlanAndWritesNothing() {
        CliRunner.Run run = CliRunner.run(
                "remediate", "--scenario", TENANT, "--subscriptions", PASSING + "," + FAILING_2020 + "," + FORBIDDEN);

        assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
        assertThat(run.out())
                .contains("dry run")
                .contains(PASSING + "  NONE", "passes already")
                .contains(FAILING_2020 + "  FIX")
                .contains("PUT /subscriptions/" + FAILING_2020
                        + "/providers/Microsoft.Security/securityContacts/default?api-version=2020-01-01-preview")
                .contains("\"alertNotifications\":{\"state\":\"On\",\"minimalSeverity\":\"High\"}")
                .contains(FORBIDDEN + "  SKIP", "could not be read")
                .doesNotContain("written (HTTP");
    }

    @Test
    void applyWritesReadsAgainAndSaysSo() {
        CliRunner.Run run =
                CliRunner.run("remediate", "--scenario", TENANT, "--subscriptions", FAILING_2020, "--apply", "--json");

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        String line =
                run.lines().stream().filter(l -> l.startsWith("{")).findFirst().orElseThrow();
        assertThat(line)
                .contains("\"action\":\"FIX\"", "\"applied\":true", "\"status\":200", "\"verdictAfter\":\"PASS\"")
                .contains("\"remediationId\":\"remediation:")
                .contains("\"error\":null");
    }

    @Test
    void usageErrors() {
        assertThat(CliRunner.run("remediate", "--scenario", TENANT).err()).contains("--all-failing");
        assertThat(CliRunner.run("remediate", "--scenario", TENANT, "--subscriptions", FAILING_2020, "--all-failing")
                        .err())
                .contains("--bootstrap-servers");
        CliRunner.Run severity = CliRunner.run(
                "remediate", "--scenario", TENANT, "--subscriptions", FAILING_2020, "--severity", "Critical");
        assertThat(severity.exitCode()).isEqualTo(2);
        assertThat(severity.err()).contains("High, Medium or Low");
        CliRunner.Run strict = CliRunner.run(
                "remediate",
                "--scenario",
                TENANT,
                "--subscriptions",
                FAILING_2020,
                "--profile",
                "strict",
                "--severity",
                "Medium");
        assertThat(strict.exitCode()).isEqualTo(2);
        assertThat(strict.err()).contains("strict profile accepts High only");
    }
}

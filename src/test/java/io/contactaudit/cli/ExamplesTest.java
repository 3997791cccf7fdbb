package io.contactaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.contactaudit.app.ExitCodes;
import io.contactaudit.demo.Scenario;
import io.contactaudit.rule.HighSeverityAlertEmailRule;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The bodies shipped in examples/ (used by the README's quickstart) give the verdicts their names say. */
class ExamplesTest {

    @Test
    void theExampleTenantIsAValidScenario() throws Exception {
        Scenario tenant = Scenario.read(Path.of("examples/tenant.yaml"));
        assertThat(tenant.subscriptions()).hasSize(4);
    }

    @Test
    void examplesGiveTheirNamedVerdicts() {
        CliRunner.Run run = CliRunner.run(
                "check",
                "examples/2017-08-01-preview-pass.json",
                "examples/2020-01-01-preview-fail.json",
                "examples/2023-12-01-preview-pass.json");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.FAIL);
        assertThat(run.lines())
                .filteredOn(l -> !l.startsWith(" "))
                .containsExactly(
                        "PASS  examples/2017-08-01-preview-pass.json  (profile default, cis-azure-1.3.0-2.14 v"
                                + HighSeverityAlertEmailRule.VERSION
                                + ", subscription 9d0e1f2a-4b5c-6d7e-8f90-a1b2c3d4e5f6)",
                        "FAIL  examples/2020-01-01-preview-fail.json  (profile default, cis-azure-1.3.0-2.14 v"
                                + HighSeverityAlertEmailRule.VERSION
                                + ", subscription 5b1c2e0a-3f7d-4b8e-9a61-0c2d4e6f8a10)",
                        "PASS  examples/2023-12-01-preview-pass.json  (profile default, cis-azure-1.3.0-2.14 v"
                                + HighSeverityAlertEmailRule.VERSION
                                + ", subscription 20ff7fc3-e762-44dd-bd96-b71116dcdc23)",
                        "3 inputs: 2 PASS, 1 FAIL, 0 ERROR");
    }
}

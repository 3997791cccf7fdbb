package io.contactaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.contactaudit.app.ExitCodes;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** {@code exceptions add|revoke|list} through the real command line: what is refused, and why, before any write. */
class ExceptionsCommandTest {

    static final String SUB = "0b4f7c2e-8a7d-4c11-9a3e-5f6e7d8c9b0a";

    static String inDays(int days) {
        return LocalDate.now(ZoneOffset.UTC).plusDays(days).toString();
    }

    @Test
    void everyProblemOfARequestIsListedAtOnce() {
        CliRunner.Run run = CliRunner.run(
                "exceptions",
                "add",
                "--subscription",
                SUB,
                "--category",
                "MITIGATED",
                "--justification",
                " ",
                "--requested-by",
                "alice@contoso.com",
                "--approved-by",
                "Alice@Contoso.com",
                "--expires",
                inDays(-1),
                "--reasons",
                "CONTACT_DISABLED,COLLECTION_FORBIDDEN");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err())
                .contains("the exception cannot be granted")
                .contains("no justification")
                .contains("MITIGATED needs the control that meets the requirement instead (--compensating-control)")
                .contains("the requester cannot approve their own exception")
                .contains("is in the past")
                .contains("'COLLECTION_FORBIDDEN' is not a failure reason code");
        assertThat(run.err()).doesNotContain("CONTACT_DISABLED' is not");
    }

    @Test
    void anExpiryIsRequiredAndAtMostTheMaximumAfterApproval() {
        CliRunner.Run none = add("--reasons", "CONTACT_DISABLED");
        assertThat(none.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(none.err()).contains("no expiry: every exception ends").contains("at most P365D after approval");

        CliRunner.Run tooLong = add("--reasons", "CONTACT_DISABLED", "--expires", "P400D");
        assertThat(tooLong.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(tooLong.err()).contains("is beyond the maximum of P365D after approval");

        CliRunner.Run configured = CliRunner.withEnv(
                java.util.Map.of("CONTACT_AUDIT_EXCEPTIONS_MAX_DURATION", "P30D"),
                addArgs("--reasons", "CONTACT_DISABLED", "--expires", inDays(60)));
        assertThat(configured.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(configured.err()).contains("beyond the maximum of P30D");

        CliRunner.Run badDuration = add("--reasons", "CONTACT_DISABLED", "--expires", "P3X");
        assertThat(badDuration.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(badDuration.err()).contains("--expires 'P3X' is not an ISO-8601 duration");
    }

    @Test
    void aValidRequestNeedsKafkaToBeWritten() {
        CliRunner.Run run = add("--reasons", "CONTACT_DISABLED", "--expires", "P90D");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("give --bootstrap-servers");
    }

    @Test
    void theCategoryIsWaiverOrMitigated() {
        CliRunner.Run run = CliRunner.run(addArgs("--category", "ACCEPTED", "--expires", "P90D"));
        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("--category must be WAIVER or MITIGATED, got 'ACCEPTED'");
    }

    @Test
    void listAndRevokeNeedKafkaAndSayWhatTheyRead() {
        CliRunner.Run list = CliRunner.run("exceptions", "list", "--active");
        assertThat(list.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(list.err()).contains("exceptions live on the exceptions topic");
        CliRunner.Run both = CliRunner.run("exceptions", "list", "--active", "--expired");
        assertThat(both.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(both.err()).contains("mutually exclusive");
        CliRunner.Run revoke = CliRunner.run("exceptions", "revoke", "--id", "x");
        assertThat(revoke.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(revoke.err())
                .contains("Missing required options")
                .contains("--by")
                .contains("--reason");
    }

    static CliRunner.Run add(String... more) {
        return CliRunner.run(addArgs(more));
    }

    static String[] addArgs(String... more) {
        String[] base = {
            "exceptions",
            "add",
            "--subscription",
            SUB,
            "--category",
            "WAIVER",
            "--justification",
            "sandbox",
            "--requested-by",
            "alice@contoso.com",
            "--approved-by",
            "bob@contoso.com"
        };
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        // a later --category wins in picocli only when repeated is allowed: drop the base one when given again
        if (java.util.Arrays.asList(more).contains("--category")) {
            java.util.List<String> list = new java.util.ArrayList<>(java.util.Arrays.asList(all));
            int i = list.indexOf("--category");
            list.remove(i);
            list.remove(i);
            return list.toArray(String[]::new);
        }
        return all;
    }
}

package io.contactaudit.cli;

import io.contactaudit.ContactAuditCli;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/** Runs the real command line with captured output and a given standard input. */
final class CliRunner {

    record Run(int exitCode, String out, String err) {
        java.util.List<String> lines() {
            return out.lines().toList();
        }
    }

    static Run withStdin(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = ContactAuditCli.commandLine(
                        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                        new PrintWriter(out, true), new PrintWriter(err, true))
                .execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    static Run run(String... args) {
        return withStdin("", args);
    }

    private CliRunner() {
    }
}

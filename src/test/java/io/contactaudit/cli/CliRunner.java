package io.contactaudit.cli;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Runs the real command line with captured output, a given standard input and environment. */
public final class CliRunner {

    public record Run(int exitCode, String out, String err) {
        public java.util.List<String> lines() {
            return out.lines().toList();
        }
    }

    public static Run run(String stdin, Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = ContactAuditCli.commandLine(
                        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                        env,
                        new PrintWriter(out, true),
                        new PrintWriter(err, true))
                .execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    public static Run withStdin(String stdin, String... args) {
        return run(stdin, Map.of(), args);
    }

    public static Run withEnv(Map<String, String> env, String... args) {
        return run("", env, args);
    }

    public static Run run(String... args) {
        return run("", Map.of(), args);
    }

    private CliRunner() {}
}

package io.contactaudit.app;

import io.contactaudit.Errors;
import io.contactaudit.schema.Verdict;
import java.util.Collection;

/** Exit codes of every command, in one place. */
public final class ExitCodes {
    /** Every input passes / the command succeeded. */
    public static final int OK = 0;
    /** Some input fails the rule. */
    public static final int FAIL = 1;
    /** Usage error (picocli's default). */
    public static final int USAGE = 2;
    /** Some input could not be evaluated. */
    public static final int ERROR = 3;
    /** The command itself failed: I/O, Kafka, configuration. */
    public static final int FAILURE = 4;

    private ExitCodes() {}

    /** 3 if any verdict is ERROR, else 1 if any is FAIL, else 0. */
    public static int of(Collection<Verdict> verdicts) {
        if (verdicts.contains(Verdict.ERROR)) {
            return ERROR;
        }
        return verdicts.contains(Verdict.FAIL) ? FAIL : OK;
    }

    /** One line for a failure: the message of the exception and its causes, without a stack trace. */
    public static String describe(Throwable e) {
        return "error: " + Errors.messages(e).replaceAll("\\s*\\R\\s*", " ");
    }
}

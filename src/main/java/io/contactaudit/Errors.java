package io.contactaudit;

import java.util.regex.Pattern;

/** Text of failures, for people: the messages of an exception and its causes, without repeats, without credentials. */
public final class Errors {

    /** The user info of a URL ({@code https://user:password@host}): Confluent's serde takes credentials there. */
    private static final Pattern USER_INFO = Pattern.compile("(?<=://)\\S*@");

    private Errors() {}

    /**
     * {@code text} with the user info of every URL in it masked, up to its last {@code @} (a password may hold a
     * {@code /} or an {@code @} that was not percent-encoded): what may be printed or logged.
     */
    public static String withoutUserInfo(String text) {
        return text == null ? null : USER_INFO.matcher(text).replaceAll("[redacted]@");
    }

    /** {@code outer message: cause message: root cause message}, URLs without their user info. */
    public static String messages(Throwable error) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = error; t != null; t = t.getCause()) {
            String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
            if (text.indexOf(message) < 0) {
                text.append(text.length() == 0 ? "" : ": ").append(message);
            }
        }
        return withoutUserInfo(text.toString());
    }
}

package io.contactaudit;

/** Text of failures, for people: the messages of an exception and its causes, without repeats. */
public final class Errors {

    private Errors() {}

    /** {@code outer message: cause message: root cause message}. */
    public static String messages(Throwable error) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = error; t != null; t = t.getCause()) {
            String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
            if (text.indexOf(message) < 0) {
                text.append(text.length() == 0 ? "" : ": ").append(message);
            }
        }
        return text.toString();
    }
}

package io.contactaudit.app;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * Keeps the Kafka clients' own connection warnings (one per retry, about thirty while brokers are away) off the
 * terminal during the start-up check, which says in one line what it waits for and fails in one line. Nothing is
 * hidden where the detail is wanted: at DEBUG ({@code CONTACT_AUDIT_LOG_LEVEL=DEBUG}) and in JSON logs
 * ({@code CONTACT_AUDIT_LOG_FORMAT=json}) they stay.
 */
final class StartupLogs implements AutoCloseable {

    /** Where the clients log "Connection to node ... could not be established". */
    static final String CONNECTION_WARNINGS = "org.apache.kafka.clients.NetworkClient";

    private final Level before;

    private StartupLogs(Level before) {
        this.before = before;
    }

    /** Quiet until {@link #close()}, unless the logs are JSON or the application's level is DEBUG or finer. */
    static StartupLogs quiet() {
        if (LogManager.getLogger("io.contactaudit").isDebugEnabled() || jsonLogs()) {
            return new StartupLogs(null);
        }
        Level before = LogManager.getLogger(CONNECTION_WARNINGS).getLevel();
        Configurator.setLevel(CONNECTION_WARNINGS, Level.ERROR);
        return new StartupLogs(before);
    }

    private static boolean jsonLogs() {
        return LogManager.getContext(false) instanceof LoggerContext context
                && context.getConfiguration().getRootLogger().getAppenders().containsKey("json");
    }

    @Override
    public void close() {
        if (before != null) {
            Configurator.setLevel(CONNECTION_WARNINGS, before);
        }
    }
}

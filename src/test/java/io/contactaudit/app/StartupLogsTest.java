package io.contactaudit.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.junit.jupiter.api.Test;

class StartupLogsTest {

    @Test
    void theClientsConnectionWarningsAreOffTheTerminalDuringTheCheckOnlyAndBackAfterIt() {
        Level before = LogManager.getLogger(StartupLogs.CONNECTION_WARNINGS).getLevel();
        assertThat(before).isEqualTo(Level.WARN);
        try (StartupLogs quiet = StartupLogs.quiet()) {
            assertThat(LogManager.getLogger(StartupLogs.CONNECTION_WARNINGS).isWarnEnabled())
                    .isFalse();
            assertThat(LogManager.getLogger(StartupLogs.CONNECTION_WARNINGS).isErrorEnabled())
                    .isTrue();
        }
        assertThat(LogManager.getLogger(StartupLogs.CONNECTION_WARNINGS).getLevel())
                .isEqualTo(before);
    }
}

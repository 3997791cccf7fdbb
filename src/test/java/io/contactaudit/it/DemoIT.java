package io.contactaudit.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.contactaudit.demo.Demo;
import io.contactaudit.schema.DriftKind;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command, in-process: every drift kind the simulated tenant makes appears, and the two changes
 * made through Resource Manager's API between polls are seen through their change events, each with its delay.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DemoIT {

    @TempDir
    Path dir;

    @Test
    void everyDriftKindAppearsAndChangesMadeBetweenPollsArriveThroughTheirEvents() throws Exception {
        StringWriter text = new StringWriter();
        List<DriftKind> missing;
        try (PrintWriter out = new PrintWriter(text)) {
            missing = new Demo(new Demo.Settings(6, Duration.ofSeconds(4), dir, false), out).run();
        }
        String output = text.toString();
        assertThat(missing).as(output).isEmpty();
        assertThat(output)
                .containsPattern("event-triggered: prod-identity REGRESSED \\d+ ms after the change")
                .containsPattern("event-triggered: dev-sandbox REMEDIATED \\d+ ms after the change")
                .doesNotContain("no drift from the change event");
    }
}

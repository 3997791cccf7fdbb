package io.contactaudit.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code run} with its own embedded broker: collects and evaluates, stops on SIGTERM, and starts again on the same data. */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class RunCommandIT {

    @TempDir
    Path dir;

    static final String SCENARIO = """
        tenantId: 11111111-2222-3333-4444-555555555555
        subscriptions:
          - {id: 70000000-0000-0000-0000-000000000001, name: a, contacts: [{emails: [a@contoso.com], alerts: High}]}
          - {id: 70000000-0000-0000-0000-000000000002, name: b, generation: 2020-01-01-preview, contacts: [{alerts: Off}]}
        """;

    @Test
    void runsStopsAndResumesOnTheSameData() throws Exception {
        Path scenario = Files.writeString(dir.resolve("tenant.yaml"), SCENARIO);
        Path data = dir.resolve("kafka");
        String[] args = {
            "run",
            "--embedded-kafka",
            data.toString(),
            "--scenario",
            scenario.toString(),
            "--interval",
            "PT2S",
            "--state-dir",
            dir.resolve("streams").toString()
        };
        for (String name : new String[] {"first", "second"}) {
            Jar jar = new Jar(dir, name);
            Process process = jar.start(Map.of(), args);
            try {
                await().atMost(Duration.ofSeconds(120))
                        .until(() -> jar.out()
                                        .lines()
                                        .filter(l -> l.contains("2 subscriptions"))
                                        .count()
                                >= 2);
                assertThat(jar.out()).contains("embedded Kafka broker at 127.0.0.1:", "OK 2", "published 2, failed 0");
            } finally {
                process.destroy();
                assertThat(process.waitFor(90, TimeUnit.SECONDS))
                        .as("stops on SIGTERM")
                        .isTrue();
            }
            assertThat(jar.err()).contains("-> NOT_RUNNING");
        }
        assertThat(data.resolve("logs").resolve("meta.properties")).exists();
    }
}

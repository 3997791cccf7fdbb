package io.contactaudit.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** CONTACT_AUDIT_LOG_FORMAT=json: every log line is one JSON object; nothing is logged per subscription at INFO. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StructuredLogsIT {

    @TempDir
    Path dir;

    @Test
    void jsonLinesAndNoPerRecordLogging() throws Exception {
        StringBuilder scenario = new StringBuilder("tenantId: 11111111-2222-3333-4444-555555555555\nsubscriptions:\n");
        for (int i = 0; i < 40; i++) {
            scenario.append(String.format(
                    "  - {id: a0000000-0000-0000-0000-%012d, contacts: [{emails: [a@contoso.com], alerts: High}]}%n",
                    i));
        }
        Path file = Files.writeString(dir.resolve("tenant.yaml"), scenario.toString());
        Jar jar = new Jar(dir, "json");
        int code = jar.run(
                Map.of("CONTACT_AUDIT_LOG_FORMAT", "json"),
                "collect",
                "--once",
                "--bootstrap-servers",
                TestKafka.bootstrapServers(),
                "--topic-prefix",
                TestKafka.uniquePrefix("logs"),
                "--scenario",
                file.toString());
        assertThat(code).as(jar.err()).isZero();
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : jar.err().lines().toList()) {
            lines.add(json.readTree(line));
        }
        assertThat(lines)
                .isNotEmpty()
                .allSatisfy(l -> assertThat(l.has("@timestamp") && l.has("log.level") && l.has("message"))
                        .isTrue());
        long ours = lines.stream()
                .filter(l -> l.get("log.logger").asText().startsWith("io.contactaudit"))
                .count();
        assertThat(ours)
                .as("a handful of lines per run, not one per subscription")
                .isBetween(1L, 15L);
        assertThat(lines).anySatisfy(l -> assertThat(l.get("message").asText()).contains("40 subscriptions"));
    }
}

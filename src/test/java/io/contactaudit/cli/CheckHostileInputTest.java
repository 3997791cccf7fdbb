package io.contactaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code check} on hostile files, in its own JVM with a 256 MB heap: a 100 MB body, 100,000 contacts,
 * 100,000-deep nesting, a huge string, invalid UTF-8, and 100 MB on standard input. Each is an ERROR with its
 * reason, the good file beside them still passes, and the whole run stays within the heap and a time bound.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CheckHostileInputTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final long HUNDRED_MB = 100L * 1024 * 1024;
    static final String CONTACT =
            "{\"id\":\"/subscriptions/aaaa-1/providers/Microsoft.Security/securityContacts/default\","
                    + "\"name\":\"default\",\"properties\":{\"isEnabled\":true,\"emails\":\"a@contoso.com\","
                    + "\"notificationsSources\":[{\"sourceType\":\"Alert\",\"minimalSeverity\":\"High\"}]}}";

    @TempDir
    Path dir;

    /** {@code prefix}, then {@code unit} until the file holds {@code size} bytes, then {@code suffix}. */
    static Path write(Path file, String prefix, String unit, long size, String suffix) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            out.write(prefix.getBytes(StandardCharsets.UTF_8));
            byte[] repeated = unit.getBytes(StandardCharsets.UTF_8);
            for (long written = prefix.length(); written < size; written += repeated.length) {
                out.write(repeated);
            }
            out.write(suffix.getBytes(StandardCharsets.UTF_8));
        }
        return file;
    }

    static Path contacts(Path file, int n) throws IOException {
        StringBuilder body = new StringBuilder("{\"value\":[");
        for (int i = 0; i < n; i++) {
            body.append(i == 0 ? "" : ",").append(CONTACT);
        }
        return Files.writeString(file, body.append("]}"));
    }

    /** {@code java -Xmx256m -cp <this test's class path> ContactAuditCli args...}. */
    static ProcessBuilder check(Path dir, String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:+ExitOnOutOfMemoryError",
                "-cp",
                System.getProperty("java.class.path"),
                ContactAuditCli.class.getName(),
                "check",
                "--json"));
        command.addAll(List.of(args));
        return new ProcessBuilder(command)
                .redirectOutput(dir.resolve("check.out").toFile())
                .redirectError(dir.resolve("check.err").toFile());
    }

    static int await(Process process, Path dir) throws Exception {
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(
                    "check did not finish in 90 s; stderr: " + Files.readString(dir.resolve("check.err")));
        }
        return process.exitValue();
    }

    List<JsonNode> lines() throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("check.out"))) {
            lines.add(JSON.readTree(line));
        }
        return lines;
    }

    static String code(JsonNode line) {
        return line.path("reasons").path(0).path("code").asText();
    }

    static String message(JsonNode line) {
        return line.path("reasons").path(0).path("message").asText();
    }

    @Test
    void hostileFilesAreErrorsWithinA256MbHeap() throws Exception {
        Path big = write(dir.resolve("100mb.json"), "{\"value\":[" + CONTACT, "," + CONTACT, HUNDRED_MB, "]}");
        Path many = contacts(dir.resolve("100k-contacts.json"), 100_000);
        Path deep = write(dir.resolve("deep.json"), "", "[", 100_000, "]".repeat(100_000));
        Path string = write(
                dir.resolve("string.json"),
                "[{\"properties\":{\"alertNotifications\":\"On\",\"emails\":\"",
                "a",
                3L * 1024 * 1024,
                "\"}}]");
        byte[] utf8 = ("{\"value\":[" + CONTACT + "]}").getBytes(StandardCharsets.UTF_8);
        utf8[utf8.length / 2] = (byte) 0xC0;
        Path invalid = Files.write(dir.resolve("invalid-utf8.json"), utf8);
        Path good = Files.writeString(dir.resolve("good.json"), "\uFEFF{\"value\":[" + CONTACT + "]}");
        assertThat(Files.size(big)).isGreaterThanOrEqualTo(HUNDRED_MB);
        assertThat(Files.size(many)).isGreaterThan(20_000_000L);

        long started = System.nanoTime();
        int exit = await(
                check(
                                dir,
                                big.toString(),
                                many.toString(),
                                deep.toString(),
                                string.toString(),
                                invalid.toString(),
                                good.toString())
                        .start(),
                dir);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        System.out.printf("check of 6 hostile and good files under -Xmx256m: %d ms%n", millis);

        assertThat(exit)
                .as("stderr: " + Files.readString(dir.resolve("check.err")))
                .isEqualTo(3);
        List<JsonNode> lines = lines();
        assertThat(lines).hasSize(6);
        assertThat(lines)
                .extracting(l -> l.path("verdict").asText())
                .containsExactly("ERROR", "ERROR", "ERROR", "ERROR", "ERROR", "PASS");
        assertThat(lines)
                .extracting(CheckHostileInputTest::code)
                .containsExactly(
                        "BODY_TOO_LARGE",
                        "BODY_TOO_LARGE",
                        "BODY_TOO_LARGE",
                        "BODY_TOO_LARGE",
                        "UNPARSEABLE_BODY",
                        "ALERT_EMAILS_ENABLED");
        assertThat(message(lines.get(0))).contains("larger than 4194304 bytes");
        assertThat(message(lines.get(1))).contains("larger than 4194304 bytes");
        assertThat(message(lines.get(2))).contains("nesting depth");
        assertThat(message(lines.get(3))).contains("String value length");
        assertThat(message(lines.get(4))).contains("not valid UTF-8", "byte offset");
        assertThat(millis).as("bounded time").isLessThan(30_000);
    }

    @Test
    void aHundredMegabytesOnStandardInputAreNotReadWhole() throws Exception {
        Process process =
                check(dir, "-").redirectInput(ProcessBuilder.Redirect.PIPE).start();
        Thread feeder = new Thread(() -> {
            byte[] chunk = ("," + CONTACT).repeat(1_000).getBytes(StandardCharsets.UTF_8);
            try (OutputStream in = process.getOutputStream()) {
                in.write(("{\"value\":[" + CONTACT).getBytes(StandardCharsets.UTF_8));
                for (long written = 0; written < HUNDRED_MB; written += chunk.length) {
                    in.write(chunk);
                }
                in.write("]}".getBytes(StandardCharsets.UTF_8));
            } catch (IOException closedByCheck) {
                // check stops reading past the limit and exits: the pipe breaks, as it should
            }
        });
        feeder.setDaemon(true);
        feeder.start();
        assertThat(await(process, dir)).isEqualTo(3);
        assertThat(lines()).singleElement().satisfies(line -> {
            assertThat(code(line)).isEqualTo("BODY_TOO_LARGE");
            assertThat(line.path("file").asText()).isEqualTo("-");
        });
    }
}

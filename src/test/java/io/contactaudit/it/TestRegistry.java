package io.contactaudit.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Confluent-compatible registry for the integration tests: Apicurio Registry 3.3.3 from its
 * ready-to-run bundle (unpacked into target/apicurio-registry by the build), on a JDK >= 21 found under
 * /usr/lib/jvm, bound to 127.0.0.1 (management interface included) on free ports, in-memory storage.
 * Started on first use, stopped at exit; restartable for outage tests.
 */
public final class TestRegistry {

    static final Path BUNDLE = Path.of("target/apicurio-registry/quarkus-run.jar");
    private static TestRegistry shared;

    private final int port;
    private Process process;

    private TestRegistry(int port) {
        this.port = port;
    }

    /** The shared registry's base URL. */
    public static synchronized String url() {
        if (shared == null) {
            shared = new TestRegistry(freePort());
            shared.start();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::stop));
        }
        return shared.baseUrl();
    }

    /** A registry of its own (for outage tests). */
    static TestRegistry dedicated() {
        TestRegistry registry = new TestRegistry(freePort());
        registry.start();
        return registry;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    synchronized void start() {
        if (!Files.exists(BUNDLE)) {
            throw new IllegalStateException(
                    BUNDLE + " is missing: the build unpacks io.apicurio:apicurio-registry-app:3.3.3:tar.gz:all "
                            + "before the integration tests (mvn verify)");
        }
        try {
            Path log = Files.createTempFile("apicurio-registry", ".log");
            process = new ProcessBuilder(
                            java21().toString(),
                            "-Dquarkus.http.host=127.0.0.1",
                            "-Dquarkus.http.port=" + port,
                            "-Dquarkus.management.host=127.0.0.1",
                            "-Dquarkus.management.port=" + freePort(),
                            "-Dquarkus.log.level=WARN",
                            "-Xmx512m",
                            "-jar",
                            BUNDLE.toAbsolutePath().toString())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(250))
                .ignoreExceptions()
                .until(() -> http.send(
                                        HttpRequest.newBuilder(URI.create(baseUrl() + "/apis/ccompat/v7/subjects"))
                                                .build(),
                                        HttpResponse.BodyHandlers.discarding())
                                .statusCode()
                        == 200);
    }

    synchronized void stop() {
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    /** A java binary of version 21 or newer. */
    static Path java21() {
        try (Stream<Path> jvms = Files.list(Path.of("/usr/lib/jvm"))) {
            List<Path> candidates = jvms.filter(
                            p -> p.getFileName().toString().matches(".*-(2[1-9]|[3-9]\\d)(\\.|-).*"))
                    .map(p -> p.resolve("bin/java"))
                    .filter(Files::isExecutable)
                    .sorted(Comparator.reverseOrder())
                    .toList();
            if (!candidates.isEmpty()) {
                return candidates.get(0);
            }
        } catch (IOException ignored) {
            // fall through
        }
        throw new IllegalStateException("Apicurio Registry 3.3.3 needs Java 21 or newer; none found under /usr/lib/jvm "
                + "(install e.g. temurin-25-jdk)");
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

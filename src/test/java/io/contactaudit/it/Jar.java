package io.contactaudit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The packaged {@code target/contact-audit.jar}, run as a user runs it: a separate JVM. */
final class Jar {

    static final Path JAR = Path.of("target/contact-audit.jar");

    private final Path dir;
    private final String name;

    /** Output goes to {@code dir/name.out} and {@code dir/name.err}. */
    Jar(Path dir, String name) {
        this.dir = dir;
        this.name = name;
    }

    Process start(Map<String, String> env, String... args) throws IOException {
        assertThat(JAR)
                .as("the shaded jar (package runs before the integration tests)")
                .exists();
        List<String> command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(dir.resolve(name + ".out").toFile())
                .redirectError(dir.resolve(name + ".err").toFile());
        builder.environment().putAll(env);
        return builder.start();
    }

    /** Runs to the end (at most 120 s) and returns the exit code. */
    int run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        Process process = start(env, args);
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("contact-audit " + String.join(" ", args) + " did not finish; stderr: " + err());
        }
        return process.exitValue();
    }

    String out() throws IOException {
        return read(name + ".out");
    }

    String err() throws IOException {
        return read(name + ".err");
    }

    private String read(String file) throws IOException {
        Path path = dir.resolve(file);
        return Files.exists(path) ? Files.readString(path) : "";
    }
}

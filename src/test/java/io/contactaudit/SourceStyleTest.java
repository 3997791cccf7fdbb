package io.contactaudit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Main code names classes through imports: no fully-qualified class name inline (formatting itself is Spotless's). */
class SourceStyleTest {

    /** A qualified name of a class: lower-case package parts, then a capitalised name. */
    static final Pattern QUALIFIED =
            Pattern.compile("\\b(?:java|javax|org|com|io|picocli)(?:\\.[a-z][a-z0-9_]*)+\\.[A-Z]\\w*");
    /** Where two classes of one simple name meet in a file, the JDK's keeps its package. */
    static final List<String> ALLOWED = List.of("java.net.http.HttpClient");

    static List<String> inlineNames(String file, List<String> lines) {
        List<String> found = new ArrayList<>();
        for (String line : lines) {
            String code = line.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"")
                    .replaceAll("//.*", "")
                    .trim();
            if (code.startsWith("import ")
                    || code.startsWith("package ")
                    || code.startsWith("*")
                    || code.startsWith("/*")) {
                continue;
            }
            QUALIFIED
                    .matcher(code)
                    .results()
                    .map(m -> m.group())
                    .filter(name -> ALLOWED.stream().noneMatch(name::startsWith))
                    .forEach(name -> found.add(file + ":" + name));
        }
        return found;
    }

    @Test
    void mainCodeImportsInsteadOfQualifying() throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                found.addAll(inlineNames(file.toString(), Files.readAllLines(file)));
            }
        }
        assertThat(found).as("inline fully-qualified class names; import them").isEmpty();
    }

    @Test
    void theCheckFindsAnInlineName() {
        assertThat(inlineNames(
                        "X.java",
                        List.of(
                                "import java.util.List;",
                                "var m = new java.util.concurrent.ConcurrentHashMap<>();",
                                "String s = \"org.apache.kafka.Foo\"; // java.util.Map")))
                .containsExactly("X.java:java.util.concurrent.ConcurrentHashMap");
    }
}

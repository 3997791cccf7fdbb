package io.contactaudit.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.contactaudit.schema.ComplianceException;
import io.contactaudit.schema.ComplianceFinding;
import io.contactaudit.schema.DeadLetter;
import io.contactaudit.schema.DriftEvent;
import io.contactaudit.schema.PostureState;
import io.contactaudit.schema.SecurityContactSnapshot;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/**
 * The deploy step of registry mode: for every Avro topic (and the evaluator's state changelog), checks the
 * schema against what the registry holds — BACKWARD by default, so that consumers with the new schema read
 * every old record — and registers it, through the Confluent-compatible API ({@code /apis/ccompat/v7}).
 * A breaking change fails with a readable list of what breaks, and nothing is registered.
 */
public final class SchemaRegistration {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What happened to one subject. */
    public record Result(String subject, int id, boolean created) {}

    private final String base;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String authorization;

    /**
     * @param registryUrl the registry's base URL or its Confluent-compatible API ({@link RegistryUrl})
     * @param basicAuth   {@code user:password} for HTTP basic authentication, or null
     */
    public SchemaRegistration(String registryUrl, String basicAuth) {
        this.base = RegistryUrl.parse(registryUrl).ccompat();
        this.authorization = basicAuth == null
                ? null
                : "Basic " + Base64.getEncoder().encodeToString(basicAuth.getBytes(StandardCharsets.UTF_8));
    }

    /** Subject → schema of every Avro topic of {@code topics} (the evaluator's changelog holds the posture topic's bytes). */
    public static Map<String, Schema> subjects(Topics topics) {
        Map<String, Schema> subjects = new LinkedHashMap<>();
        subjects.put(topics.snapshots().name() + "-value", SecurityContactSnapshot.getClassSchema());
        subjects.put(topics.findings().name() + "-value", ComplianceFinding.getClassSchema());
        subjects.put(topics.drift().name() + "-value", DriftEvent.getClassSchema());
        subjects.put(topics.posture().name() + "-value", PostureState.getClassSchema());
        subjects.put(topics.dlq().name() + "-value", DeadLetter.getClassSchema());
        subjects.put(topics.exceptions().name() + "-value", ComplianceException.getClassSchema());
        return subjects;
    }

    /**
     * Checks every subject first, then registers all of them.
     *
     * @throws IncompatibleSchemaException listing every subject whose change would break readers
     */
    public List<Result> register(Map<String, Schema> subjects, String compatibility)
            throws IOException, InterruptedException {
        List<String> breaking = new ArrayList<>();
        Set<String> existing = new HashSet<>();
        for (Map.Entry<String, Schema> e : subjects.entrySet()) {
            Schema latest = latest(e.getKey());
            if (latest != null) {
                existing.add(e.getKey());
                String problems = problems(e.getValue(), latest, compatibility);
                if (problems != null) {
                    breaking.add(e.getKey() + ": " + problems);
                }
            }
        }
        if (!breaking.isEmpty()) {
            throw new IncompatibleSchemaException(
                    "the schemas are not " + compatibility + " compatible with what the registry holds; "
                            + "nothing was registered:\n  " + String.join("\n  ", breaking));
        }
        List<Result> results = new ArrayList<>();
        for (Map.Entry<String, Schema> e : subjects.entrySet()) {
            boolean existed = existing.contains(e.getKey());
            send("PUT", "/config/" + e.getKey(), "{\"compatibility\":\"" + compatibility + "\"}", 200);
            JsonNode registered = send(
                    "POST",
                    "/subjects/" + e.getKey() + "/versions",
                    JSON.createObjectNode()
                            .put("schema", e.getValue().toString())
                            .toString(),
                    200);
            results.add(new Result(e.getKey(), registered.path("id").asInt(), !existed));
        }
        return results;
    }

    /** What breaks, in words, or null when the change is compatible under {@code compatibility}. */
    static String problems(Schema proposed, Schema registered, String compatibility) {
        List<String> found = new ArrayList<>();
        String mode = compatibility.toUpperCase(Locale.ROOT);
        if (mode.startsWith("BACKWARD") || mode.startsWith("FULL")) {
            describe(
                    SchemaCompatibility.checkReaderWriterCompatibility(proposed, registered),
                    "new readers cannot read old records",
                    found);
        }
        if (mode.startsWith("FORWARD") || mode.startsWith("FULL")) {
            describe(
                    SchemaCompatibility.checkReaderWriterCompatibility(registered, proposed),
                    "old readers cannot read new records",
                    found);
        }
        return found.isEmpty() ? null : String.join("; ", found);
    }

    private static void describe(SchemaCompatibility.SchemaPairCompatibility pair, String what, List<String> into) {
        if (pair.getType() == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            return;
        }
        for (SchemaCompatibility.Incompatibility i : pair.getResult().getIncompatibilities()) {
            into.add(what + ": " + i.getType() + " at " + i.getLocation() + " (" + i.getMessage() + ")");
        }
    }

    /** The latest schema of a subject, or null when the subject does not exist. */
    Schema latest(String subject) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(
                request("GET", "/subjects/" + subject + "/versions/latest", null),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 404) {
            return null;
        }
        check(response, 200, "reading " + subject);
        return new Schema.Parser()
                .parse(JSON.readTree(response.body()).path("schema").asText());
    }

    private JsonNode send(String method, String path, String body, int expected)
            throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request(method, path, body), HttpResponse.BodyHandlers.ofString());
        check(response, expected, method + " " + path);
        return response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
    }

    private HttpRequest request(String method, String path, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(30))
                .header("Accept", "application/json");
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return body == null
                ? b.method(method, HttpRequest.BodyPublishers.noBody()).build()
                : b.header("Content-Type", "application/vnd.schemaregistry.v1+json")
                        .method(method, HttpRequest.BodyPublishers.ofString(body))
                        .build();
    }

    private static void check(HttpResponse<String> response, int expected, String what) {
        if (response.statusCode() != expected) {
            throw new IllegalStateException(
                    "schema registry: " + what + " answered HTTP " + response.statusCode() + ": " + response.body());
        }
    }

    /** A schema change that would break readers. */
    public static final class IncompatibleSchemaException extends IllegalStateException {
        IncompatibleSchemaException(String message) {
            super(message);
        }
    }
}

package io.contactaudit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.contactaudit.kafka.SingleObjectAvroSerde;
import io.contactaudit.schema.ComplianceException;
import io.contactaudit.schema.ComplianceFinding;
import io.contactaudit.schema.DeadLetter;
import io.contactaudit.schema.DriftEvent;
import io.contactaudit.schema.PostureState;
import io.contactaudit.schema.SecurityContactSnapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contracts stay BACKWARD compatible with every released version of them (the store of released schemas the
 * single-object decoder ships with, {@code src/main/resources/schemas/released/}) and are documented. Releasing
 * today's schemas: {@code ./mvnw -B -o test -Dtest=SchemaEvolutionTest -Dschemas.release=N} (schemas/README.md).
 */
class SchemaEvolutionTest {

    static final ObjectMapper JSON = new ObjectMapper();
    /** The store in the source tree (the tests read it from the class path). */
    static final Path STORE = Path.of("src/main/resources").resolve(SingleObjectAvroSerde.RELEASED.substring(1));

    static Stream<Schema> topLevel() {
        return Stream.of(
                SecurityContactSnapshot.getClassSchema(),
                ComplianceFinding.getClassSchema(),
                DriftEvent.getClassSchema(),
                PostureState.getClassSchema(),
                DeadLetter.getClassSchema(),
                ComplianceException.getClassSchema());
    }

    /** Every released version of every record: (release, today's schema, released schema). */
    static Stream<Arguments> releasedVersions() {
        return topLevel()
                .flatMap(current -> SingleObjectAvroSerde.released(current.getFullName()).entrySet().stream()
                        .map(e -> Arguments.of(e.getKey(), current, e.getValue())));
    }

    /** What today's reader cannot read of what {@code writer} wrote; empty when compatible. */
    static List<String> incompatibilities(Schema reader, Schema writer) {
        List<String> found = new ArrayList<>();
        SchemaCompatibility.SchemaPairCompatibility pair =
                SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        for (SchemaCompatibility.Incompatibility i : pair.getResult().getIncompatibilities()) {
            found.add(i.getType() + " at " + i.getLocation() + ": " + i.getMessage());
        }
        return found;
    }

    @ParameterizedTest(name = "{1} reads what release {0} wrote")
    @MethodSource("releasedVersions")
    void currentSchemaReadsWhatEveryReleaseWrote(String release, Schema current, Schema released) {
        assertThat(incompatibilities(current, released))
                .as("today's " + current.getName() + " reading release " + release)
                .isEmpty();
    }

    @ParameterizedTest
    @MethodSource("topLevel")
    void everyRecordIsInTheStoreOfReleasedSchemas(Schema current) {
        assertThat(SingleObjectAvroSerde.released(current.getFullName()))
                .as(current.getName() + " has no released version: release it (schemas/README.md)")
                .isNotEmpty();
    }

    /** Mutations of a released schema that would break today's readers, as a careless change might make them. */
    static Stream<Arguments> breakingChanges() {
        return Stream.of(
                Arguments.of(
                        "a field's type changed (string to int)",
                        (Consumer<ObjectNode>) s -> field(s, "subscriptionId").put("type", "int"),
                        "TYPE_MISMATCH"),
                Arguments.of(
                        "a field added without a default",
                        (Consumer<ObjectNode>) s -> fields(s)
                                .add(JSON.createObjectNode()
                                        .put("name", "owner")
                                        .put("type", "string")
                                        .put("doc", "who owns it")),
                        "READER_FIELD_MISSING_DEFAULT_VALUE"),
                Arguments.of(
                        "a field renamed without an alias",
                        (Consumer<ObjectNode>) s -> field(s, "runId").put("name", "collectionRunId"),
                        "READER_FIELD_MISSING_DEFAULT_VALUE"),
                Arguments.of(
                        "an enum's default and one of its symbols removed",
                        (Consumer<ObjectNode>) s -> {
                            ObjectNode status = (ObjectNode) field(s, "status").get("type");
                            ((ArrayNode) status.get("symbols")).remove(1);
                            status.remove("default");
                        },
                        "MISSING_ENUM_SYMBOLS"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("breakingChanges")
    void theCheckReportsAChangeThatWouldBreakReaders(String change, Consumer<ObjectNode> mutation, String expected) {
        Schema released = SingleObjectAvroSerde.released(
                        SecurityContactSnapshot.getClassSchema().getFullName())
                .values()
                .iterator()
                .next();
        Schema broken = mutate(released, mutation);
        assertThat(incompatibilities(broken, released))
                .as(change)
                .isNotEmpty()
                .anyMatch(problem -> problem.startsWith(expected));
    }

    @Test
    void theCheckAcceptsTheChangesTheRulesAllow() {
        Schema released = SingleObjectAvroSerde.released(
                        DriftEvent.getClassSchema().getFullName())
                .values()
                .iterator()
                .next();
        Schema evolved = mutate(released, s -> {
            fields(s)
                    .add(JSON.createObjectNode()
                            .put("name", "note")
                            .put("doc", "an optional field")
                            .putNull("default")
                            .set("type", JSON.createArrayNode().add("null").add("string")));
            field(s, "eventId")
                    .put("name", "id")
                    .set("aliases", JSON.createArrayNode().add("eventId"));
            ((ArrayNode) field(s, "kind").get("type").get("symbols")).add("SUPPRESSED");
        });
        assertThat(SchemaNormalization.parsingFingerprint64(evolved))
                .isNotEqualTo(SchemaNormalization.parsingFingerprint64(released));
        assertThat(incompatibilities(evolved, released)).isEmpty();
    }

    static Schema mutate(Schema schema, Consumer<ObjectNode> mutation) {
        try {
            ObjectNode json = (ObjectNode) JSON.readTree(schema.toString());
            mutation.accept(json);
            return new Schema.Parser().parse(json.toString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static ArrayNode fields(ObjectNode record) {
        return (ArrayNode) record.get("fields");
    }

    static ObjectNode field(ObjectNode record, String name) {
        for (JsonNode field : fields(record)) {
            if (field.get("name").asText().equals(name)) {
                return (ObjectNode) field;
            }
        }
        throw new IllegalArgumentException("no field " + name);
    }

    @ParameterizedTest
    @MethodSource("topLevel")
    void everyRecordAndFieldIsDocumented(Schema schema) {
        List<String> undocumented = new ArrayList<>();
        collect(schema, undocumented, new ArrayList<>());
        assertThat(undocumented).isEmpty();
    }

    private static void collect(Schema schema, List<String> undocumented, List<String> seen) {
        switch (schema.getType()) {
            case RECORD -> {
                if (seen.contains(schema.getFullName())) {
                    return;
                }
                seen.add(schema.getFullName());
                if (schema.getDoc() == null) {
                    undocumented.add(schema.getFullName());
                }
                for (Schema.Field field : schema.getFields()) {
                    if (field.doc() == null || field.doc().isBlank()) {
                        undocumented.add(schema.getName() + "." + field.name());
                    }
                    collect(field.schema(), undocumented, seen);
                }
            }
            case UNION -> schema.getTypes().forEach(t -> collect(t, undocumented, seen));
            case ARRAY -> collect(schema.getElementType(), undocumented, seen);
            case ENUM -> {
                if (schema.getDoc() == null) {
                    undocumented.add(schema.getFullName());
                }
            }
            default -> {}
        }
    }

    /**
     * The release step (not a check): writes today's schema of every record into the store as release
     * {@code -Dschemas.release=N} and appends N to {@code RELEASES}. Refuses a release that exists or that changes
     * nothing.
     */
    @Test
    @EnabledIfSystemProperty(named = "schemas.release", matches = ".+")
    void releaseTodaysSchemas() throws IOException {
        String release = System.getProperty("schemas.release").strip();
        assertThat(release).as("a release is a directory name").matches("[A-Za-z0-9._-]+");
        Path index = STORE.resolve("RELEASES");
        List<String> existing = Files.exists(index) ? SingleObjectAvroSerde.releases() : List.of();
        assertThat(existing)
                .as("release " + release + " exists; released schemas are never rewritten")
                .doesNotContain(release);
        if (!existing.isEmpty()) {
            assertThat(topLevel()
                            .filter(s -> SingleObjectAvroSerde.released(s.getFullName()).values().stream()
                                    .noneMatch(r -> SchemaNormalization.parsingFingerprint64(r)
                                            == SchemaNormalization.parsingFingerprint64(s))))
                    .as("no schema changed since the releases " + existing)
                    .isNotEmpty();
        }
        Files.createDirectories(STORE.resolve(release));
        for (Schema schema : topLevel().toList()) {
            Files.writeString(STORE.resolve(release).resolve(schema.getName() + ".avsc"), schema.toString(true) + "\n");
        }
        if (!Files.exists(index)) {
            Files.writeString(
                    index,
                    "# Schema releases, oldest first, one a line; each names the directory beside this file that holds\n"
                            + "# the schema of every record as that release wrote it. Appended by the release step (schemas/README.md);\n"
                            + "# never edit or remove a line.\n");
        }
        Files.writeString(index, release + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }
}

package io.contactaudit;

import static org.assertj.core.api.Assertions.assertThat;

import io.contactaudit.schema.ComplianceFinding;
import io.contactaudit.schema.DeadLetter;
import io.contactaudit.schema.DriftEvent;
import io.contactaudit.schema.PostureState;
import io.contactaudit.schema.SecurityContactSnapshot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The contracts stay BACKWARD compatible with the released baseline and are documented. */
class SchemaEvolutionTest {

    static final Path BASELINE = Path.of("src/test/resources/schema-baseline");

    static Stream<Schema> topLevel() {
        return Stream.of(SecurityContactSnapshot.getClassSchema(), ComplianceFinding.getClassSchema(),
                DriftEvent.getClassSchema(), PostureState.getClassSchema(), DeadLetter.getClassSchema());
    }

    /** Shared types, in the order the plugin's {@code <imports>} compile them. */
    static final List<String> SHARED = List.of("CollectionStatus", "Verdict", "NotificationSource",
            "NormalizedContact", "Reason", "Evidence", "FieldChange");

    /** Parses the baseline files, shared types first, as the plugin does. */
    static Schema baseline(String fullName) throws IOException {
        Schema.Parser parser = new Schema.Parser();
        for (String shared : SHARED) {
            parser.parse(BASELINE.resolve(shared + ".avsc").toFile());
        }
        String simpleName = fullName.substring(fullName.lastIndexOf('.') + 1);
        Path file = BASELINE.resolve(simpleName + ".avsc");
        assertThat(file).as("baseline of " + fullName).exists();
        return parser.parse(file.toFile());
    }

    @ParameterizedTest
    @MethodSource("topLevel")
    void currentSchemaReadsWhatTheBaselineWrote(Schema current) throws IOException {
        Schema old = baseline(current.getFullName());
        assertThat(old).as("baseline of " + current.getFullName()).isNotNull();
        SchemaCompatibility.SchemaPairCompatibility result =
                SchemaCompatibility.checkReaderWriterCompatibility(current, old);
        assertThat(result.getType())
                .as(result.getDescription())
                .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
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
            default -> { }
        }
    }
}

package io.contactaudit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.contactaudit.kafka.AvroSerdes;
import io.contactaudit.kafka.SingleObjectAvroSerde;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Today's code reads the records every release wrote ({@link ReleasedRecords}): the single-object bytes through the
 * production serde, and the Avro body of the registry-mode bytes against the release's writer schema (the
 * registry's part, ids, is {@code RegistryModeIT}'s). And tomorrow's reader — today's schemas plus a field, as the
 * next change will make them — reads them too, with no code change.
 */
class ReleasedRecordsTest {

    /** Every (release, fixture) whose record that release wrote. */
    static Stream<Arguments> released() {
        return SingleObjectAvroSerde.releases().stream()
                .flatMap(release -> ReleasedRecords.all().stream()
                        .filter(f ->
                                SingleObjectAvroSerde.released(f.schemaName()).containsKey(release))
                        .map(f -> Arguments.of(release, f)));
    }

    static Schema writer(String release, ReleasedRecords.Fixture<?> fixture) {
        return SingleObjectAvroSerde.released(fixture.schemaName()).get(release);
    }

    @ParameterizedTest(name = "release {0}: {1}")
    @MethodSource("released")
    void embeddedRecordsOfEveryReleaseDecode(String release, ReleasedRecords.Fixture<?> fixture) {
        byte[] bytes = ReleasedRecords.read(release, ReleasedRecords.EMBEDDED, fixture.dataset());
        assertThat(Arrays.copyOf(bytes, 2)).as("single-object marker").containsExactly(0xC3, 0x01);
        assertThat(ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong())
                .as("written with release " + release + "'s schema")
                .isEqualTo(SchemaNormalization.parsingFingerprint64(writer(release, fixture)));

        Object decoded = AvroSerdes.singleObject()
                .serde(fixture.type())
                .deserializer()
                .deserialize(fixture.topic("contact-audit"), bytes);
        fixture.verify(decoded);
    }

    @ParameterizedTest(name = "release {0}: {1}")
    @MethodSource("released")
    void registryRecordsOfEveryReleaseDecodeAgainstTheReleasedWriterSchema(
            String release, ReleasedRecords.Fixture<?> fixture) throws IOException {
        byte[] bytes = ReleasedRecords.read(release, ReleasedRecords.REGISTRY, fixture.dataset());
        assertThat(bytes[0]).as("Confluent magic byte").isZero();
        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).as("schema id").isPositive();

        Schema reader = SpecificData.getForClass(fixture.type()).getSchema(fixture.type());
        BinaryDecoder body = DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, null);
        Object decoded = SpecificData.getForClass(fixture.type())
                .createDatumReader(writer(release, fixture), reader)
                .read(null, body);
        assertThat(body.isEnd()).as("the whole body is the record").isTrue();
        fixture.verify(decoded);
    }

    /**
     * The next schema change, simulated: each record gains an optional field at its end. A decoder built as production
     * builds it ({@link SingleObjectAvroSerde#decoder}) reads every release's bytes into it, with every field of today
     * as written and the new field at its default; without the released schemas the fingerprint would be unknown.
     */
    @ParameterizedTest(name = "release {0}: {1}")
    @MethodSource("released")
    void tomorrowsReaderDecodesEveryRelease(String release, ReleasedRecords.Fixture<?> fixture) throws IOException {
        Schema today = fixture.record().getSchema();
        Schema tomorrow = SchemaEvolutionTest.mutate(
                today,
                s -> SchemaEvolutionTest.fields(s)
                        .add(((ObjectNode) SchemaEvolutionTest.JSON
                                        .createObjectNode()
                                        .put("name", "addedLater")
                                        .put("doc", "a field of the next release")
                                        .putNull("default"))
                                .set(
                                        "type",
                                        SchemaEvolutionTest.JSON
                                                .createArrayNode()
                                                .add("null")
                                                .add("string"))));
        GenericData model = new GenericData();
        model.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());

        GenericRecord decoded = SingleObjectAvroSerde.<GenericRecord>decoder(model, tomorrow)
                .decode(ReleasedRecords.read(release, ReleasedRecords.EMBEDDED, fixture.dataset()));
        assertThat(decoded.get("addedLater")).isNull();
        for (Schema.Field field : today.getFields()) {
            assertThat(model.toString(decoded.get(field.name())))
                    .as(fixture.dataset() + "." + field.name())
                    .isEqualTo(model.toString(fixture.record().get(field.pos())));
        }
    }

    @Test
    void everyReleaseHasItsRecordsInBothEncodings() {
        for (String release : SingleObjectAvroSerde.releases()) {
            List<String> missing = ReleasedRecords.all().stream()
                    .filter(f -> SingleObjectAvroSerde.released(f.schemaName()).containsKey(release))
                    .flatMap(f -> Stream.of(ReleasedRecords.EMBEDDED, ReleasedRecords.REGISTRY)
                            .map(encoding -> ReleasedRecords.file(release, encoding, f.dataset())))
                    .filter(file -> !file.toFile().isFile())
                    .map(Object::toString)
                    .toList();
            assertThat(missing).as("records of release " + release).isEmpty();
        }
    }

    /**
     * Not a check: writes the newest release's single-object fixtures with today's code
     * ({@code -Dreleased.records.write=true}); the registry-mode ones are {@code RegistryModeIT}'s to write.
     */
    @Test
    @EnabledIfSystemProperty(named = ReleasedRecords.WRITE_SWITCH, matches = "true")
    void writeTheNewestReleasesEmbeddedRecords() {
        String release = ReleasedRecords.newestRelease();
        for (ReleasedRecords.Fixture<?> fixture : ReleasedRecords.all()) {
            ReleasedRecords.write(release, ReleasedRecords.EMBEDDED, fixture.dataset(), encode(fixture));
        }
    }

    private static <T extends SpecificRecord> byte[] encode(ReleasedRecords.Fixture<T> fixture) {
        return AvroSerdes.singleObject()
                .serde(fixture.type())
                .serializer()
                .serialize(fixture.topic("contact-audit"), fixture.record());
    }
}

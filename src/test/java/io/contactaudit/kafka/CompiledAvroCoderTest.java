package io.contactaudit.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.contactaudit.schema.ComplianceException;
import io.contactaudit.schema.ComplianceFinding;
import io.contactaudit.schema.DeadLetter;
import io.contactaudit.schema.DriftEvent;
import io.contactaudit.schema.PostureState;
import io.contactaudit.schema.SecurityContactSnapshot;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CompiledAvroCoderTest {

    /** Every record the project writes to a topic, a store or a changelog. */
    static Stream<Class<? extends SpecificRecord>> records() {
        return Stream.of(
                PostureState.class,
                SecurityContactSnapshot.class,
                ComplianceFinding.class,
                DriftEvent.class,
                DeadLetter.class,
                ComplianceException.class);
    }

    @ParameterizedTest
    @MethodSource("records")
    <T extends SpecificRecord> void writesTheBytesAvrosWriterWritesAndTheyDecode(Class<T> type) throws Exception {
        Schema schema = SpecificData.get().getSchema(type);
        CompiledAvroCoder.Writer writer = CompiledAvroCoder.writer(schema);
        CompiledAvroCoder.Reader reader = CompiledAvroCoder.reader(schema);
        assertThat(writer).as("a writer for " + type).isNotNull();
        assertThat(reader).as("a reader for " + type).isNotNull();
        BinaryMessageEncoder<T> avro = new BinaryMessageEncoder<>(SpecificData.getForClass(type), schema);
        SingleObjectAvroSerde<T> serde = new SingleObjectAvroSerde<>(type);
        Random random = new Random(type.getName().hashCode());
        for (int i = 0; i < 500; i++) {
            @SuppressWarnings("unchecked")
            T record = (T) value(schema, random, 0);
            ByteBuffer expected = avro.encode(record);
            byte[] bytes = serde.serializer().serialize("t", record);
            assertThat(ByteBuffer.wrap(bytes)).as("record %d: %s", i, record).isEqualTo(expected);
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(body, null);
            writer.write(record, encoder); // not Avro's writer, which the serde falls back to on an error
            encoder.flush();
            assertThat(body.toByteArray()).isEqualTo(Arrays.copyOfRange(bytes, 10, bytes.length));
            assertThat(reader.read(DecoderFactory.get().binaryDecoder(body.toByteArray(), null)))
                    .isEqualTo(record);
            assertThat(serde.deserializer().deserialize("t", bytes)).isEqualTo(record);
        }
    }

    @ParameterizedTest
    @MethodSource("records")
    <T extends SpecificRecord> void aRecordItsSchemaDoesNotAllowGetsAvrosMessage(Class<T> type) throws Exception {
        T record = type.getConstructor().newInstance(); // every field null
        assertThatThrownBy(() -> new SingleObjectAvroSerde<>(type).serializer().serialize("t", record))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("cannot encode " + type.getSimpleName())
                .hasMessageContaining("null value for (non-nullable)");
    }

    @ParameterizedTest
    @MethodSource("records")
    <T extends SpecificRecord> void aRecordFailingHalfwayLeavesNothingBehindForTheNext(Class<T> type) throws Exception {
        Schema schema = SpecificData.get().getSchema(type);
        SingleObjectAvroSerde<T> serde = new SingleObjectAvroSerde<>(type);
        Random random = new Random(11);
        @SuppressWarnings("unchecked")
        T good = (T) value(schema, random, 0);
        @SuppressWarnings("unchecked")
        T bad = (T) value(schema, random, 0);
        Schema.Field last = schema.getFields().stream()
                .filter(f -> f.schema().getType() == Schema.Type.STRING)
                .reduce((a, b) -> b)
                .orElseThrow();
        bad.put(last.pos(), null); // a required string: fails after the fields before it were written
        assertThatThrownBy(() -> serde.serializer().serialize("t", bad)).isInstanceOf(SerializationException.class);
        assertThat(ByteBuffer.wrap(serde.serializer().serialize("t", good)))
                .isEqualTo(new BinaryMessageEncoder<>(SpecificData.getForClass(type), schema).encode(good));
    }

    @ParameterizedTest
    @MethodSource("records")
    <T extends SpecificRecord> void bytesCutShortGetAvrosMessage(Class<T> type) throws Exception {
        Schema schema = SpecificData.get().getSchema(type);
        SingleObjectAvroSerde<T> serde = new SingleObjectAvroSerde<>(type);
        @SuppressWarnings("unchecked")
        T record = (T) value(schema, new Random(7), 0);
        byte[] bytes = serde.serializer().serialize("t", record);
        byte[] cut = Arrays.copyOf(bytes, 11);
        assertThatThrownBy(() -> serde.deserializer().deserialize("t", cut))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("cannot decode " + type.getSimpleName() + " from topic t (11 bytes)");
    }

    @ParameterizedTest
    @MethodSource("records")
    <T extends SpecificRecord> void readsAndReplacesFieldsInPlaceAsTheSerdeWrites(Class<T> type) {
        Schema schema = SpecificData.get().getSchema(type);
        SingleObjectAvroSerde<T> serde = new SingleObjectAvroSerde<>(type);
        Random random = new Random(type.getName().hashCode() + 1);
        for (int i = 0; i < 300; i++) {
            @SuppressWarnings("unchecked")
            T record = (T) value(schema, random, 0);
            @SuppressWarnings("unchecked")
            T other = (T) value(schema, random, 0);
            SingleObjectAvroSerde<T>.Fields fields =
                    serde.fields(serde.serializer().serialize("t", record));
            assertThat(fields).as("record %d read in place", i).isNotNull();
            for (Schema.Field f : schema.getFields()) {
                assertThat(fields.get(new int[] {f.pos()})[0])
                        .as("record %d, %s", i, f.name())
                        .isEqualTo(record.get(f.pos()));
            }
            int[] read = IntStream.range(0, schema.getFields().size())
                    .filter(f -> random.nextInt(3) == 0)
                    .toArray();
            assertThat(fields.get(read))
                    .as("record %d, fields %s at once", i, Arrays.toString(read))
                    .containsExactly(Arrays.stream(read).mapToObj(record::get).toArray());
            assertThat(fields.record()).as("record %d decoded whole", i).isEqualTo(record);
            int[] replaced = IntStream.range(0, schema.getFields().size())
                    .filter(f -> random.nextInt(3) == 0)
                    .toArray();
            T expected = SpecificData.get().deepCopy(schema, record);
            for (int f : replaced) {
                expected.put(f, other.get(f));
            }
            assertThat(fields.with(
                            replaced,
                            Arrays.stream(replaced).mapToObj(other::get).toArray()))
                    .as("record %d with fields %s of another", i, Arrays.toString(replaced))
                    .isEqualTo(serde.serializer().serialize("t", expected));
        }
    }

    @ParameterizedTest
    @MethodSource("records")
    <T extends SpecificRecord> void visitsTheStringsOfAFieldInPlace(Class<T> type) {
        Schema schema = SpecificData.get().getSchema(type);
        SingleObjectAvroSerde<T> serde = new SingleObjectAvroSerde<>(type);
        Random random = new Random(type.getName().hashCode() + 2);
        for (int i = 0; i < 100; i++) {
            @SuppressWarnings("unchecked")
            T record = (T) value(schema, random, 0);
            SingleObjectAvroSerde<T>.Fields fields =
                    serde.fields(serde.serializer().serialize("t", record));
            for (Schema.Field f : schema.getFields()) {
                List<String> visited = new ArrayList<>();
                Object value = record.get(f.pos());
                if (!holdsStrings(f.schema())) {
                    assertThatThrownBy(() -> fields.strings(f.pos(), (data, offset, length) -> {}))
                            .as("%s of %s", f.name(), type.getSimpleName())
                            .isInstanceOf(IllegalArgumentException.class)
                            .hasMessageContaining("holds no strings");
                    continue;
                }
                int count = fields.strings(
                        f.pos(),
                        (data, offset, length) ->
                                visited.add(new String(data, offset, length, StandardCharsets.UTF_8)));
                List<?> expected = value == null ? List.of() : value instanceof List<?> list ? list : List.of(value);
                assertThat(visited).as("record %d, %s", i, f.name()).isEqualTo(expected);
                assertThat(count).isEqualTo(expected.size());
            }
        }
    }

    /** A string, a string or null, or an array of strings. */
    private static boolean holdsStrings(Schema schema) {
        return switch (schema.getType()) {
            case STRING -> true;
            case UNION -> schema.getTypes().stream().anyMatch(t -> t.getType() == Schema.Type.STRING);
            case ARRAY -> schema.getElementType().getType() == Schema.Type.STRING;
            default -> false;
        };
    }

    @Test
    void theStringsOfAnArrayInBlocksThatStateTheirSizeAreVisited() throws Exception {
        Schema schema = SecurityContactSnapshot.getClassSchema();
        SingleObjectAvroSerde<SecurityContactSnapshot> serde =
                new SingleObjectAvroSerde<>(SecurityContactSnapshot.class);
        SecurityContactSnapshot snapshot = (SecurityContactSnapshot) value(schema, new Random(11), 0);
        snapshot.setRawBodies(List.of("{\"value\":[]}", "ünïcode ✓", ""));
        byte[] plain = serde.serializer().serialize("t", snapshot);
        ByteArrayOutputStream blocked = new ByteArrayOutputStream();
        blocked.write(plain, 0, 10);
        BinaryEncoder encoder = EncoderFactory.get().blockingBinaryEncoder(blocked, null);
        new SpecificDatumWriter<SecurityContactSnapshot>(schema).write(snapshot, encoder);
        encoder.flush();
        assertThat(blocked.toByteArray()).isNotEqualTo(plain); // negative counts, then a size in bytes
        List<String> pages = new ArrayList<>();
        serde.fields(blocked.toByteArray())
                .strings(
                        schema.getField("rawBodies").pos(),
                        (data, offset, length) -> pages.add(new String(data, offset, length, StandardCharsets.UTF_8)));
        assertThat(pages).isEqualTo(snapshot.getRawBodies());
    }

    @ParameterizedTest
    @MethodSource("records")
    <T extends SpecificRecord> void bytesOfAnotherSchemaOrCutShortOrWithMoreAreNotReadInPlace(Class<T> type) {
        Schema schema = SpecificData.get().getSchema(type);
        SingleObjectAvroSerde<T> serde = new SingleObjectAvroSerde<>(type);
        @SuppressWarnings("unchecked")
        T record = (T) value(schema, new Random(5), 0);
        byte[] bytes = serde.serializer().serialize("t", record);
        byte[] otherSchema = bytes.clone();
        otherSchema[4] ^= 1; // a byte of the fingerprint
        assertThat(serde.fields(otherSchema)).isNull();
        assertThat(serde.fields(Arrays.copyOf(bytes, bytes.length - 1))).isNull();
        assertThat(serde.fields(Arrays.copyOf(bytes, bytes.length + 1))).isNull();
        assertThat(serde.fields(null)).isNull();
    }

    @Test
    void aFieldSteppedOverIsCheckedAsFarAsItsFraming() throws Exception {
        Schema schema = PostureState.getClassSchema();
        SingleObjectAvroSerde<PostureState> serde = new SingleObjectAvroSerde<>(PostureState.class);
        PostureState posture = (PostureState) value(schema, new Random(9), 0);
        byte[] bytes = serde.serializer().serialize("t", posture);
        assertThat(serde.fields(bytes)).isNotNull();
        // a union's branch, an enum's symbol, a boolean: one byte each, here set to what the schema does not allow
        int tenant = offset(posture, schema.getField("tenantId").pos());
        int verdict = offset(posture, schema.getField("verdict").pos());
        int stale = offset(posture, schema.getField("stale").pos());
        for (int[] bad : new int[][] {{tenant, 4}, {verdict, 2 * 3}, {stale, 2}}) {
            byte[] broken = bytes.clone();
            broken[bad[0]] = (byte) bad[1];
            assertThat(serde.fields(broken))
                    .as("byte %d set to %d", bad[0], bad[1])
                    .isNull();
            if (bad[0] != stale) {
                // nor decoded: a union branch or an enum symbol the schema has not is an error, not a null or a guess
                assertThatThrownBy(() -> serde.deserializer().deserialize("t", broken))
                        .as("byte %d set to %d", bad[0], bad[1])
                        .isInstanceOf(SerializationException.class);
            }
        }
    }

    /**
     * A record of a few bytes that claims a string of 2 GB, in the current schema or a released one: refused by its
     * framing before a decoder allocates what the length says (with a smaller heap, an OutOfMemoryError that stopped the
     * evaluator at every restart).
     */
    @Test
    void aLengthPastTheEndIsRefusedBeforeAnythingIsAllocated() {
        SingleObjectAvroSerde<SecurityContactSnapshot> serde =
                new SingleObjectAvroSerde<>(SecurityContactSnapshot.class);
        List<Schema> versions = new ArrayList<>(SingleObjectAvroSerde.released(
                        SecurityContactSnapshot.getClassSchema().getFullName())
                .values());
        versions.add(SecurityContactSnapshot.getClassSchema());
        for (Schema version : versions) {
            ByteBuffer hostile = ByteBuffer.allocate(40).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            hostile.put((byte) 0xC3).put((byte) 0x01);
            hostile.putLong(org.apache.avro.SchemaNormalization.parsingFingerprint64(version));
            long length = 2_000_000_000L << 1; // zig-zag
            while ((length & ~0x7FL) != 0) {
                hostile.put((byte) ((length & 0x7F) | 0x80));
                length >>>= 7;
            }
            hostile.put((byte) length);
            assertThatThrownBy(() -> serde.deserializer().deserialize("t", hostile.array()))
                    .as(version.toString().substring(0, 60))
                    .isInstanceOf(SerializationException.class)
                    .hasMessageContaining("not a record of its schema: a length of 2000000000 at byte 15 of 40 bytes");
        }
    }

    @Test
    void aUnionBranchTheSchemaHasNotIsAnErrorNotANull() throws Exception {
        Schema nullable = Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.STRING));
        CompiledAvroCoder.Reader reader = CompiledAvroCoder.reader(nullable);
        assertThat(reader.read(DecoderFactory.get().binaryDecoder(new byte[] {0}, null)))
                .isNull();
        assertThatThrownBy(() -> reader.read(DecoderFactory.get().binaryDecoder(new byte[] {4}, null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("union branch 2 of 2");
    }

    /** Where field {@code position} of a record starts in its single-object bytes. */
    private static int offset(SpecificRecord record, int position) throws Exception {
        ByteArrayOutputStream before = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(before, null);
        for (int f = 0; f < position; f++) {
            CompiledAvroCoder.writer(record.getSchema().getFields().get(f).schema())
                    .write(record.get(f), encoder);
        }
        encoder.flush();
        return 10 + before.size();
    }

    /** A snapshot with an HTTP status of 299 (two bytes: D6 04) and one page, {@code PAGE-MARKER}. */
    private static SecurityContactSnapshot marked() {
        SecurityContactSnapshot snapshot =
                (SecurityContactSnapshot) value(SecurityContactSnapshot.getClassSchema(), new Random(13), 0);
        snapshot.setTenantId("tenant");
        snapshot.setHttpStatus(299);
        snapshot.setRawBodies(List.of("PAGE-MARKER"));
        return snapshot;
    }

    /** {@code bytes} with the {@code length} bytes at {@code at} replaced by {@code replacement}. */
    private static byte[] splice(byte[] bytes, int at, int length, int... replacement) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(bytes, 0, at);
        for (int b : replacement) {
            out.write(b);
        }
        out.write(bytes, at + length, bytes.length - at - length);
        return out.toByteArray();
    }

    @Test
    void anIntInMoreBytesThanAvrosReaderReadsIsNotReadInPlaceNorDecoded() throws Exception {
        Schema schema = SecurityContactSnapshot.getClassSchema();
        SingleObjectAvroSerde<SecurityContactSnapshot> serde =
                new SingleObjectAvroSerde<>(SecurityContactSnapshot.class);
        SecurityContactSnapshot snapshot = marked();
        byte[] bytes = serde.serializer().serialize("t", snapshot);
        int status = offset(snapshot, schema.getField("httpStatus").pos()) + 1; // after the union's branch
        assertThat(Arrays.copyOfRange(bytes, status, status + 2)).containsExactly(0xD6, 0x04);
        // in five bytes, as Avro's reader still reads it: the same value, in place and decoded
        byte[] five = splice(bytes, status, 2, 0xD6, 0x84, 0x80, 0x80, 0x00);
        assertThat(serde.fields(five)).isNotNull();
        assertThat(serde.deserializer().deserialize("t", five).getHttpStatus()).isEqualTo(299);
        // in six, which Avro's reader refuses: so do the framing check and the read in place; and a union's branch
        int tenant = offset(snapshot, schema.getField("tenantId").pos());
        for (byte[] padded : List.of(
                splice(bytes, status, 2, 0xD6, 0x84, 0x80, 0x80, 0x80, 0x00),
                splice(bytes, tenant, 1, 0x82, 0x80, 0x80, 0x80, 0x80, 0x00))) {
            assertThat(serde.fields(padded)).isNull();
            assertThatThrownBy(() -> serde.deserializer().deserialize("t", padded))
                    .isInstanceOf(SerializationException.class)
                    .hasMessageContaining("an int in 6 bytes");
        }
    }

    @Test
    void anArrayBlockWhoseItemsDoNotTakeItsStatedSizeOrWithoutACountIsRefused() throws Exception {
        Schema schema = SecurityContactSnapshot.getClassSchema();
        SingleObjectAvroSerde<SecurityContactSnapshot> serde =
                new SingleObjectAvroSerde<>(SecurityContactSnapshot.class);
        SecurityContactSnapshot snapshot = marked();
        byte[] bytes = serde.serializer().serialize("t", snapshot);
        int pages = offset(snapshot, schema.getField("rawBodies").pos());
        int[] item = new int[12]; // the page: its length (11: 0x16), its bytes
        item[0] = 0x16;
        for (int i = 0; i < 11; i++) {
            item[i + 1] = "PAGE-MARKER".charAt(i);
        }
        assertThat(Arrays.copyOfRange(bytes, pages, pages + 14))
                .isEqualTo(splice(new byte[] {0x02, 0x00}, 1, 0, item)); // one item, its page, the end
        // a block of -1 items that takes 12 bytes: what a blocking encoder writes
        byte[] honest = splice(bytes, pages, 14, concat(new int[] {0x01, 0x18}, item, new int[] {0x00}));
        List<String> visited = new ArrayList<>();
        serde.fields(honest)
                .strings(
                        schema.getField("rawBodies").pos(),
                        (data, offset, length) ->
                                visited.add(new String(data, offset, length, StandardCharsets.UTF_8)));
        assertThat(visited).containsExactly("PAGE-MARKER");
        assertThat(serde.deserializer().deserialize("t", honest)).isEqualTo(snapshot);
        // said to take 13 bytes; a count of Long.MIN_VALUE, whose negation Avro's reader takes for the end
        for (byte[] broken : List.of(
                splice(bytes, pages, 14, concat(new int[] {0x01, 0x1A}, item, new int[] {0x00})),
                splice(
                        bytes,
                        pages,
                        14,
                        concat(
                                new int[] {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x18},
                                item,
                                new int[] {0x00})))) {
            assertThat(serde.fields(broken)).isNull();
            assertThatThrownBy(() -> serde.deserializer().deserialize("t", broken))
                    .isInstanceOf(SerializationException.class)
                    .hasMessageContaining("not a record of its schema: an array block");
        }
    }

    private static int[] concat(int[]... parts) {
        return Arrays.stream(parts).flatMapToInt(Arrays::stream).toArray();
    }

    @Test
    void arrayBlocksThatStateTheirSizeAreSteppedOver() throws Exception {
        Schema schema = PostureState.getClassSchema();
        SingleObjectAvroSerde<PostureState> serde = new SingleObjectAvroSerde<>(PostureState.class);
        PostureState posture = (PostureState) value(schema, new Random(3), 0);
        while (posture.getContacts().isEmpty() || posture.getReasons().isEmpty()) {
            posture = (PostureState) value(schema, new Random(posture.hashCode()), 0);
        }
        byte[] plain = serde.serializer().serialize("t", posture);
        ByteArrayOutputStream blocked = new ByteArrayOutputStream();
        blocked.write(plain, 0, 10);
        BinaryEncoder encoder = EncoderFactory.get().blockingBinaryEncoder(blocked, null);
        new SpecificDatumWriter<PostureState>(schema).write(posture, encoder);
        encoder.flush();
        assertThat(blocked.toByteArray()).isNotEqualTo(plain); // negative counts, then a size in bytes
        SingleObjectAvroSerde<PostureState>.Fields fields = serde.fields(blocked.toByteArray());
        assertThat(fields).isNotNull();
        int contacts = schema.getField("contacts").pos();
        assertThat(fields.get(new int[] {contacts})[0]).isEqualTo(posture.getContacts());
    }

    /** A random value of {@code schema}: every branch of every union taken, strings beyond ASCII, empty arrays. */
    private static Object value(Schema schema, Random random, int depth) {
        return switch (schema.getType()) {
            case RECORD -> {
                SpecificRecord record = (SpecificRecord) SpecificData.get().newRecord(null, schema);
                for (Schema.Field f : schema.getFields()) {
                    record.put(f.pos(), value(f.schema(), random, depth + 1));
                }
                yield record;
            }
            case ENUM ->
                SpecificData.get()
                        .createEnum(
                                schema.getEnumSymbols()
                                        .get(random.nextInt(
                                                schema.getEnumSymbols().size())),
                                schema);
            case ARRAY -> {
                List<Object> items = new ArrayList<>();
                int n = depth > 4 ? 0 : random.nextInt(4);
                for (int i = 0; i < n; i++) {
                    items.add(value(schema.getElementType(), random, depth + 1));
                }
                yield items;
            }
            case MAP -> {
                Map<String, Object> entries = new HashMap<>();
                int n = depth > 4 ? 0 : random.nextInt(3);
                for (int i = 0; i < n; i++) {
                    entries.put(string(random), value(schema.getValueType(), random, depth + 1));
                }
                yield entries;
            }
            case UNION ->
                value(schema.getTypes().get(random.nextInt(schema.getTypes().size())), random, depth);
            case STRING -> string(random);
            case BYTES -> {
                byte[] bytes = new byte[random.nextInt(40)];
                random.nextBytes(bytes);
                yield ByteBuffer.wrap(bytes);
            }
            case INT -> random.nextInt();
            case LONG ->
                schema.getLogicalType() instanceof LogicalTypes.TimestampMillis
                        ? Instant.ofEpochMilli(random.nextLong() % 100_000_000_000_000L)
                        : (Object) random.nextLong();
            case BOOLEAN -> random.nextBoolean();
            case FLOAT -> random.nextFloat();
            case DOUBLE -> random.nextDouble();
            case NULL -> null;
            case FIXED -> throw new IllegalStateException("no fixed in the project's schemas");
        };
    }

    private static String string(Random random) {
        String alphabet = "aZ09 -_.@é€漢😀";
        StringBuilder s = new StringBuilder();
        int n = random.nextInt(24);
        for (int i = 0; i < n; i++) {
            s.appendCodePoint(alphabet.codePointAt(
                    alphabet.offsetByCodePoints(0, random.nextInt(alphabet.codePointCount(0, alphabet.length())))));
        }
        return s.toString();
    }
}

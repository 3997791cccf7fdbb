package io.contactaudit.kafka;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.Encoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Avro's single-object encoding ({@code C3 01}, 8-byte CRC-64-AVRO fingerprint of the writer schema,
 * binary body): self-describing without a registry. Records written with an older schema decode when
 * that schema is known to the decoder: every released version of it is, from the store of released schemas
 * shipped on the class path ({@link #released(String)}), and further ones can be passed to
 * {@link #SingleObjectAvroSerde(Class, Schema...)}.
 */
public final class SingleObjectAvroSerde<T extends SpecificRecord> implements Serde<T> {

    /**
     * The store of released schemas on the class path: {@code RELEASES} names the releases, oldest first, one per
     * line; {@code <release>/<Record>.avsc} is a record's schema, self-contained, as that release wrote it.
     */
    public static final String RELEASED = "/schemas/released/";

    private static final Logger LOG = LoggerFactory.getLogger(SingleObjectAvroSerde.class);
    /** The largest buffer a thread keeps for its next record. */
    private static final int KEPT_BUFFER = 64 * 1024;

    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;
    private final String typeName;
    /** The single-object header of the record's schema: C3 01 and its fingerprint. */
    private final byte[] header;
    /** Writes the body as Avro's writer would, faster; null: Avro's writer does. */
    private final CompiledAvroCoder.Writer writer;
    /** Reads a body written with the current schema as Avro's reader would, faster; null: Avro's reader does. */
    private final CompiledAvroCoder.Reader reader;
    /** Per field of the record, a skipper, a reader and a writer; null: {@link #fields} reads no record in place. */
    private final CompiledAvroCoder.Skipper[] fieldSkippers;

    /**
     * Per schema fingerprint (the current schema, every released one, the older ones given), a skipper of the whole
     * record: bytes are checked with it before they are decoded, because a decoder allocates what a length says before
     * it reads — a record of 20 bytes claiming a string of 2 GB would take the heap.
     */
    private final Map<Long, CompiledAvroCoder.Skipper> framing = new HashMap<>();

    /** Per field of the record, whether it is a string, a string or null, or an array of strings ({@link Fields#strings}). */
    private final boolean[] holdsStrings;

    private final CompiledAvroCoder.Reader[] fieldReaders;
    private final CompiledAvroCoder.Writer[] fieldWriters;
    /** Each thread's buffer, encoder and decoder: a serde is shared by the stream threads. */
    private final ThreadLocal<Buffer> buffers = ThreadLocal.withInitial(Buffer::new);

    private static final class Buffer extends ByteArrayOutputStream {
        private BinaryEncoder encoder;
        private BinaryDecoder decoder;

        /** This thread's decoder, over {@code length} bytes of {@code data} from {@code offset}. */
        BinaryDecoder decoder(byte[] data, int offset, int length) {
            decoder = DecoderFactory.get().binaryDecoder(data, offset, length, decoder);
            return decoder;
        }
    }

    /**
     * @param type          the generated record class
     * @param olderSchemas  further versions of its schema that data may have been written with (every released
     *                      one is known without them)
     */
    public SingleObjectAvroSerde(Class<T> type, Schema... olderSchemas) {
        SpecificData model = SpecificData.getForClass(type);
        Schema schema = model.getSchema(type);
        this.typeName = schema.getName();
        this.encoder = new BinaryMessageEncoder<>(model, schema);
        this.decoder = decoder(model, schema, olderSchemas);
        this.header = ByteBuffer.allocate(10)
                .order(ByteOrder.LITTLE_ENDIAN)
                .put((byte) 0xC3)
                .put((byte) 0x01)
                .putLong(SchemaNormalization.parsingFingerprint64(schema))
                .array();
        this.writer = CompiledAvroCoder.writer(schema);
        this.reader = CompiledAvroCoder.reader(schema);
        List<Schema.Field> fields = schema.getFields();
        this.fieldSkippers = writer == null || reader == null
                ? null
                : fields.stream()
                        .map(f -> CompiledAvroCoder.skipper(f.schema()))
                        .toArray(CompiledAvroCoder.Skipper[]::new);
        List<Schema> known = new ArrayList<>(released(schema.getFullName()).values());
        Collections.addAll(known, olderSchemas);
        known.add(schema);
        for (Schema version : known) {
            CompiledAvroCoder.Skipper skipper = CompiledAvroCoder.skipper(version);
            if (skipper != null) {
                framing.put(SchemaNormalization.parsingFingerprint64(version), skipper);
            }
        }
        this.holdsStrings = new boolean[fields.size()];
        for (int i = 0; i < holdsStrings.length; i++) {
            Schema field = fields.get(i).schema();
            holdsStrings[i] = switch (field.getType()) {
                case STRING -> true;
                case UNION -> field.getTypes().stream().anyMatch(t -> t.getType() == Schema.Type.STRING);
                case ARRAY -> field.getElementType().getType() == Schema.Type.STRING;
                default -> false;
            };
        }
        this.fieldReaders =
                fields.stream().map(f -> CompiledAvroCoder.reader(f.schema())).toArray(CompiledAvroCoder.Reader[]::new);
        this.fieldWriters =
                fields.stream().map(f -> CompiledAvroCoder.writer(f.schema())).toArray(CompiledAvroCoder.Writer[]::new);
    }

    /** {@code serde} when it is a single-object serde, which reads records in place ({@link #fields}); else null. */
    @SuppressWarnings("unchecked") // a serde of T that is a single-object serde is one of T
    public static <T extends SpecificRecord> SingleObjectAvroSerde<T> inPlace(Serde<T> serde) {
        return serde instanceof SingleObjectAvroSerde<?> single ? (SingleObjectAvroSerde<T>) single : null;
    }

    /**
     * The value of the field at {@code field} among {@code values}, those {@link Fields#get} read for the fields at
     * {@code fields}; null when it did not read that field.
     */
    public static Object value(int[] fields, Object[] values, int field) {
        int i = Arrays.binarySearch(fields, field);
        return i < 0 ? null : values[i];
    }

    /**
     * The fields of a record in place in its bytes, to read some of them or replace some without decoding and encoding
     * the others, when the bytes are the single-object encoding of the current schema; null for any other bytes (an
     * older schema, a schema without compiled plans, bytes that are not a record of the schema): decode those.
     */
    public Fields fields(byte[] data) {
        if (fieldSkippers == null || data == null || !current(data)) {
            return null;
        }
        int[] starts = new int[fieldSkippers.length + 1];
        CompiledAvroCoder.Cursor in = new CompiledAvroCoder.Cursor(data, header.length);
        try {
            for (int i = 0; i < fieldSkippers.length; i++) {
                starts[i] = in.position();
                fieldSkippers[i].skip(in);
            }
        } catch (IllegalArgumentException e) {
            return null;
        }
        starts[fieldSkippers.length] = in.position();
        return in.position() == data.length ? new Fields(data, starts) : null;
    }

    /**
     * A record's fields in its single-object encoding ({@link #fields}), by their positions in the schema; for the
     * thread that read them (it decodes with that thread's decoder). The fields it steps over are checked as far as
     * their framing goes (lengths, union branches, enum symbols, booleans, int range), not decoded: their bytes are
     * copied as they are.
     */
    public final class Fields {
        private final byte[] data;
        /** Where each field starts, and where the record ends. */
        private final int[] starts;
        /** The buffers of the thread that read the record: a record read in place is used by that thread only. */
        private final Buffer buffer = buffers.get();

        private Fields(byte[] data, int[] starts) {
            this.data = data;
            this.starts = starts;
        }

        /**
         * The values of the fields at {@code fields} (ascending positions), as the record's getters would return them:
         * one decoder over the record, the fields in between stepped over.
         */
        public Object[] get(int[] fields) {
            Object[] values = new Object[fields.length];
            if (fields.length == 0) {
                return values;
            }
            int field = fields[0];
            try {
                int at = starts[field];
                BinaryDecoder in = buffer.decoder(data, at, data.length - at);
                for (int i = 0; i < fields.length; i++) {
                    field = fields[i];
                    in.skipFixed(starts[field] - at);
                    values[i] = fieldReaders[field].read(in);
                    at = starts[field + 1];
                }
            } catch (IOException | RuntimeException e) {
                throw new SerializationException(
                        "cannot read field " + field + " of " + typeName + ": " + describe(e), e);
            }
            return values;
        }

        /** The whole record, decoded: what the deserializer returns for its bytes. */
        public T record() {
            try {
                return read(data, buffer);
            } catch (IOException | RuntimeException e) {
                throw new SerializationException("cannot decode " + typeName + ": " + describe(e), e);
            }
        }

        /**
         * Calls {@code visitor} with the UTF-8 bytes, in place, of each string of the field at {@code field}, in order:
         * one for a string, none or one for a string or null, one per item for an array of strings. Returns how many
         * strings it visited. The record's framing was checked when it was read in place ({@link #fields}): the strings
         * are those Avro's reader reads.
         */
        public int strings(int field, Utf8Visitor visitor) {
            if (!holdsStrings[field]) {
                throw new IllegalArgumentException("field " + field + " of " + typeName + " holds no strings");
            }
            CompiledAvroCoder.Cursor in = new CompiledAvroCoder.Cursor(data, starts[field], visitor);
            fieldSkippers[field].skip(in);
            return in.visited();
        }

        /**
         * The record with the fields at {@code fields} (ascending positions) set to {@code values}, the others' bytes
         * copied: for bytes the serializer wrote, the bytes it writes for the record with those values.
         */
        public byte[] with(int[] fields, Object[] values) {
            try {
                return write(out -> {
                    int copied = 0;
                    for (int i = 0; i < fields.length; i++) {
                        out.writeFixed(data, copied, starts[fields[i]] - copied);
                        fieldWriters[fields[i]].write(values[i], out);
                        copied = starts[fields[i] + 1];
                    }
                    out.writeFixed(data, copied, data.length - copied);
                });
            } catch (IOException | RuntimeException e) {
                throw new SerializationException("cannot write " + typeName + ": " + describe(e), e);
            }
        }
    }

    /** Is given the UTF-8 bytes of a string in place: {@code length} bytes of {@code data} from {@code offset}. */
    @FunctionalInterface
    public interface Utf8Visitor {
        void accept(byte[] data, int offset, int length);
    }

    /**
     * A single-object decoder into {@code reader} that knows every released version of the record's schema (by full
     * name) and {@code olderSchemas} as writer schemas.
     */
    public static <D> BinaryMessageDecoder<D> decoder(GenericData model, Schema reader, Schema... olderSchemas) {
        BinaryMessageDecoder<D> decoder = new BinaryMessageDecoder<>(model, reader);
        List<Schema> writers = new ArrayList<>(released(reader.getFullName()).values());
        Collections.addAll(writers, olderSchemas);
        long current = SchemaNormalization.parsingFingerprint64(reader);
        for (Schema writer : writers) {
            if (SchemaNormalization.parsingFingerprint64(writer) != current) {
                decoder.addSchema(writer);
            }
        }
        return decoder;
    }

    /**
     * Every released version of a record's schema, by release, oldest first; empty for a record no release wrote.
     *
     * @param fullName the record's full name, e.g. {@code io.contactaudit.schema.DriftEvent}
     */
    public static Map<String, Schema> released(String fullName) {
        String file = fullName.substring(fullName.lastIndexOf('.') + 1) + ".avsc";
        Map<String, Schema> versions = new LinkedHashMap<>();
        for (String release : releases()) {
            try (InputStream in = SingleObjectAvroSerde.class.getResourceAsStream(RELEASED + release + "/" + file)) {
                if (in != null) {
                    Schema schema = new Schema.Parser().parse(in);
                    if (!schema.getFullName().equals(fullName)) {
                        throw new IllegalStateException(RELEASED + release + "/" + file + " holds "
                                + schema.getFullName() + ", not " + fullName);
                    }
                    versions.put(release, schema);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + RELEASED + release + "/" + file, e);
            }
        }
        return versions;
    }

    /** The releases in the store, oldest first. */
    public static List<String> releases() {
        try (InputStream in = SingleObjectAvroSerde.class.getResourceAsStream(RELEASED + "RELEASES")) {
            if (in == null) {
                throw new IllegalStateException(RELEASED + "RELEASES is missing from the class path");
            }
            return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))
                    .lines()
                    .map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RELEASED + "RELEASES", e);
        }
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, data) -> {
            if (data == null) {
                return null;
            }
            try {
                RuntimeException failed = null;
                if (writer != null) {
                    try {
                        return encode(data);
                    } catch (RuntimeException e) {
                        failed = e; // a record its schema does not allow (a null where none is): Avro's writer says
                    }
                }
                ByteBuffer buffer = encoder.encode(data);
                byte[] bytes = new byte[buffer.remaining()];
                buffer.get(bytes);
                if (failed != null) {
                    LOG.warn(
                            "the compiled writer of {} failed on a record Avro's writer encodes: {}", typeName, failed);
                }
                return bytes;
            } catch (IOException | RuntimeException e) {
                throw new SerializationException(
                        "cannot encode " + typeName + " for topic " + topic + ": " + e.getMessage(), e);
            }
        };
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, data) -> {
            if (data == null) {
                return null;
            }
            String malformed = malformed(data);
            if (malformed != null) {
                throw new SerializationException("cannot decode " + typeName + " from topic " + topic + " ("
                        + data.length + " bytes): " + malformed);
            }
            if (reader != null && current(data)) {
                try {
                    return read(data, buffers.get());
                } catch (IOException | RuntimeException e) {
                    // bytes that are not a record of the schema: Avro's reader says what is wrong
                }
            }
            try {
                return decoder.decode(data);
            } catch (IOException | RuntimeException e) {
                throw new SerializationException(
                        "cannot decode " + typeName + " from topic " + topic + " (" + data.length + " bytes): "
                                + describe(e),
                        e);
            }
        };
    }

    /** A record in the current schema's single-object encoding, read by the compiled reader. */
    private T read(byte[] data, Buffer buffer) throws IOException {
        @SuppressWarnings("unchecked") // the reader's records are the generated class of the schema
        T value = (T) reader.read(buffer.decoder(data, header.length, data.length - header.length));
        return value;
    }

    /**
     * What is wrong with the framing of single-object bytes of a known schema (a length or count past the end, a
     * union branch or enum symbol the schema has not, bytes after the record), or null: null too for bytes that are not
     * single-object or of a schema without a skipper, which the decoder refuses or reads without allocating on trust.
     */
    private String malformed(byte[] data) {
        if (data.length < header.length || data[0] != header[0] || data[1] != header[1]) {
            return null;
        }
        CompiledAvroCoder.Skipper skipper = framing.get(
                ByteBuffer.wrap(data, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong());
        if (skipper == null) {
            return null;
        }
        CompiledAvroCoder.Cursor in = new CompiledAvroCoder.Cursor(data, header.length);
        try {
            skipper.skip(in);
        } catch (IllegalArgumentException e) {
            return "not a record of its schema: " + e.getMessage();
        }
        return in.remaining() == 0 ? null : "not a record of its schema: " + in.remaining() + " bytes after it";
    }

    /** Whether {@code data} starts with the single-object header of the current schema. */
    private boolean current(byte[] data) {
        return Arrays.equals(data, 0, Math.min(data.length, header.length), header, 0, header.length);
    }

    private byte[] encode(T data) throws IOException {
        return write(out -> {
            out.writeFixed(header);
            writer.write(data, out);
        });
    }

    /** Something written to an encoder. */
    @FunctionalInterface
    private interface Writing {
        void to(Encoder out) throws IOException;
    }

    /** The bytes {@code writing} writes, through this thread's buffer and encoder. */
    private byte[] write(Writing writing) throws IOException {
        Buffer buffer = buffers.get();
        buffer.reset();
        buffer.encoder = EncoderFactory.get().binaryEncoder(buffer, buffer.encoder);
        boolean written = false;
        try {
            writing.to(buffer.encoder);
            buffer.encoder.flush();
            written = true;
        } finally {
            if (!written) {
                buffer.encoder = null; // it holds part of the record: reused, it would write that before the next one
            }
        }
        byte[] bytes = buffer.toByteArray();
        if (buffer.size() > KEPT_BUFFER) {
            buffers.remove(); // a rare large record (a dead letter's raw value) does not stay in every thread
        }
        return bytes;
    }

    private static String describe(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}

package io.contactaudit.kafka;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.Encoder;
import org.apache.avro.specific.SpecificData;

/**
 * A generated record's Avro binary encoding, written and read by plans made once from its schema: a plan per field, a
 * union of null and one type resolved by a null check, a timestamp written from and read into its {@link Instant}.
 * Avro's own writer resolves each union by the value's schema name and looks up each logical type's conversion for
 * every value of every record, and its reader goes through a resolving decoder even when the writer's schema is the
 * reader's: on the evaluator's hot path, most of the cost of a posture's decoding and encoding. The bytes are Avro's
 * ({@code CompiledAvroCoderTest} compares them with {@code SpecificDatumWriter}'s and reads them back, for every record
 * of the project's schemas); a reader only reads data written with the same schema (the single-object encoding's
 * fingerprint tells). The plans know what the project's schemas hold; a schema with anything else (a map, a fixed, a
 * float, a union other than of null and one type, a logical type other than timestamp-millis) gets none: {@link
 * #writer}, {@link #reader} and {@link #skipper} return null and the caller keeps Avro's.
 */
final class CompiledAvroCoder {

    /** Writes one value of a schema. */
    @FunctionalInterface
    interface Writer {
        void write(Object value, Encoder out) throws IOException;
    }

    /** Reads one value of a schema, written with that schema. */
    @FunctionalInterface
    interface Reader {
        Object read(Decoder in) throws IOException;
    }

    /** Steps over one value of a schema in its binary encoding, without decoding it. */
    @FunctionalInterface
    interface Skipper {
        void skip(Cursor in);
    }

    /** A position in the binary encoding of a value; the strings stepped over go to its visitor, if it has one. */
    static final class Cursor {
        private final byte[] data;
        private final int end;
        private int position;
        private final SingleObjectAvroSerde.Utf8Visitor strings;
        private int visited;

        Cursor(byte[] data, int from) {
            this(data, from, null);
        }

        Cursor(byte[] data, int from, SingleObjectAvroSerde.Utf8Visitor strings) {
            this.data = data;
            this.end = data.length;
            this.position = from;
            this.strings = strings;
        }

        /** How many strings were handed to the visitor. */
        int visited() {
            return visited;
        }

        /** Steps over a string, handing its UTF-8 bytes in place to the visitor, if there is one. */
        void string() {
            long length = readLong();
            int at = position;
            advance(length);
            if (strings != null) {
                strings.accept(data, at, (int) length);
                visited++;
            }
        }

        int position() {
            return position;
        }

        int remaining() {
            return end - position;
        }

        int readByte() {
            if (position >= end) {
                throw new IllegalArgumentException("the data ends at byte " + position);
            }
            return data[position++] & 0xFF;
        }

        /** An int or a long: zig-zag, in 7-bit groups, least significant first. */
        long readLong() {
            long n = 0;
            for (int shift = 0; ; shift += 7) {
                if (position >= end) {
                    throw new IllegalArgumentException("the data ends inside a number, at byte " + position);
                }
                if (shift > 63) {
                    throw new IllegalArgumentException("a number longer than 10 bytes at byte " + position);
                }
                byte b = data[position++];
                n |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return (n >>> 1) ^ -(n & 1);
                }
            }
        }

        /**
         * An int, an enum's symbol or a union's branch, as Avro's reader reads them: in 5 bytes at most (it refuses
         * more, however small the value), within an int's range.
         */
        long readInt() {
            int from = position;
            long n = readLong();
            if (position - from > 5) {
                throw new IllegalArgumentException("an int in " + (position - from) + " bytes at byte " + from);
            }
            if (n != (int) n) {
                throw new IllegalArgumentException("an int out of range: " + n);
            }
            return n;
        }

        void advance(long bytes) {
            if (bytes < 0 || bytes > end - position) {
                throw new IllegalArgumentException(
                        "a length of " + bytes + " at byte " + position + " of " + end + " bytes");
            }
            position += (int) bytes;
        }
    }

    private CompiledAvroCoder() {}

    /** The skipper of {@code schema}, or null when it holds a type the plans do not know. */
    static Skipper skipper(Schema schema) {
        return planned(schema, CompiledAvroCoder::skip);
    }

    /** The writer for {@code schema}, or null when it holds a type the plans do not know. */
    static Writer writer(Schema schema) {
        return planned(schema, CompiledAvroCoder::write);
    }

    /** The reader of {@code schema} into generated classes, or null when it holds a type the plans do not know. */
    static Reader reader(Schema schema) {
        return planned(schema, CompiledAvroCoder::read);
    }

    private static <P> P planned(Schema schema, Function<Schema, P> plan) {
        try {
            return plan.apply(schema);
        } catch (UnsupportedOperationException e) {
            return null;
        }
    }

    private static Writer write(Schema schema) {
        return switch (known(schema)) {
            case RECORD -> {
                Writer[] fields =
                        schema.getFields().stream().map(f -> write(f.schema())).toArray(Writer[]::new);
                yield (v, out) -> {
                    IndexedRecord record = (IndexedRecord) v;
                    for (int i = 0; i < fields.length; i++) {
                        fields[i].write(record.get(i), out);
                    }
                };
            }
            case ENUM -> (v, out) -> out.writeEnum(((Enum<?>) v).ordinal()); // as Avro's writer of generated enums
            case ARRAY -> {
                Writer items = write(schema.getElementType());
                yield (v, out) -> {
                    Collection<?> values = (Collection<?>) v;
                    out.writeArrayStart();
                    out.setItemCount(values.size());
                    for (Object item : values) {
                        out.startItem();
                        items.write(item, out);
                    }
                    out.writeArrayEnd();
                };
            }
            case UNION -> {
                int nullable = nullableBranch(schema);
                Writer value = write(schema.getTypes().get(nullable));
                yield (v, out) -> {
                    if (v == null) {
                        out.writeIndex(1 - nullable);
                        out.writeNull();
                    } else {
                        out.writeIndex(nullable);
                        value.write(v, out);
                    }
                };
            }
            case STRING -> (v, out) -> out.writeString(v.toString());
            case BYTES -> (v, out) -> out.writeBytes((ByteBuffer) v);
            case INT -> (v, out) -> out.writeInt((Integer) v);
            case LONG ->
                schema.getLogicalType() != null
                        ? (v, out) -> out.writeLong(((Instant) v).toEpochMilli())
                        : (v, out) -> out.writeLong((Long) v);
            case BOOLEAN -> (v, out) -> out.writeBoolean((Boolean) v);
            case NULL -> (v, out) -> out.writeNull();
            default -> throw new UnsupportedOperationException(schema.getType().getName());
        };
    }

    private static Reader read(Schema schema) {
        return switch (known(schema)) {
            case RECORD -> {
                Reader[] fields =
                        schema.getFields().stream().map(f -> read(f.schema())).toArray(Reader[]::new);
                Constructor<?> generated = generated(schema);
                yield in -> {
                    IndexedRecord record = newRecord(generated);
                    for (int i = 0; i < fields.length; i++) {
                        record.put(i, fields[i].read(in));
                    }
                    return record;
                };
            }
            case ENUM -> {
                Object[] symbols = schema.getEnumSymbols().stream()
                        .map(s -> SpecificData.get().createEnum(s, schema))
                        .toArray();
                yield in -> symbols[in.readEnum()];
            }
            case ARRAY -> {
                Reader items = read(schema.getElementType());
                yield in -> {
                    List<Object> values = new ArrayList<>();
                    for (long n = in.readArrayStart(); n > 0; n = in.arrayNext()) {
                        for (long i = 0; i < n; i++) {
                            values.add(items.read(in));
                        }
                    }
                    return values;
                };
            }
            case UNION -> {
                int nullable = nullableBranch(schema);
                Reader value = read(schema.getTypes().get(nullable));
                yield in -> {
                    int branch = in.readIndex();
                    if (branch == nullable) {
                        return value.read(in);
                    }
                    if (branch != 1 - nullable) {
                        throw new IllegalArgumentException("union branch " + branch + " of 2");
                    }
                    return null; // null is read as nothing
                };
            }
            case STRING -> Decoder::readString;
            case BYTES -> in -> in.readBytes(null);
            case INT -> Decoder::readInt;
            case LONG ->
                schema.getLogicalType() != null ? in -> Instant.ofEpochMilli(in.readLong()) : Decoder::readLong;
            case BOOLEAN -> Decoder::readBoolean;
            case NULL ->
                in -> {
                    in.readNull();
                    return null;
                };
            default -> throw new UnsupportedOperationException(schema.getType().getName());
        };
    }

    private static Skipper skip(Schema schema) {
        return switch (known(schema)) {
            case RECORD -> {
                Skipper[] fields =
                        schema.getFields().stream().map(f -> skip(f.schema())).toArray(Skipper[]::new);
                yield in -> {
                    for (Skipper field : fields) {
                        field.skip(in);
                    }
                };
            }
            case ENUM -> {
                int symbols = schema.getEnumSymbols().size();
                yield in -> {
                    long n = in.readInt();
                    if (n < 0 || n >= symbols) {
                        throw new IllegalArgumentException("enum symbol " + n + " of " + symbols);
                    }
                };
            }
            case INT -> Cursor::readInt;
            case LONG -> Cursor::readLong;
            case ARRAY -> {
                Skipper items = skip(schema.getElementType());
                yield in -> {
                    for (long n = in.readLong(); n != 0; n = in.readLong()) {
                        long size = -1;
                        if (n < 0) {
                            // a block that states its size in bytes: its items are stepped over all the same, as
                            // Avro's reader reads them, and must take that size
                            if (n == Long.MIN_VALUE) {
                                throw new IllegalArgumentException("an array block count of " + n);
                            }
                            n = -n;
                            size = in.readLong();
                        }
                        if (n > in.remaining()) {
                            // every item of the project's arrays takes a byte at least: a count no bytes are left for
                            throw new IllegalArgumentException(
                                    "an array block of " + n + " items in " + in.remaining() + " bytes");
                        }
                        int start = in.position();
                        for (long i = 0; i < n; i++) {
                            items.skip(in);
                        }
                        if (size >= 0 && in.position() - start != size) {
                            throw new IllegalArgumentException("an array block said to take " + size
                                    + " bytes whose items take " + (in.position() - start));
                        }
                    }
                };
            }
            case UNION -> {
                int nullable = nullableBranch(schema);
                Skipper value = skip(schema.getTypes().get(nullable));
                yield in -> {
                    long branch = in.readInt();
                    if (branch == nullable) {
                        value.skip(in);
                    } else if (branch != 1 - nullable) {
                        throw new IllegalArgumentException("union branch " + branch + " of 2");
                    }
                };
            }
            case STRING -> Cursor::string;
            case BYTES -> in -> in.advance(in.readLong());
            case BOOLEAN ->
                in -> {
                    if (in.readByte() > 1) {
                        throw new IllegalArgumentException("a boolean that is neither 0 nor 1");
                    }
                };
            case NULL -> in -> {};
            default -> throw new UnsupportedOperationException(schema.getType().getName());
        };
    }

    /** The schema's type, when its logical type (if any) is one the plans know: timestamp-millis. */
    private static Schema.Type known(Schema schema) {
        if (schema.getLogicalType() != null && !(schema.getLogicalType() instanceof LogicalTypes.TimestampMillis)) {
            throw new UnsupportedOperationException(schema.getLogicalType().getName());
        }
        return schema.getType();
    }

    /** In a union of null and one other type, the other's index. */
    private static int nullableBranch(Schema union) {
        List<Schema> branches = union.getTypes();
        if (branches.size() == 2 && branches.get(0).getType() == Schema.Type.NULL) {
            return 1;
        }
        if (branches.size() == 2 && branches.get(1).getType() == Schema.Type.NULL) {
            return 0;
        }
        throw new UnsupportedOperationException("a union other than of null and one type: " + union);
    }

    /** The no-argument constructor of the class generated for a record schema. */
    private static Constructor<?> generated(Schema schema) {
        Class<?> type = SpecificData.get().getClass(schema);
        if (type == null || !IndexedRecord.class.isAssignableFrom(type)) {
            throw new UnsupportedOperationException("no generated class for " + schema.getFullName());
        }
        try {
            return type.getConstructor();
        } catch (NoSuchMethodException e) {
            throw new UnsupportedOperationException(type + " has no constructor without arguments", e);
        }
    }

    private static IndexedRecord newRecord(Constructor<?> generated) throws IOException {
        try {
            return (IndexedRecord) generated.newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IOException(
                    "cannot create " + generated.getDeclaringClass().getName(), e);
        }
    }
}

package io.contactaudit.kafka;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.Encoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.util.Utf8;

/**
 * A generated record's Avro binary encoding, written and read by plans made once from its schema: a plan per field, a
 * union of null and one type resolved by a null check, a timestamp written from and read into its {@link Instant}.
 * Avro's own writer resolves each union by the value's schema name and looks up each logical type's conversion for
 * every value of every record, and its reader goes through a resolving decoder even when the writer's schema is the
 * reader's: on the evaluator's hot path, most of the cost of a posture's decoding and encoding. The bytes are Avro's
 * ({@code CompiledAvroCoderTest} compares them with {@code SpecificDatumWriter}'s and reads them back, for every record
 * of the project's schemas); a reader only reads data written with the same schema (the single-object encoding's
 * fingerprint tells). A schema with what the plans do not know (a logical type other than timestamp-millis, a fixed to
 * read) gets none: {@link #writer} and {@link #reader} return null and the caller keeps Avro's.
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

    private CompiledAvroCoder() {}

    /** The writer for {@code schema}, or null when it holds a type the plans do not know. */
    static Writer writer(Schema schema) {
        try {
            return write(schema);
        } catch (UnsupportedOperationException e) {
            return null;
        }
    }

    /** The reader of {@code schema} into generated classes, or null when it holds a type the plans do not know. */
    static Reader reader(Schema schema) {
        try {
            return read(schema);
        } catch (UnsupportedOperationException e) {
            return null;
        }
    }

    private static boolean timestamp(Schema schema) {
        if (schema.getLogicalType() == null) {
            return false;
        }
        if (schema.getLogicalType() instanceof LogicalTypes.TimestampMillis) {
            return true;
        }
        throw new UnsupportedOperationException(schema.getLogicalType().getName());
    }

    private static Writer write(Schema schema) {
        boolean timestamp = timestamp(schema);
        return switch (schema.getType()) {
            case RECORD -> {
                List<Schema.Field> fields = schema.getFields();
                Writer[] writers = new Writer[fields.size()];
                for (int i = 0; i < writers.length; i++) {
                    writers[i] = write(fields.get(i).schema());
                }
                yield (v, out) -> {
                    IndexedRecord record = (IndexedRecord) v;
                    for (int i = 0; i < writers.length; i++) {
                        writers[i].write(record.get(i), out);
                    }
                };
            }
            case ENUM ->
                (v, out) -> out.writeEnum(schema.getEnumOrdinal(
                        v instanceof Enum<?> e ? e.name() : ((GenericEnumSymbol<?>) v).toString()));
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
            case MAP -> {
                Writer values = write(schema.getValueType());
                yield (v, out) -> {
                    Map<?, ?> entries = (Map<?, ?>) v;
                    out.writeMapStart();
                    out.setItemCount(entries.size());
                    for (Map.Entry<?, ?> e : entries.entrySet()) {
                        out.startItem();
                        out.writeString(e.getKey().toString());
                        values.write(e.getValue(), out);
                    }
                    out.writeMapEnd();
                };
            }
            case UNION -> {
                List<Schema> branches = schema.getTypes();
                Writer[] writers = new Writer[branches.size()];
                for (int i = 0; i < writers.length; i++) {
                    writers[i] = write(branches.get(i));
                }
                int nullable = nullableBranch(schema);
                if (nullable >= 0) {
                    Writer value = writers[nullable];
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
                yield (v, out) -> {
                    int index = SpecificData.get().resolveUnion(schema, v);
                    out.writeIndex(index);
                    writers[index].write(v, out);
                };
            }
            case STRING ->
                (v, out) -> {
                    if (v instanceof Utf8 u) {
                        out.writeString(u);
                    } else {
                        out.writeString(v.toString());
                    }
                };
            case BYTES -> (v, out) -> out.writeBytes((ByteBuffer) v);
            case FIXED -> (v, out) -> out.writeFixed(((GenericFixed) v).bytes());
            case INT -> (v, out) -> out.writeInt((Integer) v);
            case LONG ->
                timestamp
                        ? (v, out) -> out.writeLong(v instanceof Instant i ? i.toEpochMilli() : (Long) v)
                        : (v, out) -> out.writeLong((Long) v);
            case FLOAT -> (v, out) -> out.writeFloat((Float) v);
            case DOUBLE -> (v, out) -> out.writeDouble((Double) v);
            case BOOLEAN -> (v, out) -> out.writeBoolean((Boolean) v);
            case NULL -> (v, out) -> out.writeNull();
        };
    }

    private static Reader read(Schema schema) {
        boolean timestamp = timestamp(schema);
        return switch (schema.getType()) {
            case RECORD -> {
                List<Schema.Field> fields = schema.getFields();
                Reader[] readers = new Reader[fields.size()];
                for (int i = 0; i < readers.length; i++) {
                    readers[i] = read(fields.get(i).schema());
                }
                Constructor<?> generated = generated(schema);
                yield in -> {
                    IndexedRecord record = newRecord(generated);
                    for (int i = 0; i < readers.length; i++) {
                        record.put(i, readers[i].read(in));
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
            case MAP -> {
                Reader values = read(schema.getValueType());
                yield in -> {
                    long n = in.readMapStart();
                    Map<String, Object> entries = new HashMap<>((int) n); // sized as Avro's reader sizes it
                    for (; n > 0; n = in.mapNext()) {
                        for (long i = 0; i < n; i++) {
                            entries.put(in.readString(), values.read(in));
                        }
                    }
                    return entries;
                };
            }
            case UNION -> {
                List<Schema> branches = schema.getTypes();
                Reader[] readers = new Reader[branches.size()];
                for (int i = 0; i < readers.length; i++) {
                    readers[i] = read(branches.get(i));
                }
                yield in -> readers[in.readIndex()].read(in);
            }
            case STRING -> Decoder::readString;
            case BYTES -> in -> in.readBytes(null);
            case INT -> Decoder::readInt;
            case LONG -> timestamp ? in -> Instant.ofEpochMilli(in.readLong()) : Decoder::readLong;
            case FLOAT -> Decoder::readFloat;
            case DOUBLE -> Decoder::readDouble;
            case BOOLEAN -> Decoder::readBoolean;
            case NULL ->
                in -> {
                    in.readNull();
                    return null;
                };
            case FIXED -> throw new UnsupportedOperationException("fixed");
        };
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

    /** In a union of null and one other type, the other's index; -1 for any other union. */
    private static int nullableBranch(Schema union) {
        List<Schema> branches = union.getTypes();
        if (branches.size() != 2) {
            return -1;
        }
        if (branches.get(0).getType() == Schema.Type.NULL) {
            return 1;
        }
        return branches.get(1).getType() == Schema.Type.NULL ? 0 : -1;
    }
}

package io.contactaudit.kafka;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Avro's single-object encoding ({@code C3 01}, 8-byte CRC-64-AVRO fingerprint of the writer schema,
 * binary body): self-describing without a registry. Records written with an older schema decode when
 * that schema is known to the decoder ({@link #SingleObjectAvroSerde(Class, Schema...)}).
 */
public final class SingleObjectAvroSerde<T extends SpecificRecord> implements Serde<T> {

    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;
    private final String typeName;

    /**
     * @param type          the generated record class
     * @param olderSchemas  earlier versions of its schema that data may have been written with
     */
    public SingleObjectAvroSerde(Class<T> type, Schema... olderSchemas) {
        SpecificData model = SpecificData.getForClass(type);
        Schema schema = model.getSchema(type);
        this.typeName = schema.getName();
        this.encoder = new BinaryMessageEncoder<>(model, schema);
        this.decoder = new BinaryMessageDecoder<>(model, schema);
        for (Schema older : olderSchemas) {
            decoder.addSchema(older);
        }
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, data) -> {
            if (data == null) {
                return null;
            }
            try {
                ByteBuffer buffer = encoder.encode(data);
                byte[] bytes = new byte[buffer.remaining()];
                buffer.get(bytes);
                return bytes;
            } catch (IOException | RuntimeException e) {
                throw new SerializationException("cannot encode " + typeName + " for topic " + topic + ": " + e.getMessage(), e);
            }
        };
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, data) -> {
            if (data == null) {
                return null;
            }
            try {
                return decoder.decode(data);
            } catch (IOException | RuntimeException e) {
                throw new SerializationException("cannot decode " + typeName + " from topic " + topic
                        + " (" + data.length + " bytes): " + describe(e), e);
            }
        };
    }

    private static String describe(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}

package io.contactaudit.kafka;

import io.apicurio.registry.resolver.SchemaResolver;
import io.apicurio.registry.serde.AbstractKafkaSerDe;
import io.apicurio.registry.serde.SerdeConfig;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerdeConfig;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.apicurio.registry.serde.data.KafkaSerdeMetadata;
import io.apicurio.registry.serde.data.KafkaSerdeRecord;
import io.contactaudit.Errors;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The encoding of every Avro topic, chosen by configuration: Avro's single-object encoding (no registry),
 * or the Confluent wire format ({@code 0x00}, 4-byte schema id, Avro binary) against a Schema Registry —
 * through Apicurio's serde ({@code as-confluent}, content ids, no headers), or Confluent's own serializer
 * by class name where a site has it on the classpath.
 */
public final class AvroSerdes {

    /** Which implementation writes the Confluent wire format. */
    public enum RegistrySerde {
        APICURIO,
        CONFLUENT
    }

    private final RegistryUrl registryUrl;
    private final RegistrySerde kind;
    private final boolean autoRegister;
    private final Map<String, Object> extra;

    private AvroSerdes(RegistryUrl registryUrl, RegistrySerde kind, boolean autoRegister, Map<String, Object> extra) {
        this.registryUrl = registryUrl;
        this.kind = kind;
        this.autoRegister = autoRegister;
        this.extra = extra;
    }

    /** Single-object encoding, no registry. */
    public static AvroSerdes singleObject() {
        return new AvroSerdes(null, null, false, Map.of());
    }

    /**
     * Registry mode.
     *
     * @param registryUrl  the registry's base URL (e.g. http://registry:8080) or its Confluent-compatible API ({@link RegistryUrl})
     * @param autoRegister let serializers register schemas (off in production: {@code schemas register} does it)
     * @param extra        further serde settings (registry credentials and TLS: {@code apicurio.auth.*}, ...)
     */
    public static AvroSerdes registry(
            String registryUrl, RegistrySerde kind, boolean autoRegister, Map<String, Object> extra) {
        return new AvroSerdes(RegistryUrl.parse(registryUrl), kind, autoRegister, Map.copyOf(extra));
    }

    /** Whether records carry the Confluent wire format. */
    public boolean registryMode() {
        return registryUrl != null;
    }

    /** The registry's base URL, or null. */
    public String registryUrl() {
        return registryUrl == null ? null : registryUrl.base();
    }

    /** Fails with one line when the registry does not answer within {@code timeout}; nothing to do without a registry. */
    public void awaitRegistry(Duration timeout) {
        if (registryUrl == null) {
            return;
        }
        String probe = registryUrl.ccompat() + "/subjects";
        try {
            HttpResponse<Void> response = HttpClient.newBuilder()
                    .connectTimeout(timeout)
                    .build()
                    .send(
                            HttpRequest.newBuilder(URI.create(probe))
                                    .timeout(timeout)
                                    .build(),
                            HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() >= 500) {
                throw new IllegalStateException(
                        "the schema registry at " + registryUrl.shown() + " answered HTTP " + response.statusCode());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot reach the schema registry at " + registryUrl.shown() + " within "
                    + timeout.toSeconds() + " s (" + e.getClass().getSimpleName() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the schema registry", e);
        }
    }

    /**
     * Looks up the schema of every Avro topic the way its serializer will on its first record — through a
     * serializer configured as the topic's, with the same request; the topics' own serializers are left untouched
     * — so that a registry that answers but would serve no schema fails the start in one line instead of every
     * publish. Nothing to do without a registry, or with Confluent's serializer (not available here to exercise).
     *
     * @throws IllegalStateException naming the subjects the serializers cannot resolve
     */
    public void lookUpSchemas(Topics topics) {
        if (registryUrl == null || kind != RegistrySerde.APICURIO) {
            return;
        }
        List<String> unresolved = new ArrayList<>();
        String cause = null;
        for (Map.Entry<String, Schema> subject :
                SchemaRegistration.subjects(topics).entrySet()) {
            String topic = subject.getKey().substring(0, subject.getKey().length() - "-value".length());
            try (AvroKafkaSerializer<Object> probe = new AvroKafkaSerializer<>()) {
                probe.configure(apicurioProperties(), false);
                resolve(probe, topic, subject.getValue());
            } catch (RuntimeException e) {
                if (registryUnavailable(e)) {
                    throw new IllegalStateException(
                            "cannot reach the schema registry at " + registryUrl.shown() + ": " + Errors.messages(e),
                            e);
                }
                unresolved.add(subject.getKey());
                cause = cause == null ? Errors.messages(e) : cause;
            }
        }
        if (!unresolved.isEmpty()) {
            throw new IllegalStateException("the schema registry at " + registryUrl.shown() + " serves no schema for "
                    + String.join(", ", unresolved) + " (" + cause
                    + "); register them with `contact-audit schemas register` "
                    + "and the same schema.registry.url");
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"}) // the resolver's types are the serializer's, erased
    private static void resolve(AbstractKafkaSerDe<?, ?> serde, String topic, Schema schema) {
        SchemaResolver resolver = serde.getSchemaResolver();
        resolver.resolveSchema(new KafkaSerdeRecord(
                new KafkaSerdeMetadata(topic, false, new RecordHeaders()), new GenericData.Record(schema)));
    }

    /**
     * Whether a serde failure is the registry being away (transient: stop and retry later, never dead-letter)
     * rather than bad data.
     */
    public static boolean registryUnavailable(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof ConnectException
                    || t instanceof HttpTimeoutException
                    || t instanceof SocketTimeoutException
                    || t instanceof UnknownHostException
                    || t instanceof ClosedChannelException
                    || t.getClass().getName().endsWith("RestClientException")
                            && String.valueOf(t.getMessage()).matches("(?s).*\\b5\\d\\d\\b.*")) {
                return true;
            }
        }
        return false;
    }

    /** The serde of one record type. */
    public <T extends SpecificRecord> Serde<T> serde(Class<T> type) {
        if (registryUrl == null) {
            return new SingleObjectAvroSerde<>(type);
        }
        return kind == RegistrySerde.CONFLUENT ? confluent() : apicurio();
    }

    private <T extends SpecificRecord> Serde<T> apicurio() {
        Map<String, Object> props = apicurioProperties();
        AvroKafkaSerializer<T> serializer = new AvroKafkaSerializer<>();
        serializer.configure(props, false);
        AvroKafkaDeserializer<T> deserializer = new AvroKafkaDeserializer<>();
        deserializer.configure(props, false);
        return Serdes.serdeFrom(serializer, deserializer);
    }

    /** The settings of Apicurio's serde: the Confluent wire format with content ids, no headers, lookups only unless told. */
    private Map<String, Object> apicurioProperties() {
        Map<String, Object> props = new HashMap<>(extra);
        props.put(SerdeConfig.REGISTRY_URL, registryUrl.registryV2());
        props.put(SerdeConfig.ENABLE_CONFLUENT_ID_HANDLER, true);
        props.put(SerdeConfig.ENABLE_HEADERS, false);
        props.put(SerdeConfig.USE_ID, "contentId");
        props.put(SerdeConfig.AUTO_REGISTER_ARTIFACT, autoRegister);
        props.put(SerdeConfig.FIND_LATEST_ARTIFACT, !autoRegister);
        props.put(AvroKafkaSerdeConfig.USE_SPECIFIC_AVRO_READER, true);
        return props;
    }

    @SuppressWarnings("unchecked")
    private <T extends SpecificRecord> Serde<T> confluent() {
        Map<String, Object> props = new HashMap<>(extra);
        props.put("schema.registry.url", registryUrl.given());
        props.put("auto.register.schemas", autoRegister);
        props.put("use.latest.version", !autoRegister);
        props.put("specific.avro.reader", true);
        try {
            Serializer<T> serializer =
                    (Serializer<T>) Class.forName("io.confluent.kafka.serializers.KafkaAvroSerializer")
                            .getDeclaredConstructor()
                            .newInstance();
            Deserializer<T> deserializer =
                    (Deserializer<T>) Class.forName("io.confluent.kafka.serializers.KafkaAvroDeserializer")
                            .getDeclaredConstructor()
                            .newInstance();
            serializer.configure(props, false);
            deserializer.configure(props, false);
            return Serdes.serdeFrom(serializer, deserializer);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Confluent's kafka-avro-serializer cannot be loaded: " + e, e);
        }
    }

    /** Whether Confluent's serializer, for {@link RegistrySerde#CONFLUENT}, is on the classpath. */
    public static boolean confluentAvailable() {
        try {
            Class.forName(
                    "io.confluent.kafka.serializers.KafkaAvroSerializer", false, AvroSerdes.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}

package io.contactaudit.kafka;

import io.apicurio.registry.serde.SerdeConfig;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerdeConfig;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
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
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
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
    public enum RegistrySerde { APICURIO, CONFLUENT }

    private final String registryUrl;
    private final RegistrySerde kind;
    private final boolean autoRegister;
    private final Map<String, Object> extra;

    private AvroSerdes(String registryUrl, RegistrySerde kind, boolean autoRegister, Map<String, Object> extra) {
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
     * @param registryUrl  the registry's base URL (e.g. http://registry:8080)
     * @param autoRegister let serializers register schemas (off in production: {@code schemas register} does it)
     * @param extra        further serde settings (registry credentials and TLS: {@code apicurio.auth.*}, ...)
     */
    public static AvroSerdes registry(String registryUrl, RegistrySerde kind, boolean autoRegister, Map<String, Object> extra) {
        return new AvroSerdes(registryUrl, kind, autoRegister, Map.copyOf(extra));
    }

    /** Whether records carry the Confluent wire format. */
    public boolean registryMode() {
        return registryUrl != null;
    }

    /** The registry's base URL, or null. */
    public String registryUrl() {
        return registryUrl;
    }

    /** Fails with one line when the registry does not answer within {@code timeout}; nothing to do without a registry. */
    public void awaitRegistry(Duration timeout) {
        if (registryUrl == null) {
            return;
        }
        String base = registryUrl.endsWith("/") ? registryUrl.substring(0, registryUrl.length() - 1) : registryUrl;
        int apis = base.indexOf("/apis/");
        String probe = (apis < 0 ? base : base.substring(0, apis)) + "/apis/ccompat/v7/subjects";
        try {
            HttpResponse<Void> response = HttpClient.newBuilder().connectTimeout(timeout).build()
                    .send(HttpRequest.newBuilder(URI.create(probe)).timeout(timeout).build(),
                            HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() >= 500) {
                throw new IllegalStateException("the schema registry at " + registryUrl + " answered HTTP " + response.statusCode());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot reach the schema registry at " + registryUrl + " within " + timeout.toSeconds()
                    + " s (" + e.getClass().getSimpleName() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the schema registry", e);
        }
    }

    /**
     * Whether a serde failure is the registry being away (transient: stop and retry later, never dead-letter)
     * rather than bad data.
     */
    public static boolean registryUnavailable(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof HttpTimeoutException
                    || t instanceof SocketTimeoutException || t instanceof UnknownHostException
                    || t instanceof ClosedChannelException
                    || t.getClass().getName().endsWith("RestClientException") && String.valueOf(t.getMessage()).matches("(?s).*\\b5\\d\\d\\b.*")) {
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
        Map<String, Object> props = new HashMap<>(extra);
        props.put(SerdeConfig.REGISTRY_URL, apiUrl(registryUrl));
        props.put(SerdeConfig.ENABLE_CONFLUENT_ID_HANDLER, true);
        props.put(SerdeConfig.ENABLE_HEADERS, false);
        props.put(SerdeConfig.USE_ID, "contentId");
        props.put(SerdeConfig.AUTO_REGISTER_ARTIFACT, autoRegister);
        props.put(SerdeConfig.FIND_LATEST_ARTIFACT, !autoRegister);
        props.put(AvroKafkaSerdeConfig.USE_SPECIFIC_AVRO_READER, true);
        AvroKafkaSerializer<T> serializer = new AvroKafkaSerializer<>();
        serializer.configure(props, false);
        AvroKafkaDeserializer<T> deserializer = new AvroKafkaDeserializer<>();
        deserializer.configure(props, false);
        return Serdes.serdeFrom(serializer, deserializer);
    }

    @SuppressWarnings("unchecked")
    private <T extends SpecificRecord> Serde<T> confluent() {
        Map<String, Object> props = new HashMap<>(extra);
        props.put("schema.registry.url", registryUrl);
        props.put("auto.register.schemas", autoRegister);
        props.put("use.latest.version", !autoRegister);
        props.put("specific.avro.reader", true);
        try {
            Serializer<T> serializer = (Serializer<T>) Class.forName("io.confluent.kafka.serializers.KafkaAvroSerializer")
                    .getDeclaredConstructor().newInstance();
            Deserializer<T> deserializer = (Deserializer<T>) Class.forName("io.confluent.kafka.serializers.KafkaAvroDeserializer")
                    .getDeclaredConstructor().newInstance();
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
            Class.forName("io.confluent.kafka.serializers.KafkaAvroSerializer", false, AvroSerdes.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** The Apicurio v2 API under a base URL (a URL that already names an API is kept). */
    static String apiUrl(String base) {
        String url = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        return url.contains("/apis/") ? url : url + "/apis/registry/v2";
    }
}

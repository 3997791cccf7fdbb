package io.contactaudit.app;

import io.contactaudit.config.ConfigException;
import io.contactaudit.config.ContactAuditConfig;
import io.contactaudit.kafka.AvroSerdes;
import io.contactaudit.kafka.RegistryUrl;
import io.contactaudit.kafka.TopicProvisioner;
import io.contactaudit.kafka.Topics;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Kafka side of a configuration: the Avro encoding, the topics, and their provisioning at start. */
public final class KafkaSetup {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaSetup.class);

    private KafkaSetup() {}

    /** The encoding of the Avro topics: registry mode when {@code schema.registry.url} is set. */
    public static AvroSerdes avroSerdes(ContactAuditConfig config) {
        String url = config.registryUrl();
        if (url == null) {
            return AvroSerdes.singleObject();
        }
        AvroSerdes.RegistrySerde kind =
                AvroSerdes.RegistrySerde.valueOf(config.registrySerde().toUpperCase(Locale.ROOT));
        if (kind == AvroSerdes.RegistrySerde.CONFLUENT && !AvroSerdes.confluentAvailable()) {
            throw new ConfigException(
                    ContactAuditConfig.REGISTRY_SERDE_CONFIG + "=confluent needs Confluent's kafka-avro-serializer "
                            + "on the classpath (java -cp contact-audit.jar:kafka-avro-serializer.jar:... io.contactaudit.cli.ContactAuditCli)");
        }
        return AvroSerdes.registry(url, kind, config.registryAutoRegister(), config.registryProperties());
    }

    /**
     * The warning when the registry's credentials (in its URL, or set among the registry settings: {@code basic.auth.*},
     * {@code apicurio.auth.*}, whose tokens go to the registry too) would cross the network in clear
     * ({@link RegistryUrl#credentialsInClear}); empty otherwise.
     */
    static Optional<String> warnOfCredentialsInClear(ContactAuditConfig config) {
        String url = config.registryUrl();
        if (url == null) {
            return Optional.empty();
        }
        RegistryUrl registry = RegistryUrl.parse(url);
        boolean configured = config.registryProperties().keySet().stream()
                .anyMatch(key -> key.startsWith("basic.auth.") || key.startsWith("apicurio.auth."));
        return registry.credentialsInClear(configured) ? Optional.of(registry.inClearWarning()) : Optional.empty();
    }

    /** The topics of a configuration: its prefix and its encoding (with a warning when registry credentials would travel in clear). */
    public static Topics topics(ContactAuditConfig config) {
        warnOfCredentialsInClear(config).ifPresent(LOG::warn);
        return Topics.create(config.topicPrefix(), avroSerdes(config), config.siemCompression());
    }

    /**
     * Waits for the brokers (and, in registry mode, for the schema registry, and looks up every topic's schema as its
     * serializer will) and makes sure every topic exists.
     */
    public static List<String> prepare(ContactAuditConfig config, Topics topics) {
        AvroSerdes avro = avroSerdes(config);
        avro.awaitRegistry(config.kafkaTimeout());
        avro.lookUpSchemas(topics);
        LOG.info("waiting up to {} s for Kafka at {}", config.kafkaTimeout().toSeconds(), config.bootstrapServers());
        try (StartupLogs quiet = StartupLogs.quiet()) {
            return TopicProvisioner.prepare(
                    config.kafkaClientProperties(),
                    topics,
                    new TopicProvisioner.Settings(
                            config.createTopics(),
                            config.topicPartitions(),
                            config.topicReplicationFactor(),
                            config.kafkaTimeout()));
        }
    }
}

package io.contactaudit.cli;

import io.contactaudit.config.ContactAuditConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options shared by every command that talks to Kafka. */
public final class KafkaOptions {

    private final CliContext context;

    @Option(
            names = "--bootstrap-servers",
            paramLabel = "HOST:PORT[,...]",
            description = "Kafka brokers (or CONTACT_AUDIT_BOOTSTRAP_SERVERS, or bootstrap.servers in --config).")
    String bootstrapServers;

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description =
                    "Properties file: contact-audit settings and Kafka client settings (security.protocol, sasl.*, ssl.*). "
                            + "Precedence: defaults < file < CONTACT_AUDIT_* environment < flags.")
    Path configFile;

    @Option(names = "--topic-prefix", paramLabel = "PREFIX", description = "Topic prefix (default contact-audit).")
    String topicPrefix;

    KafkaOptions(CliContext context) {
        this.context = context;
    }

    /** Flags given, as configuration keys. */
    Map<String, String> flags() {
        Map<String, String> flags = new LinkedHashMap<>();
        flags.put(ContactAuditConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        flags.put(ContactAuditConfig.TOPIC_PREFIX_CONFIG, topicPrefix);
        return flags;
    }

    /** The configuration from all layers. */
    ContactAuditConfig load() {
        return load(Map.of());
    }

    /** The configuration from all layers, with {@code more} flags on top. */
    ContactAuditConfig load(Map<String, String> more) {
        Map<String, String> flags = flags();
        flags.putAll(more);
        return ContactAuditConfig.load(configFile, context.env(), flags);
    }

    /** The environment the configuration is read from. */
    Map<String, String> env() {
        return context.env();
    }
}

package io.contactaudit.config;

import static org.apache.kafka.common.config.ConfigDef.Importance.HIGH;
import static org.apache.kafka.common.config.ConfigDef.Importance.LOW;
import static org.apache.kafka.common.config.ConfigDef.Importance.MEDIUM;

import io.contactaudit.Errors;
import io.contactaudit.kafka.RegistryUrl;
import io.contactaudit.kafka.Topics;
import io.contactaudit.rule.Profile;
import io.contactaudit.siem.OcsfComplianceFinding.Redaction;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * Typed configuration: defaults &lt; file (Java properties) &lt; environment ({@code CONTACT_AUDIT_*}) &lt; flags.
 *
 * <p>Every key is defined once, in {@link #DEFINITION} (Kafka's {@link ConfigDef}): type, default, validator
 * and doc; the README's reference is generated from it ({@link ConfigReference}). An environment variable
 * names a key in upper case with dots as underscores: {@code CONTACT_AUDIT_BOOTSTRAP_SERVERS} is
 * {@code bootstrap.servers}, {@code CONTACT_AUDIT_SASL_JAAS_CONFIG} is {@code sasl.jaas.config}. Keys this
 * class does not define are Kafka client settings ({@code security.protocol}, {@code sasl.*}, {@code ssl.*}, ...)
 * and go to every Kafka client as they are. Secrets belong in the environment, never in files;
 * {@link #redacted()} is what may be logged. Every value is checked at load; a bad one fails with one line
 * that names the key and what it must be.
 */
public final class ContactAuditConfig {

    public static final String ENV_PREFIX = "CONTACT_AUDIT_";
    /** Client settings of the change events' consumer start with this. */
    public static final String EVENTS_PREFIX = "events.";

    public static final String BOOTSTRAP_SERVERS_CONFIG = "bootstrap.servers";
    public static final String BOOTSTRAP_SERVERS_DOC =
            "Kafka brokers, host:port[,host:port...]. Required by every command that talks to Kafka.";

    public static final String TOPIC_PREFIX_CONFIG = "topic.prefix";
    public static final String TOPIC_PREFIX_DOC =
            "Prefix of every topic: <prefix>.snapshots.v1, <prefix>.findings.v1, ...";

    public static final String APPLICATION_ID_CONFIG = "application.id";
    public static final String APPLICATION_ID_DOC =
            "Kafka Streams application.id of the evaluator (consumer group, internal topic prefix). Default: <topic.prefix>-evaluate-v1. Change it only to start over.";

    public static final String PROFILE_CONFIG = "profile";
    public static final String PROFILE_DOC =
            "Rule profile: default (High, Medium or Low minimal severity passes) or strict (High only).";

    public static final String COLLECTION_INTERVAL_CONFIG = "collection.interval";
    public static final String COLLECTION_INTERVAL_DOC =
            "How often the collector runs (ISO-8601 duration, e.g. PT15M).";

    public static final String STALE_AFTER_CONFIG = "stale.after";
    public static final String STALE_AFTER_DOC =
            "Staleness window of subscriptions whose snapshots declare no collection interval (collect --once, older releases); snapshots of a collector loop declare theirs, and their window is 3 x that interval on every evaluator. Default: 3 x collection.interval.";

    public static final String STALE_CHECK_INTERVAL_CONFIG = "stale.check.interval";
    public static final String STALE_CHECK_INTERVAL_DOC =
            "How often the evaluator checks for stale subscriptions (wall clock).";

    public static final String FINDINGS_EMIT_CONFIG = "findings.emit";
    public static final String FINDINGS_EMIT_DOC =
            "Which evaluations emit a finding (Avro and OCSF): changes (a new subscription, a change of verdict, reasons, contacts, rule or profile, any drift, a closed subscription; an unchanged finding again after findings.refresh) or every (every evaluation).";

    public static final String FINDINGS_REFRESH_CONFIG = "findings.refresh";
    public static final String FINDINGS_REFRESH_DOC =
            "With findings.emit=changes: an unchanged finding is emitted again once per this interval (ISO-8601 duration), so that a SIEM never ages it out; the gap is at most this plus one collection interval.";

    public static final String STATE_STORE_CONFIG = "state.store";
    public static final String STATE_STORE_DOC =
            "Where the evaluator keeps its posture store: rocksdb (local disk in state.dir; a restart reads only the changelog's tail) or memory (the heap, ~1.6 KiB per subscription; no RocksDB, but every start reads the whole changelog). The changelog is the same either way.";

    public static final String STATE_DIR_CONFIG = "state.dir";
    public static final String STATE_DIR_DOC =
            "Directory of the evaluator's local state (rebuilt from the changelog when lost).";

    public static final String NUM_STREAM_THREADS_CONFIG = "num.stream.threads";
    public static final String NUM_STREAM_THREADS_DOC =
            "Stream threads of the evaluator; at most the number of snapshot partitions is useful.";

    public static final String TOPICS_CREATE_CONFIG = "topics.create";
    public static final String TOPICS_CREATE_DOC =
            "Create missing topics at start (true) or fail with the list of missing topics (false, for locked-down clusters).";

    public static final String TOPICS_PARTITIONS_CONFIG = "topics.partitions";
    public static final String TOPICS_PARTITIONS_DOC =
            "Partitions of topics created at start; the evaluator's parallelism is bounded by the snapshot topic's.";

    public static final String TOPICS_REPLICATION_FACTOR_CONFIG = "topics.replication.factor";
    public static final String TOPICS_REPLICATION_FACTOR_DOC =
            "Replication factor of topics created at start; -1 takes the broker's default.";

    public static final String TOPICS_SIEM_COMPRESSION_CONFIG = "topics.siem.compression.type";
    public static final String TOPICS_SIEM_COMPRESSION_DOC =
            "Codec the broker stores the topics SIEMs read in (findings, findings-ocsf, drift; their topic-level compression.type, set when created at start): gzip, which every Kafka client decodes (kafkajs has no other codec), or producer to keep the producers' lz4.";

    public static final String KAFKA_TIMEOUT_CONFIG = "kafka.timeout";
    public static final String KAFKA_TIMEOUT_DOC =
            "How long to wait for the brokers at start before failing (ISO-8601 duration).";

    public static final String AZURE_CREDENTIAL_CONFIG = "azure.credential";
    public static final String AZURE_CREDENTIAL_DOC =
            "Azure credential: default (DefaultAzureCredential), client-secret, client-certificate, managed-identity or azure-cli; secrets from AZURE_* environment variables.";

    public static final String REMEDIATION_AZURE_CREDENTIAL_CONFIG = "remediation.azure.credential";
    public static final String REMEDIATION_AZURE_CREDENTIAL_DOC =
            "Azure credential of remediate --apply, which writes (Microsoft.Security/securityContacts/write, the Security Admin role): as azure.credential, whose identity stays read-only. Default: azure.credential.";

    public static final String AZURE_ENDPOINT_CONFIG = "azure.endpoint";
    public static final String AZURE_ENDPOINT_DOC =
            "Resource Manager endpoint (sovereign clouds: e.g. https://management.usgovcloudapi.net/).";

    public static final String AZURE_SCOPE_CONFIG = "azure.scope";
    public static final String AZURE_SCOPE_DOC =
            "OAuth scope of the Resource Manager token. Default: <azure.endpoint>/.default.";

    public static final String API_VERSION_CONFIG = "collector.api.version";
    public static final String API_VERSION_DOC =
            "securityContacts api-version requested; the rule reads all three generations whatever is requested.";

    public static final String CONCURRENCY_CONFIG = "collector.concurrency";
    public static final String CONCURRENCY_DOC = "Subscriptions read at the same time.";

    public static final String REQUEST_TIMEOUT_CONFIG = "collector.request.timeout";
    public static final String REQUEST_TIMEOUT_DOC = "Timeout of one request to Resource Manager (ISO-8601 duration).";

    public static final String MAX_RETRIES_CONFIG = "collector.max.retries";
    public static final String MAX_RETRIES_DOC = "Retries of a throttled (429), unavailable (5xx) or failed request.";

    public static final String MAX_RETRY_DELAY_CONFIG = "collector.max.retry.delay";
    public static final String MAX_RETRY_DELAY_DOC =
            "Longest wait before one retry, whatever Retry-After asks (ISO-8601 duration).";

    public static final String MAX_FAILED_CYCLES_CONFIG = "collector.max.failed.cycles";
    public static final String MAX_FAILED_CYCLES_DOC =
            "Collection runs in a row that publish nothing (every record refused, or the run failed before publishing) after which collect --interval and run report not ready and exit with 4.";

    public static final String SUBSCRIPTIONS_CONFIG = "collector.subscriptions";
    public static final String SUBSCRIPTIONS_DOC =
            "Comma-separated subscription ids to collect; empty: every subscription the identity can see (and only then are vanished subscriptions closed).";

    public static final String INCLUDE_CONFIG = "collector.include";
    public static final String INCLUDE_DOC = "Regular expression: only subscriptions whose id or display name matches.";

    public static final String EXCLUDE_CONFIG = "collector.exclude";
    public static final String EXCLUDE_DOC =
            "Regular expression: not the subscriptions whose id or display name matches.";

    public static final String TENANTS_FILE_CONFIG = "collector.tenants.file";
    public static final String TENANTS_FILE_DOC =
            "YAML file listing the tenants to collect, each with its own credential, include/exclude and display name"
                    + " (see the README, Many tenants). Unset: one identity, azure.credential, reads what it can see.";

    public static final String TENANT_READS_BURST_CONFIG = "collector.tenant.reads.burst";
    public static final String TENANT_READS_BURST_DOC =
            "Reads one identity may send at once when it is paced (collector.tenant.reads.per.second): its token"
                    + " bucket's size.";

    public static final String TENANT_READS_PER_SECOND_CONFIG = "collector.tenant.reads.per.second";
    public static final String TENANT_READS_PER_SECOND_DOC =
            "Reads per second each identity sends at most, every request and retry counted; 0: not paced (Resource"
                    + " Manager meters reads per subscription, which a sweep never exhausts, and a 429 is waited out as"
                    + " it asks). For an identity whose reads throttle harder, e.g. 25 with a burst of 200. A tenant of"
                    + " the tenants file may set its own (readsPerSecond).";

    public static final String AZURE_AUTHORITY_HOST_CONFIG = "azure.authority.host";
    public static final String AZURE_AUTHORITY_HOST_DOC =
            "Microsoft Entra ID authority of the tenants file's credentials, e.g. https://login.microsoftonline.us/"
                    + " for Azure Government; unset: the public cloud's (or AZURE_AUTHORITY_HOST).";

    public static final String REDACT_RECIPIENTS_CONFIG = "ocsf.redact.recipients";
    public static final String REDACT_RECIPIENTS_DOC =
            "E-mail recipients on the OCSF findings topic: none (as collected), hash (SHA-256 of the lower-case address) or drop.";

    public static final String HTTP_PORT_CONFIG = "http.port";
    public static final String HTTP_PORT_DOC =
            "Port of /health/live, /health/ready and /metrics (Prometheus); unset: no HTTP server. Not used by check.";

    public static final String EVENTS_ENABLED_CONFIG = "events.enabled";
    public static final String EVENTS_ENABLED_DOC =
            "Change-triggered collection: read a subscription again as soon as Azure reports a write or delete of one of its security contacts on events.topic (collect --events, run). The poll goes on as the safety net.";

    public static final String EVENTS_TOPIC_CONFIG = "events.topic";
    public static final String EVENTS_TOPIC_DOC =
            "Topic (Event Hub) Azure writes the Activity Log or Event Grid events to; insights-activity-logs is the hub a diagnostic setting creates.";

    public static final String EVENTS_BOOTSTRAP_SERVERS_CONFIG = "events.bootstrap.servers";
    public static final String EVENTS_BOOTSTRAP_SERVERS_DOC =
            "Kafka endpoint of the events (an Event Hubs namespace: <namespace>.servicebus.windows.net:9093). Default: bootstrap.servers. Its other client settings are events.<setting> (events.security.protocol, events.sasl.jaas.config, ...).";

    public static final String EVENTS_GROUP_ID_CONFIG = "events.group.id";
    public static final String EVENTS_GROUP_ID_DOC =
            "Consumer group of the events (an Event Hubs consumer group of its own).";

    public static final String EVENTS_DEBOUNCE_CONFIG = "events.debounce";
    public static final String EVENTS_DEBOUNCE_DOC =
            "Changes of one subscription closer together than this give one read, after the last; one changed without pause is still read every 10 debounces (ISO-8601 duration). Adds up to this to the time from a change to its drift event.";

    public static final String EXCEPTIONS_MAX_DURATION_CONFIG = "exceptions.max.duration";
    public static final String EXCEPTIONS_MAX_DURATION_DOC =
            "Longest an exception may run, from its approval to its expiry (ISO-8601 duration): exceptions add refuses a later expiry.";

    public static final String HTTP_HOST_CONFIG = "http.host";
    public static final String HTTP_HOST_DOC =
            "Address the HTTP server binds to (0.0.0.0 in containers, for probes and scraping).";

    public static final String REGISTRY_URL_CONFIG = "schema.registry.url";
    public static final String REGISTRY_URL_DOC =
            "Schema Registry URL, its base (http://registry:8080) or its Confluent-compatible API (.../apis/ccompat/v7), alike for every command: set, every Avro topic uses the Confluent wire format (0x00 + schema id); unset, Avro single-object encoding.";

    public static final String REGISTRY_SERDE_CONFIG = "schema.registry.serde";
    public static final String REGISTRY_SERDE_DOC =
            "apicurio (built in; Apicurio Registry 2.x or 3.x, through its v2 API) or confluent (Confluent's KafkaAvroSerializer, which must be on the classpath).";

    public static final String REGISTRY_AUTO_REGISTER_CONFIG = "schema.registry.auto.register";
    public static final String REGISTRY_AUTO_REGISTER_DOC =
            "Let serializers register schemas; off in production, where `contact-audit schemas register` checks compatibility and registers them.";

    /** Every key this class defines, in the order of the reference: type, default (null: none), validator, doc. */
    public static final ConfigDef DEFINITION = new ConfigDef()
            .define(BOOTSTRAP_SERVERS_CONFIG, Type.STRING, null, HIGH, BOOTSTRAP_SERVERS_DOC)
            .define(TOPIC_PREFIX_CONFIG, Type.STRING, "contact-audit", Validators.notBlank(), HIGH, TOPIC_PREFIX_DOC)
            .define(APPLICATION_ID_CONFIG, Type.STRING, null, MEDIUM, APPLICATION_ID_DOC)
            .define(
                    PROFILE_CONFIG,
                    Type.STRING,
                    Profile.DEFAULT.id(),
                    Validators.parsing(Profile::parse),
                    HIGH,
                    PROFILE_DOC)
            .define(
                    COLLECTION_INTERVAL_CONFIG,
                    Type.STRING,
                    "PT15M",
                    Validators.positiveDuration(),
                    MEDIUM,
                    COLLECTION_INTERVAL_DOC)
            .define(STALE_AFTER_CONFIG, Type.STRING, null, Validators.positiveDuration(), MEDIUM, STALE_AFTER_DOC)
            .define(
                    STALE_CHECK_INTERVAL_CONFIG,
                    Type.STRING,
                    "PT1M",
                    Validators.positiveDuration(),
                    LOW,
                    STALE_CHECK_INTERVAL_DOC)
            .define(
                    FINDINGS_EMIT_CONFIG,
                    Type.STRING,
                    "changes",
                    Validators.oneOf("changes", "every"),
                    MEDIUM,
                    FINDINGS_EMIT_DOC)
            .define(
                    FINDINGS_REFRESH_CONFIG,
                    Type.STRING,
                    "PT12H",
                    Validators.positiveDuration(),
                    MEDIUM,
                    FINDINGS_REFRESH_DOC)
            .define(STATE_DIR_CONFIG, Type.STRING, "data/streams", MEDIUM, STATE_DIR_DOC)
            .define(
                    STATE_STORE_CONFIG,
                    Type.STRING,
                    "rocksdb",
                    Validators.oneOf("rocksdb", "memory"),
                    LOW,
                    STATE_STORE_DOC)
            .define(NUM_STREAM_THREADS_CONFIG, Type.INT, 1, Validators.atLeast(1), MEDIUM, NUM_STREAM_THREADS_DOC)
            .define(TOPICS_CREATE_CONFIG, Type.BOOLEAN, true, MEDIUM, TOPICS_CREATE_DOC)
            .define(TOPICS_PARTITIONS_CONFIG, Type.INT, 6, Validators.atLeast(1), MEDIUM, TOPICS_PARTITIONS_DOC)
            .define(TOPICS_REPLICATION_FACTOR_CONFIG, Type.SHORT, (short) -1, MEDIUM, TOPICS_REPLICATION_FACTOR_DOC)
            .define(
                    TOPICS_SIEM_COMPRESSION_CONFIG,
                    Type.STRING,
                    Topics.SIEM_COMPRESSION,
                    Validators.oneOf("gzip", "producer", "uncompressed", "lz4", "snappy", "zstd"),
                    MEDIUM,
                    TOPICS_SIEM_COMPRESSION_DOC)
            .define(
                    KAFKA_TIMEOUT_CONFIG,
                    Type.STRING,
                    "PT30S",
                    Validators.positiveDuration(),
                    MEDIUM,
                    KAFKA_TIMEOUT_DOC)
            .define(AZURE_CREDENTIAL_CONFIG, Type.STRING, "default", HIGH, AZURE_CREDENTIAL_DOC)
            .define(REMEDIATION_AZURE_CREDENTIAL_CONFIG, Type.STRING, null, MEDIUM, REMEDIATION_AZURE_CREDENTIAL_DOC)
            .define(
                    AZURE_ENDPOINT_CONFIG,
                    Type.STRING,
                    "https://management.azure.com/",
                    Validators.httpsUrl(),
                    MEDIUM,
                    AZURE_ENDPOINT_DOC)
            .define(AZURE_SCOPE_CONFIG, Type.STRING, null, LOW, AZURE_SCOPE_DOC)
            .define(API_VERSION_CONFIG, Type.STRING, "2023-12-01-preview", LOW, API_VERSION_DOC)
            .define(CONCURRENCY_CONFIG, Type.INT, 16, Validators.atLeast(1), MEDIUM, CONCURRENCY_DOC)
            .define(
                    REQUEST_TIMEOUT_CONFIG,
                    Type.STRING,
                    "PT30S",
                    Validators.positiveDuration(),
                    LOW,
                    REQUEST_TIMEOUT_DOC)
            .define(MAX_RETRIES_CONFIG, Type.INT, 4, Validators.notNegative(), LOW, MAX_RETRIES_DOC)
            .define(
                    MAX_RETRY_DELAY_CONFIG,
                    Type.STRING,
                    "PT60S",
                    Validators.positiveDuration(),
                    LOW,
                    MAX_RETRY_DELAY_DOC)
            .define(MAX_FAILED_CYCLES_CONFIG, Type.INT, 3, Validators.atLeast(1), MEDIUM, MAX_FAILED_CYCLES_DOC)
            .define(SUBSCRIPTIONS_CONFIG, Type.STRING, null, MEDIUM, SUBSCRIPTIONS_DOC)
            .define(INCLUDE_CONFIG, Type.STRING, null, Validators.regex(), MEDIUM, INCLUDE_DOC)
            .define(EXCLUDE_CONFIG, Type.STRING, null, Validators.regex(), MEDIUM, EXCLUDE_DOC)
            .define(TENANTS_FILE_CONFIG, Type.STRING, null, MEDIUM, TENANTS_FILE_DOC)
            .define(TENANT_READS_BURST_CONFIG, Type.INT, 200, Validators.atLeast(1), LOW, TENANT_READS_BURST_DOC)
            .define(
                    TENANT_READS_PER_SECOND_CONFIG,
                    Type.INT,
                    0,
                    Validators.notNegative(),
                    LOW,
                    TENANT_READS_PER_SECOND_DOC)
            .define(
                    AZURE_AUTHORITY_HOST_CONFIG,
                    Type.STRING,
                    null,
                    Validators.httpsUrl(),
                    LOW,
                    AZURE_AUTHORITY_HOST_DOC)
            .define(
                    REDACT_RECIPIENTS_CONFIG,
                    Type.STRING,
                    "none",
                    Validators.parsing(Redaction::parse),
                    MEDIUM,
                    REDACT_RECIPIENTS_DOC)
            .define(HTTP_PORT_CONFIG, Type.STRING, null, Validators.port(), MEDIUM, HTTP_PORT_DOC)
            .define(
                    REGISTRY_URL_CONFIG,
                    Type.STRING,
                    null,
                    Validators.parsing(RegistryUrl::parse),
                    HIGH,
                    REGISTRY_URL_DOC)
            .define(
                    REGISTRY_SERDE_CONFIG,
                    Type.STRING,
                    "apicurio",
                    Validators.oneOf("apicurio", "confluent"),
                    MEDIUM,
                    REGISTRY_SERDE_DOC)
            .define(REGISTRY_AUTO_REGISTER_CONFIG, Type.BOOLEAN, false, LOW, REGISTRY_AUTO_REGISTER_DOC)
            .define(HTTP_HOST_CONFIG, Type.STRING, "127.0.0.1", LOW, HTTP_HOST_DOC)
            .define(EVENTS_ENABLED_CONFIG, Type.BOOLEAN, false, MEDIUM, EVENTS_ENABLED_DOC)
            .define(
                    EVENTS_TOPIC_CONFIG,
                    Type.STRING,
                    "insights-activity-logs",
                    Validators.notBlank(),
                    MEDIUM,
                    EVENTS_TOPIC_DOC)
            .define(EVENTS_BOOTSTRAP_SERVERS_CONFIG, Type.STRING, null, MEDIUM, EVENTS_BOOTSTRAP_SERVERS_DOC)
            .define(
                    EVENTS_GROUP_ID_CONFIG,
                    Type.STRING,
                    "contact-audit-collector-events",
                    Validators.notBlank(),
                    MEDIUM,
                    EVENTS_GROUP_ID_DOC)
            .define(
                    EVENTS_DEBOUNCE_CONFIG,
                    Type.STRING,
                    "PT0.5S",
                    Validators.positiveDuration(),
                    LOW,
                    EVENTS_DEBOUNCE_DOC)
            .define(
                    EXCEPTIONS_MAX_DURATION_CONFIG,
                    Type.STRING,
                    "P365D",
                    Validators.positiveDuration(),
                    MEDIUM,
                    EXCEPTIONS_MAX_DURATION_DOC);

    private static final Pattern SECRET = Pattern.compile(
            "(?i).*(password|secret|jaas|token|key|connection|credential|authorization|user\\.info|basic\\.auth).*");

    /** Every value as given (defaults included), for {@link #get}, {@link #redacted} and the Kafka clients. */
    private final Map<String, String> values;
    /** The defined keys' values, parsed to their types and validated. */
    private final Map<String, Object> parsed;

    private ContactAuditConfig(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(new TreeMap<>(values));
        this.parsed = Collections.unmodifiableMap(parse(values));
    }

    /**
     * Loads the layers in order of precedence.
     *
     * @param file  a properties file, or null
     * @param env   the environment (only {@code CONTACT_AUDIT_*} variables are read)
     * @param flags values given on the command line (null values are ignored)
     */
    public static ContactAuditConfig load(Path file, Map<String, String> env, Map<String, String> flags) {
        Map<String, String> values = new LinkedHashMap<>();
        DEFINITION.configKeys().values().forEach(key -> {
            if (key.defaultValue != null) {
                values.put(key.name, String.valueOf(key.defaultValue));
            }
        });
        if (file != null) {
            values.putAll(readFile(file));
        }
        env.forEach((name, value) -> {
            if (name.startsWith(ENV_PREFIX) && name.length() > ENV_PREFIX.length()) {
                values.put(
                        name.substring(ENV_PREFIX.length())
                                .toLowerCase(Locale.ROOT)
                                .replace('_', '.'),
                        value);
            }
        });
        flags.forEach((key, value) -> {
            if (value != null) {
                values.put(key, value);
            }
        });
        return new ContactAuditConfig(values);
    }

    /** Defaults plus the given values, for tests and embedded use. */
    public static ContactAuditConfig of(Map<String, String> values) {
        return load(null, Map.of(), values);
    }

    /** Whether this class defines {@code key} (else it is a Kafka client setting). */
    public static boolean defines(String key) {
        return DEFINITION.configKeys().containsKey(key);
    }

    /** Environment variable of a key: {@code CONTACT_AUDIT_} and the key in upper case, dots as underscores. */
    public static String environmentVariable(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    private static Map<String, String> readFile(Path file) {
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(reader);
        } catch (NoSuchFileException e) {
            throw new ConfigException("configuration file not found: " + file);
        } catch (IOException e) {
            throw new ConfigException("cannot read configuration file " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> values = new LinkedHashMap<>();
        props.stringPropertyNames()
                .forEach(k -> values.put(k.trim(), props.getProperty(k).trim()));
        return values;
    }

    /** Parses and validates every defined key, in definition order; the first bad value fails with its key and why. */
    private static Map<String, Object> parse(Map<String, String> values) {
        Map<String, Object> parsed = new HashMap<>();
        for (ConfigDef.ConfigKey key : DEFINITION.configKeys().values()) {
            String text = values.get(key.name);
            Object value;
            try {
                value = ConfigDef.parseType(key.name, text, key.type);
            } catch (KafkaException e) { // Kafka's ConfigException: not of the key's type
                throw new ConfigException(key.name + " must be "
                        + (key.type == Type.BOOLEAN ? "true or false" : "an integer") + ", got '" + text + "'");
            }
            if (key.validator != null) {
                key.validator.ensureValid(key.name, value);
            }
            parsed.put(key.name, value);
        }
        return parsed;
    }

    /** The raw value of a key, or null. */
    public String get(String key) {
        return values.get(key);
    }

    /** {@code bootstrap.servers}; a clear error when unset. */
    public String bootstrapServers() {
        String servers = string(BOOTSTRAP_SERVERS_CONFIG);
        if (servers == null) {
            throw new ConfigException("no Kafka brokers configured: give --bootstrap-servers HOST:PORT, "
                    + environmentVariable(BOOTSTRAP_SERVERS_CONFIG) + ", or bootstrap.servers in the --config file");
        }
        return servers;
    }

    public String topicPrefix() {
        return string(TOPIC_PREFIX_CONFIG);
    }

    public String applicationId() {
        String id = string(APPLICATION_ID_CONFIG);
        return id == null ? topicPrefix() + "-evaluate-v1" : id;
    }

    public Profile profile() {
        return Profile.parse(string(PROFILE_CONFIG));
    }

    public Duration collectionInterval() {
        return duration(COLLECTION_INTERVAL_CONFIG);
    }

    public Duration staleAfter() {
        return string(STALE_AFTER_CONFIG) == null ? collectionInterval().multipliedBy(3) : duration(STALE_AFTER_CONFIG);
    }

    public Duration staleCheckInterval() {
        return duration(STALE_CHECK_INTERVAL_CONFIG);
    }

    /** True when every evaluation emits a finding ({@code findings.emit=every}); false: only changes, refreshed. */
    public boolean findingsEveryEvaluation() {
        return "every".equals(string(FINDINGS_EMIT_CONFIG).trim().toLowerCase(Locale.ROOT));
    }

    public Duration findingsRefresh() {
        return duration(FINDINGS_REFRESH_CONFIG);
    }

    /** True when the posture store lives on the heap ({@code state.store=memory}). */
    public boolean stateInMemory() {
        return "memory".equals(string(STATE_STORE_CONFIG).trim().toLowerCase(Locale.ROOT));
    }

    public Duration kafkaTimeout() {
        return duration(KAFKA_TIMEOUT_CONFIG);
    }

    public Path stateDir() {
        return Path.of(string(STATE_DIR_CONFIG));
    }

    public int numStreamThreads() {
        return (Integer) parsed.get(NUM_STREAM_THREADS_CONFIG);
    }

    public boolean createTopics() {
        return (Boolean) parsed.get(TOPICS_CREATE_CONFIG);
    }

    public int topicPartitions() {
        return (Integer) parsed.get(TOPICS_PARTITIONS_CONFIG);
    }

    public short topicReplicationFactor() {
        return (Short) parsed.get(TOPICS_REPLICATION_FACTOR_CONFIG);
    }

    /** The topic-level compression.type of the topics SIEMs read. */
    public String siemCompression() {
        return string(TOPICS_SIEM_COMPRESSION_CONFIG).toLowerCase(Locale.ROOT);
    }

    public Redaction redaction() {
        return Redaction.parse(string(REDACT_RECIPIENTS_CONFIG));
    }

    /** The HTTP port, or -1 when the HTTP server is off. */
    public int httpPort() {
        String port = string(HTTP_PORT_CONFIG);
        return port == null ? -1 : Integer.parseInt(port);
    }

    public String httpHost() {
        return string(HTTP_HOST_CONFIG);
    }

    public boolean eventsEnabled() {
        return (Boolean) parsed.get(EVENTS_ENABLED_CONFIG);
    }

    public String eventsTopic() {
        return string(EVENTS_TOPIC_CONFIG);
    }

    public String eventsGroupId() {
        return string(EVENTS_GROUP_ID_CONFIG);
    }

    public Duration eventsDebounce() {
        return duration(EVENTS_DEBOUNCE_CONFIG);
    }

    /** The longest an exception may run, approval to expiry. */
    public Duration exceptionsMaxDuration() {
        return duration(EXCEPTIONS_MAX_DURATION_CONFIG);
    }

    /**
     * Client settings of the events' consumer: {@code events.<setting>} with the prefix removed, on
     * {@code events.bootstrap.servers} (default: the pipeline's brokers, and then the pipeline's client settings too).
     */
    public Map<String, Object> eventsClientProperties() {
        String bootstrap = string(EVENTS_BOOTSTRAP_SERVERS_CONFIG);
        Map<String, Object> props = new LinkedHashMap<>();
        if (bootstrap == null) {
            props.putAll(kafkaClientProperties());
        } else {
            props.put(BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        }
        values.forEach((key, value) -> {
            if (key.startsWith(EVENTS_PREFIX) && !defines(key)) {
                props.put(key.substring(EVENTS_PREFIX.length()), value);
            }
        });
        return props;
    }

    public String azureCredential() {
        return string(AZURE_CREDENTIAL_CONFIG);
    }

    /** The credential that writes security contacts: remediation.azure.credential, else azure.credential. */
    public String remediationCredential() {
        String own = string(REMEDIATION_AZURE_CREDENTIAL_CONFIG);
        return own == null ? azureCredential() : own;
    }

    /** The Resource Manager endpoint, ending with a slash. */
    public URI azureEndpoint() {
        return Validators.httpsUri(AZURE_ENDPOINT_CONFIG, string(AZURE_ENDPOINT_CONFIG));
    }

    public String azureScope() {
        String scope = string(AZURE_SCOPE_CONFIG);
        if (scope != null) {
            return scope;
        }
        String endpoint = azureEndpoint().toString();
        return endpoint.substring(0, endpoint.length() - 1) + "/.default";
    }

    public String apiVersion() {
        return string(API_VERSION_CONFIG);
    }

    public int concurrency() {
        return (Integer) parsed.get(CONCURRENCY_CONFIG);
    }

    public Duration requestTimeout() {
        return duration(REQUEST_TIMEOUT_CONFIG);
    }

    public int maxRetries() {
        return (Integer) parsed.get(MAX_RETRIES_CONFIG);
    }

    public Duration maxRetryDelay() {
        return duration(MAX_RETRY_DELAY_CONFIG);
    }

    /** Collection runs in a row that publish nothing before a collector loop gives up. */
    public int maxFailedCycles() {
        return (Integer) parsed.get(MAX_FAILED_CYCLES_CONFIG);
    }

    /** Explicit subscription ids, lower case; empty for all. */
    public List<String> subscriptions() {
        String list = string(SUBSCRIPTIONS_CONFIG);
        if (list == null) {
            return List.of();
        }
        return Arrays.stream(list.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .map(s -> s.toLowerCase(Locale.ROOT))
                .distinct()
                .toList();
    }

    public Pattern include() {
        return regex(INCLUDE_CONFIG);
    }

    public Pattern exclude() {
        return regex(EXCLUDE_CONFIG);
    }

    /** The tenants file, or null: one identity. */
    public Path tenantsFile() {
        String file = string(TENANTS_FILE_CONFIG);
        return file == null ? null : Path.of(file);
    }

    /** Size of each tenant's read bucket. */
    public int tenantReadsBurst() {
        return (Integer) parsed.get(TENANT_READS_BURST_CONFIG);
    }

    /** Reads per second of each tenant's identity; 0: not paced. */
    public int tenantReadsPerSecond() {
        return (Integer) parsed.get(TENANT_READS_PER_SECOND_CONFIG);
    }

    /** The Entra ID authority of the tenants file's credentials, or null for the SDK's default. */
    public String azureAuthorityHost() {
        return string(AZURE_AUTHORITY_HOST_CONFIG);
    }

    /** The schema registry's URL as configured, or null: Avro single-object encoding. */
    public String registryUrl() {
        return string(REGISTRY_URL_CONFIG);
    }

    /** Which serde writes the registry's wire format: apicurio or confluent. */
    public String registrySerde() {
        return string(REGISTRY_SERDE_CONFIG).toLowerCase(Locale.ROOT);
    }

    public boolean registryAutoRegister() {
        return (Boolean) parsed.get(REGISTRY_AUTO_REGISTER_CONFIG);
    }

    /** Settings of the registry's serde: credentials and TLS ({@code apicurio.*}, {@code basic.auth.*}). */
    public Map<String, Object> registryProperties() {
        Map<String, Object> extra = new LinkedHashMap<>();
        values.forEach((key, value) -> {
            if (isRegistryKey(key)) {
                extra.put(key, value);
            }
        });
        return extra;
    }

    /** Settings for every Kafka client: the brokers plus every key this class does not define (registry settings excepted). */
    public Map<String, Object> kafkaClientProperties() {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put(BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        values.forEach((key, value) -> {
            if (!defines(key) && !isRegistryKey(key) && !key.startsWith(EVENTS_PREFIX)) {
                props.put(key, value);
            }
        });
        return props;
    }

    private static boolean isRegistryKey(String key) {
        return key.startsWith("apicurio.") || key.startsWith("basic.auth.");
    }

    /** Every value, with secrets masked: what may be logged or printed. */
    public Map<String, String> redacted() {
        Map<String, String> shown = new TreeMap<>();
        values.forEach((key, value) -> shown.put(key, isSecret(key) ? "[redacted]" : Errors.withoutUserInfo(value)));
        return shown;
    }

    /**
     * Whether a key names a secret (password, secret, JAAS config, token, key, connection string, credentials, an HTTP
     * Authorization header, and HTTP basic authentication's {@code user:password}: {@code basic.auth.user.info}, {@code schema.registry.basic.auth}).
     */
    public static boolean isSecret(String key) {
        return !defines(key) && SECRET.matcher(key).matches();
    }

    /** A string value, trimmed; null when unset or blank. */
    private String string(String key) {
        Object value = parsed.get(key);
        return value == null || value.toString().isBlank()
                ? null
                : value.toString().trim();
    }

    private Duration duration(String key) {
        return Validators.duration(key, string(key));
    }

    private Pattern regex(String key) {
        String text = string(key);
        return text == null ? null : Pattern.compile(text);
    }
}

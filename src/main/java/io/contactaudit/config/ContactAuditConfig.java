package io.contactaudit.config;

import io.contactaudit.rule.Profile;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Typed configuration: defaults &lt; file (Java properties) &lt; environment ({@code CONTACT_AUDIT_*}) &lt; flags.
 *
 * <p>An environment variable names a key in upper case with dots as underscores:
 * {@code CONTACT_AUDIT_BOOTSTRAP_SERVERS} is {@code bootstrap.servers}, {@code CONTACT_AUDIT_SASL_JAAS_CONFIG}
 * is {@code sasl.jaas.config}. Keys this class does not define are Kafka client settings
 * ({@code security.protocol}, {@code sasl.*}, {@code ssl.*}, ...) and go to every Kafka client as they are.
 * Secrets belong in the environment, never in files; {@link #redacted()} is what may be logged.
 */
public final class ContactAuditConfig {

    public static final String ENV_PREFIX = "CONTACT_AUDIT_";

    public static final String BOOTSTRAP_SERVERS_CONFIG = "bootstrap.servers";
    public static final String BOOTSTRAP_SERVERS_DOC = "Kafka brokers, host:port[,host:port...]. Required by every command that talks to Kafka.";

    public static final String TOPIC_PREFIX_CONFIG = "topic.prefix";
    public static final String TOPIC_PREFIX_DOC = "Prefix of every topic: <prefix>.snapshots.v1, <prefix>.findings.v1, ...";

    public static final String APPLICATION_ID_CONFIG = "application.id";
    public static final String APPLICATION_ID_DOC = "Kafka Streams application.id of the evaluator (consumer group, internal topic prefix). Default: <topic.prefix>-evaluate-v1. Change it only to start over.";

    public static final String PROFILE_CONFIG = "profile";
    public static final String PROFILE_DOC = "Rule profile: default (High, Medium or Low minimal severity passes) or strict (High only).";

    public static final String COLLECTION_INTERVAL_CONFIG = "collection.interval";
    public static final String COLLECTION_INTERVAL_DOC = "How often the collector runs (ISO-8601 duration, e.g. PT15M).";

    public static final String STALE_AFTER_CONFIG = "stale.after";
    public static final String STALE_AFTER_DOC = "A subscription with no snapshot for this long is flagged STALE. Default: 3 x collection.interval.";

    public static final String STALE_CHECK_INTERVAL_CONFIG = "stale.check.interval";
    public static final String STALE_CHECK_INTERVAL_DOC = "How often the evaluator checks for stale subscriptions (wall clock).";

    public static final String STATE_DIR_CONFIG = "state.dir";
    public static final String STATE_DIR_DOC = "Directory of the evaluator's local state (rebuilt from the changelog when lost).";

    public static final String NUM_STREAM_THREADS_CONFIG = "num.stream.threads";
    public static final String NUM_STREAM_THREADS_DOC = "Stream threads of the evaluator; at most the number of snapshot partitions is useful.";

    public static final String TOPICS_CREATE_CONFIG = "topics.create";
    public static final String TOPICS_CREATE_DOC = "Create missing topics at start (true) or fail with the list of missing topics (false, for locked-down clusters).";

    public static final String TOPICS_PARTITIONS_CONFIG = "topics.partitions";
    public static final String TOPICS_PARTITIONS_DOC = "Partitions of topics created at start; the evaluator's parallelism is bounded by the snapshot topic's.";

    public static final String TOPICS_REPLICATION_FACTOR_CONFIG = "topics.replication.factor";
    public static final String TOPICS_REPLICATION_FACTOR_DOC = "Replication factor of topics created at start; -1 takes the broker's default.";

    public static final String KAFKA_TIMEOUT_CONFIG = "kafka.timeout";
    public static final String KAFKA_TIMEOUT_DOC = "How long to wait for the brokers at start before failing (ISO-8601 duration).";

    public static final String AZURE_CREDENTIAL_CONFIG = "azure.credential";
    public static final String AZURE_CREDENTIAL_DOC = "Azure credential: default (DefaultAzureCredential), client-secret, client-certificate, managed-identity or azure-cli; secrets from AZURE_* environment variables.";

    public static final String AZURE_ENDPOINT_CONFIG = "azure.endpoint";
    public static final String AZURE_ENDPOINT_DOC = "Resource Manager endpoint (sovereign clouds: e.g. https://management.usgovcloudapi.net/).";

    public static final String AZURE_SCOPE_CONFIG = "azure.scope";
    public static final String AZURE_SCOPE_DOC = "OAuth scope of the Resource Manager token. Default: <azure.endpoint>/.default.";

    public static final String API_VERSION_CONFIG = "collector.api.version";
    public static final String API_VERSION_DOC = "securityContacts api-version requested; the rule reads all three generations whatever is requested.";

    public static final String CONCURRENCY_CONFIG = "collector.concurrency";
    public static final String CONCURRENCY_DOC = "Subscriptions read at the same time.";

    public static final String REQUEST_TIMEOUT_CONFIG = "collector.request.timeout";
    public static final String REQUEST_TIMEOUT_DOC = "Timeout of one request to Resource Manager (ISO-8601 duration).";

    public static final String MAX_RETRIES_CONFIG = "collector.max.retries";
    public static final String MAX_RETRIES_DOC = "Retries of a throttled (429), unavailable (5xx) or failed request.";

    public static final String MAX_RETRY_DELAY_CONFIG = "collector.max.retry.delay";
    public static final String MAX_RETRY_DELAY_DOC = "Longest wait before one retry, whatever Retry-After asks (ISO-8601 duration).";

    public static final String SUBSCRIPTIONS_CONFIG = "collector.subscriptions";
    public static final String SUBSCRIPTIONS_DOC = "Comma-separated subscription ids to collect; empty: every subscription the identity can see (and only then are vanished subscriptions closed).";

    public static final String INCLUDE_CONFIG = "collector.include";
    public static final String INCLUDE_DOC = "Regular expression: only subscriptions whose id or display name matches.";

    public static final String EXCLUDE_CONFIG = "collector.exclude";
    public static final String EXCLUDE_DOC = "Regular expression: not the subscriptions whose id or display name matches.";

    public static final String REDACT_RECIPIENTS_CONFIG = "ocsf.redact.recipients";
    public static final String REDACT_RECIPIENTS_DOC = "E-mail recipients on the OCSF findings topic: none (as collected), hash (SHA-256 of the lower-case address) or drop.";

    public static final String HTTP_PORT_CONFIG = "http.port";
    public static final String HTTP_PORT_DOC = "Port of /health/live, /health/ready and /metrics (Prometheus); unset: no HTTP server. Not used by check.";

    public static final String HTTP_HOST_CONFIG = "http.host";
    public static final String HTTP_HOST_DOC = "Address the HTTP server binds to (0.0.0.0 in containers, for probes and scraping).";

    public static final String REGISTRY_URL_CONFIG = "schema.registry.url";
    public static final String REGISTRY_URL_DOC = "Schema Registry base URL: set, every Avro topic uses the Confluent wire format (0x00 + schema id); unset, Avro single-object encoding.";

    public static final String REGISTRY_SERDE_CONFIG = "schema.registry.serde";
    public static final String REGISTRY_SERDE_DOC = "apicurio (built in; Apicurio or any Confluent-compatible registry) or confluent (Confluent's KafkaAvroSerializer, which must be on the classpath).";

    public static final String REGISTRY_AUTO_REGISTER_CONFIG = "schema.registry.auto.register";
    public static final String REGISTRY_AUTO_REGISTER_DOC = "Let serializers register schemas; off in production, where `contact-audit schemas register` checks compatibility and registers them.";

    /** Every key this class defines, with its default (null: none) and doc. */
    public static final Map<String, String[]> DEFINITIONS = definitions();

    private static final Pattern SECRET = Pattern.compile("(?i).*(password|secret|jaas|token|key|connection).*");

    private final Map<String, String> values;

    private ContactAuditConfig(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(new TreeMap<>(values));
    }

    private static Map<String, String[]> definitions() {
        Map<String, String[]> d = new LinkedHashMap<>();
        d.put(BOOTSTRAP_SERVERS_CONFIG, new String[] {null, BOOTSTRAP_SERVERS_DOC});
        d.put(TOPIC_PREFIX_CONFIG, new String[] {"contact-audit", TOPIC_PREFIX_DOC});
        d.put(APPLICATION_ID_CONFIG, new String[] {null, APPLICATION_ID_DOC});
        d.put(PROFILE_CONFIG, new String[] {Profile.DEFAULT.id(), PROFILE_DOC});
        d.put(COLLECTION_INTERVAL_CONFIG, new String[] {"PT15M", COLLECTION_INTERVAL_DOC});
        d.put(STALE_AFTER_CONFIG, new String[] {null, STALE_AFTER_DOC});
        d.put(STALE_CHECK_INTERVAL_CONFIG, new String[] {"PT1M", STALE_CHECK_INTERVAL_DOC});
        d.put(STATE_DIR_CONFIG, new String[] {"data/streams", STATE_DIR_DOC});
        d.put(NUM_STREAM_THREADS_CONFIG, new String[] {"1", NUM_STREAM_THREADS_DOC});
        d.put(TOPICS_CREATE_CONFIG, new String[] {"true", TOPICS_CREATE_DOC});
        d.put(TOPICS_PARTITIONS_CONFIG, new String[] {"6", TOPICS_PARTITIONS_DOC});
        d.put(TOPICS_REPLICATION_FACTOR_CONFIG, new String[] {"-1", TOPICS_REPLICATION_FACTOR_DOC});
        d.put(KAFKA_TIMEOUT_CONFIG, new String[] {"PT30S", KAFKA_TIMEOUT_DOC});
        d.put(AZURE_CREDENTIAL_CONFIG, new String[] {"default", AZURE_CREDENTIAL_DOC});
        d.put(AZURE_ENDPOINT_CONFIG, new String[] {"https://management.azure.com/", AZURE_ENDPOINT_DOC});
        d.put(AZURE_SCOPE_CONFIG, new String[] {null, AZURE_SCOPE_DOC});
        d.put(API_VERSION_CONFIG, new String[] {"2023-12-01-preview", API_VERSION_DOC});
        d.put(CONCURRENCY_CONFIG, new String[] {"16", CONCURRENCY_DOC});
        d.put(REQUEST_TIMEOUT_CONFIG, new String[] {"PT30S", REQUEST_TIMEOUT_DOC});
        d.put(MAX_RETRIES_CONFIG, new String[] {"4", MAX_RETRIES_DOC});
        d.put(MAX_RETRY_DELAY_CONFIG, new String[] {"PT60S", MAX_RETRY_DELAY_DOC});
        d.put(SUBSCRIPTIONS_CONFIG, new String[] {null, SUBSCRIPTIONS_DOC});
        d.put(INCLUDE_CONFIG, new String[] {null, INCLUDE_DOC});
        d.put(EXCLUDE_CONFIG, new String[] {null, EXCLUDE_DOC});
        d.put(REDACT_RECIPIENTS_CONFIG, new String[] {"none", REDACT_RECIPIENTS_DOC});
        d.put(HTTP_PORT_CONFIG, new String[] {null, HTTP_PORT_DOC});
        d.put(REGISTRY_URL_CONFIG, new String[] {null, REGISTRY_URL_DOC});
        d.put(REGISTRY_SERDE_CONFIG, new String[] {"apicurio", REGISTRY_SERDE_DOC});
        d.put(REGISTRY_AUTO_REGISTER_CONFIG, new String[] {"false", REGISTRY_AUTO_REGISTER_DOC});
        d.put(HTTP_HOST_CONFIG, new String[] {"127.0.0.1", HTTP_HOST_DOC});
        return Collections.unmodifiableMap(d);
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
        DEFINITIONS.forEach((key, def) -> {
            if (def[0] != null) {
                values.put(key, def[0]);
            }
        });
        if (file != null) {
            values.putAll(readFile(file));
        }
        env.forEach((name, value) -> {
            if (name.startsWith(ENV_PREFIX) && name.length() > ENV_PREFIX.length()) {
                values.put(name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.'), value);
            }
        });
        flags.forEach((key, value) -> {
            if (value != null) {
                values.put(key, value);
            }
        });
        ContactAuditConfig config = new ContactAuditConfig(values);
        config.validate();
        return config;
    }

    /** Defaults plus the given values, for tests and embedded use. */
    public static ContactAuditConfig of(Map<String, String> values) {
        return load(null, Map.of(), values);
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
        props.stringPropertyNames().forEach(k -> values.put(k.trim(), props.getProperty(k).trim()));
        return values;
    }

    private void validate() {
        profile();
        collectionInterval();
        staleAfter();
        staleCheckInterval();
        kafkaTimeout();
        positiveInt(NUM_STREAM_THREADS_CONFIG);
        positiveInt(TOPICS_PARTITIONS_CONFIG);
        integer(TOPICS_REPLICATION_FACTOR_CONFIG);
        bool(TOPICS_CREATE_CONFIG);
        positiveInt(CONCURRENCY_CONFIG);
        requestTimeout();
        maxRetryDelay();
        if (integer(MAX_RETRIES_CONFIG) < 0) {
            throw new ConfigException(MAX_RETRIES_CONFIG + " must not be negative");
        }
        include();
        exclude();
        azureEndpoint();
        redaction();
        httpPort();
        bool(REGISTRY_AUTO_REGISTER_CONFIG);
        registrySerde();
        if (get(TOPIC_PREFIX_CONFIG).isBlank()) {
            throw new ConfigException(TOPIC_PREFIX_CONFIG + " must not be empty");
        }
    }

    /** The raw value of a key, or null. */
    public String get(String key) {
        return values.get(key);
    }

    /** {@code bootstrap.servers}; a clear error when unset. */
    public String bootstrapServers() {
        String servers = values.get(BOOTSTRAP_SERVERS_CONFIG);
        if (servers == null || servers.isBlank()) {
            throw new ConfigException("no Kafka brokers configured: give --bootstrap-servers HOST:PORT, "
                    + ENV_PREFIX + "BOOTSTRAP_SERVERS, or bootstrap.servers in the --config file");
        }
        return servers;
    }

    public String topicPrefix() {
        return get(TOPIC_PREFIX_CONFIG);
    }

    public String applicationId() {
        String id = get(APPLICATION_ID_CONFIG);
        return id == null || id.isBlank() ? topicPrefix() + "-evaluate-v1" : id;
    }

    public Profile profile() {
        try {
            return Profile.parse(get(PROFILE_CONFIG));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(PROFILE_CONFIG + ": " + e.getMessage());
        }
    }

    public Duration collectionInterval() {
        return positiveDuration(COLLECTION_INTERVAL_CONFIG);
    }

    public Duration staleAfter() {
        return get(STALE_AFTER_CONFIG) == null ? collectionInterval().multipliedBy(3) : positiveDuration(STALE_AFTER_CONFIG);
    }

    public Duration staleCheckInterval() {
        return positiveDuration(STALE_CHECK_INTERVAL_CONFIG);
    }

    public Duration kafkaTimeout() {
        return positiveDuration(KAFKA_TIMEOUT_CONFIG);
    }

    public Path stateDir() {
        return Path.of(get(STATE_DIR_CONFIG));
    }

    public int numStreamThreads() {
        return positiveInt(NUM_STREAM_THREADS_CONFIG);
    }

    public boolean createTopics() {
        return bool(TOPICS_CREATE_CONFIG);
    }

    public int topicPartitions() {
        return positiveInt(TOPICS_PARTITIONS_CONFIG);
    }

    public short topicReplicationFactor() {
        return (short) integer(TOPICS_REPLICATION_FACTOR_CONFIG);
    }

    public io.contactaudit.siem.OcsfComplianceFinding.Redaction redaction() {
        try {
            return io.contactaudit.siem.OcsfComplianceFinding.Redaction.parse(get(REDACT_RECIPIENTS_CONFIG));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(REDACT_RECIPIENTS_CONFIG + ": " + e.getMessage());
        }
    }

    /** The HTTP port, or -1 when the HTTP server is off. */
    public int httpPort() {
        String text = get(HTTP_PORT_CONFIG);
        if (text == null || text.isBlank()) {
            return -1;
        }
        int port = integer(HTTP_PORT_CONFIG);
        if (port < 0 || port > 65535) {
            throw new ConfigException(HTTP_PORT_CONFIG + " must be a port number (0 for any free port), got " + port);
        }
        return port;
    }

    public String httpHost() {
        return get(HTTP_HOST_CONFIG);
    }

    public String azureCredential() {
        return get(AZURE_CREDENTIAL_CONFIG);
    }

    public java.net.URI azureEndpoint() {
        String text = get(AZURE_ENDPOINT_CONFIG);
        try {
            java.net.URI uri = java.net.URI.create(text.endsWith("/") ? text : text + "/");
            if (!"https".equalsIgnoreCase(uri.getScheme())) {
                throw new ConfigException(AZURE_ENDPOINT_CONFIG + " must be an https URL, got '" + text + "'");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new ConfigException(AZURE_ENDPOINT_CONFIG + " is not a URL: '" + text + "'");
        }
    }

    public String azureScope() {
        String scope = get(AZURE_SCOPE_CONFIG);
        if (scope != null && !scope.isBlank()) {
            return scope;
        }
        String endpoint = azureEndpoint().toString();
        return endpoint.substring(0, endpoint.length() - 1) + "/.default";
    }

    public String apiVersion() {
        return get(API_VERSION_CONFIG);
    }

    public int concurrency() {
        return positiveInt(CONCURRENCY_CONFIG);
    }

    public Duration requestTimeout() {
        return positiveDuration(REQUEST_TIMEOUT_CONFIG);
    }

    public int maxRetries() {
        return integer(MAX_RETRIES_CONFIG);
    }

    public Duration maxRetryDelay() {
        return positiveDuration(MAX_RETRY_DELAY_CONFIG);
    }

    /** Explicit subscription ids, lower case; empty for all. */
    public List<String> subscriptions() {
        String list = get(SUBSCRIPTIONS_CONFIG);
        if (list == null || list.isBlank()) {
            return List.of();
        }
        return java.util.Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(s -> s.toLowerCase(Locale.ROOT)).distinct().toList();
    }

    public Pattern include() {
        return regex(INCLUDE_CONFIG);
    }

    public Pattern exclude() {
        return regex(EXCLUDE_CONFIG);
    }

    private Pattern regex(String key) {
        String text = get(key);
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Pattern.compile(text);
        } catch (java.util.regex.PatternSyntaxException e) {
            throw new ConfigException(key + " is not a valid regular expression: " + e.getDescription());
        }
    }

    /** Settings for every Kafka client: the brokers plus every key this class does not define (registry settings excepted). */
    public Map<String, Object> kafkaClientProperties() {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put(BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        values.forEach((key, value) -> {
            if (!DEFINITIONS.containsKey(key) && !isRegistryKey(key)) {
                props.put(key, value);
            }
        });
        return props;
    }

    /** The schema registry's base URL, or null: Avro single-object encoding. */
    public String registryUrl() {
        String url = get(REGISTRY_URL_CONFIG);
        return url == null || url.isBlank() ? null : url.trim();
    }

    /** Which serde writes the registry's wire format: apicurio or confluent. */
    public String registrySerde() {
        String serde = get(REGISTRY_SERDE_CONFIG).trim().toLowerCase(Locale.ROOT);
        if (!List.of("apicurio", "confluent").contains(serde)) {
            throw new ConfigException(REGISTRY_SERDE_CONFIG + " must be apicurio or confluent, got '" + get(REGISTRY_SERDE_CONFIG) + "'");
        }
        return serde;
    }

    public boolean registryAutoRegister() {
        return bool(REGISTRY_AUTO_REGISTER_CONFIG);
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

    private static boolean isRegistryKey(String key) {
        return key.startsWith("apicurio.") || key.startsWith("basic.auth.");
    }

    /** Every value, with secrets masked: what may be logged or printed. */
    public Map<String, String> redacted() {
        Map<String, String> shown = new TreeMap<>();
        values.forEach((key, value) -> shown.put(key, isSecret(key) ? "[redacted]" : value));
        return shown;
    }

    /** Whether a key names a secret (password, secret, JAAS config, token, key, connection string). */
    public static boolean isSecret(String key) {
        return !DEFINITIONS.containsKey(key) && SECRET.matcher(key).matches();
    }

    private Duration positiveDuration(String key) {
        String text = get(key);
        try {
            Duration d = Duration.parse(text.trim().toUpperCase(Locale.ROOT));
            if (d.isNegative() || d.isZero()) {
                throw new ConfigException(key + " must be positive, got " + text);
            }
            return d;
        } catch (DateTimeParseException e) {
            throw new ConfigException(key + " must be an ISO-8601 duration such as PT15M or PT1H, got '" + text + "'");
        }
    }

    private int integer(String key) {
        try {
            return Integer.parseInt(get(key).trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(key + " must be an integer, got '" + get(key) + "'");
        }
    }

    private int positiveInt(String key) {
        int n = integer(key);
        if (n < 1) {
            throw new ConfigException(key + " must be at least 1, got " + n);
        }
        return n;
    }

    private boolean bool(String key) {
        String text = get(key).trim();
        if (List.of("true", "false").contains(text.toLowerCase(Locale.ROOT))) {
            return Boolean.parseBoolean(text);
        }
        throw new ConfigException(key + " must be true or false, got '" + text + "'");
    }
}

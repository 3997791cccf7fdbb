package io.contactaudit.kafka;

import io.contactaudit.schema.ComplianceException;
import io.contactaudit.schema.ComplianceFinding;
import io.contactaudit.schema.DeadLetter;
import io.contactaudit.schema.DriftEvent;
import io.contactaudit.schema.PostureState;
import io.contactaudit.schema.SecurityContactSnapshot;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The project's topics, {@code <prefix>.<dataset>.v<N>}, each with its serdes; keys are subscription ids
 * in lower case, but for the dead letters (the original key) and the exceptions (scope and exception id).
 */
public record Topics(
        TopicSpec<String, SecurityContactSnapshot> snapshots,
        TopicSpec<String, ComplianceFinding> findings,
        TopicSpec<String, byte[]> findingsOcsf,
        TopicSpec<String, DriftEvent> drift,
        TopicSpec<String, PostureState> posture,
        TopicSpec<byte[], DeadLetter> dlq,
        TopicSpec<String, byte[]> remediations,
        TopicSpec<String, ComplianceException> exceptions) {

    /** The default prefix. */
    public static final String DEFAULT_PREFIX = "contact-audit";

    /** History topics are kept this long by default: audits look back over a year. */
    public static final Duration HISTORY_RETENTION = Duration.ofDays(400);

    /**
     * The codec the broker stores the topics SIEMs read in (findings, findings-ocsf, drift): gzip, the one codec
     * every Kafka client decodes (docs/benchmarks.md, "Codecs", for what it costs).
     */
    public static final String SIEM_COMPRESSION = "gzip";

    /** The topics under {@code prefix}, with Avro single-object serdes. */
    public static Topics create(String prefix) {
        return create(prefix, AvroSerdes.singleObject());
    }

    /** The topics under {@code prefix}, with the given Avro encoding; the topics SIEMs read stored in gzip. */
    public static Topics create(String prefix, AvroSerdes avro) {
        return create(prefix, avro, SIEM_COMPRESSION);
    }

    /**
     * The topics under {@code prefix}, with the given Avro encoding.
     *
     * @param siemCompression topic-level {@code compression.type} of findings, findings-ocsf and drift ({@code producer}: as sent)
     */
    public static Topics create(String prefix, AvroSerdes avro, String siemCompression) {
        Serde<String> key = Serdes.String();
        String history = String.valueOf(HISTORY_RETENTION.toMillis());
        Map<String, String> historyConfig = Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG,
                TopicConfig.CLEANUP_POLICY_DELETE,
                TopicConfig.RETENTION_MS_CONFIG,
                history);
        Map<String, String> siemConfig = Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                TopicConfig.RETENTION_MS_CONFIG, history,
                TopicConfig.COMPRESSION_TYPE_CONFIG, siemCompression);
        return new Topics(
                new TopicSpec<>(
                        prefix + ".snapshots.v1",
                        key,
                        avro.serde(SecurityContactSnapshot.class),
                        historyConfig,
                        "history of what was collected; replayed for audits and re-evaluation"),
                new TopicSpec<>(
                        prefix + ".findings.v1",
                        key,
                        avro.serde(ComplianceFinding.class),
                        siemConfig,
                        "every evaluation; replayed for point-in-time posture"),
                new TopicSpec<>(
                        prefix + ".findings-ocsf.v1",
                        key,
                        Serdes.ByteArray(),
                        siemConfig,
                        "every evaluation as an OCSF Compliance Finding (JSON, UTF-8) for SIEMs; key: finding_info.uid"),
                new TopicSpec<>(
                        prefix + ".drift.v1",
                        key,
                        avro.serde(DriftEvent.class),
                        siemConfig,
                        "every change; the audit trail of the control"),
                new TopicSpec<>(
                        prefix + ".posture.v1",
                        key,
                        avro.serde(PostureState.class),
                        Map.of(
                                TopicConfig.CLEANUP_POLICY_CONFIG,
                                TopicConfig.CLEANUP_POLICY_COMPACT,
                                TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG,
                                String.valueOf(Duration.ofHours(1).toMillis())),
                        "latest state per subscription, a table; compacted"),
                new TopicSpec<>(
                        prefix + ".dlq.v1",
                        Serdes.ByteArray(),
                        avro.serde(DeadLetter.class),
                        Map.of(
                                TopicConfig.CLEANUP_POLICY_CONFIG,
                                TopicConfig.CLEANUP_POLICY_DELETE,
                                TopicConfig.RETENTION_MS_CONFIG,
                                String.valueOf(Duration.ofDays(30).toMillis())),
                        "inputs that could not be processed, for triage"),
                new TopicSpec<>(
                        prefix + ".remediations.v1",
                        key,
                        Serdes.ByteArray(),
                        historyConfig,
                        "every remediation attempt (JSON, UTF-8): who, when, before, after, the write and its result"),
                new TopicSpec<>(
                        prefix + ".exceptions.v1",
                        key,
                        avro.serde(ComplianceException.class),
                        Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT),
                        "approved exceptions, one key per exception, revocations written over them; compacted, nothing deleted"));
    }

    /** Every topic, inputs first. */
    public List<TopicSpec<?, ?>> all() {
        return List.of(snapshots, findings, findingsOcsf, drift, posture, dlq, remediations, exceptions);
    }
}

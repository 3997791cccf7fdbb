package io.contactaudit.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.contactaudit.TenantLabel;
import io.contactaudit.kafka.TopicSpec;
import io.contactaudit.kafka.Topics;
import io.contactaudit.rule.HighSeverityAlertEmailRule;
import io.contactaudit.rule.Profile;
import io.contactaudit.rule.RuleResult;
import io.contactaudit.schema.ComplianceFinding;
import io.contactaudit.schema.DriftEvent;
import io.contactaudit.schema.DriftKind;
import io.contactaudit.schema.FindingActivity;
import io.contactaudit.schema.SecurityContactSnapshot;
import io.contactaudit.schema.Verdict;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.LongConsumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;

/** The questions auditors ask of the history: what happened in a range, what the posture was at an instant, what today's rule says of the past. */
public final class Replays {

    /**
     * Filters of a range read.
     *
     * @param subscriptions only these subscriptions (lower case); empty: all
     * @param verdict       only findings of this verdict (null: any)
     * @param kind          only drift of this kind (null: any)
     */
    public record Filter(Set<String> subscriptions, Verdict verdict, DriftKind kind, Set<String> tenants) {

        public Filter {
            tenants = tenants == null
                    ? Set.of()
                    : tenants.stream()
                            .map(t -> t.trim().toLowerCase(Locale.ROOT))
                            .collect(Collectors.toUnmodifiableSet());
        }

        /** Any tenant. */
        public Filter(Set<String> subscriptions, Verdict verdict, DriftKind kind) {
            this(subscriptions, verdict, kind, Set.of());
        }

        /** Whether a record keyed {@code id} (a subscription id) is wanted. */
        boolean subscription(String id) {
            return subscriptions.isEmpty() || id != null && subscriptions.contains(id.toLowerCase(Locale.ROOT));
        }

        /** Whether a record of this tenant (named by its id or its display name, any case) is wanted. */
        public boolean tenant(String id, String name) {
            return tenants.isEmpty()
                    || id != null && tenants.contains(id.toLowerCase(Locale.ROOT))
                    || name != null && tenants.contains(name.toLowerCase(Locale.ROOT));
        }
    }

    /** One subscription's posture at an instant. */
    public record PostureRow(
            String subscriptionId,
            String tenantId,
            String tenantName,
            Verdict verdict,
            Instant since,
            Instant lastSeen,
            boolean stale,
            String reasons,
            String ruleVersion,
            String profile,
            String suppressedBy) {
        /** Whether the verdict (a FAIL) was suppressed under an approved exception at that instant. */
        public boolean suppressed() {
            return suppressedBy != null;
        }
    }

    /**
     * The totals of each tenant of {@code rows}, a line each (each line starting with a line separator), when the rows
     * name any tenant; else the empty string.
     */
    public static String tenantTotals(List<PostureRow> rows) {
        Map<String, long[]> tenants = new TreeMap<>(); // by id: PASS, FAIL, ERROR, STALE, suppressed
        Map<String, String> names = new HashMap<>();
        for (PostureRow row : rows) {
            if (row.tenantId() == null) {
                continue;
            }
            String id = row.tenantId().toLowerCase(Locale.ROOT);
            if (row.tenantName() != null) {
                names.put(id, row.tenantName()); // a row of an unnamed read counts with the named ones
            }
            long[] n = tenants.computeIfAbsent(id, k -> new long[5]);
            n[row.verdict().ordinal()]++;
            n[3] += row.stale() ? 1 : 0;
            n[4] += row.suppressed() ? 1 : 0;
        }
        StringBuilder text = new StringBuilder();
        tenants.forEach((id, n) -> text.append(System.lineSeparator())
                .append(String.format(
                        Locale.ROOT,
                        "  tenant %s: %d subscriptions: %d PASS, %d FAIL, %d ERROR, %d STALE, %d suppressed",
                        TenantLabel.of(id, names.get(id)),
                        n[0] + n[1] + n[2],
                        n[Verdict.PASS.ordinal()],
                        n[Verdict.FAIL.ordinal()],
                        n[Verdict.ERROR.ordinal()],
                        n[3],
                        n[4])));
        return text.toString();
    }

    /** A snapshot whose verdict under today's rule differs from the one recorded. */
    public record Reevaluation(
            String subscriptionId,
            Instant collectedAt,
            Verdict recorded,
            String recordedRule,
            Verdict today,
            String todayRule,
            String reasons) {}

    /**
     * A finding as an OCSF event.
     *
     * @param event the event, one line of JSON
     * @param live  true when it is the event the OCSF topic carried; false when it was mapped again from the finding
     */
    public record OcsfFinding(ComplianceFinding finding, String event, boolean live) {}

    /** An event of the OCSF topic: its metadata.uid (the finding's eventId) and its text as written. */
    record OcsfEvent(String uid, String json) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads an OCSF event; fails on anything that is not a JSON object with a metadata.uid. */
    static final Deserializer<OcsfEvent> OCSF_EVENTS = (topic, data) -> {
        try {
            JsonNode uid = JSON.readTree(data).path("metadata").path("uid");
            if (!uid.isTextual()) {
                throw new IllegalArgumentException("not an OCSF event: no metadata.uid");
            }
            return new OcsfEvent(uid.asText(), new String(data, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalArgumentException("not an OCSF event (not JSON)", e);
        }
    };

    private final HistoryReader reader;
    private final Topics topics;

    public Replays(HistoryReader reader, Topics topics) {
        this.reader = reader;
        this.topics = topics;
    }

    public Topics topics() {
        return topics;
    }

    /** Findings of [from, to), in merge order; close the stream. */
    public Stream<ComplianceFinding> findings(
            Instant from, Instant to, Filter filter, Skipped skipped, LongConsumer progress) {
        return findingRecords(from, to, filter, skipped, progress).map(ConsumerRecord::value);
    }

    private Stream<ConsumerRecord<String, ComplianceFinding>> findingRecords(
            Instant from, Instant to, Filter filter, Skipped skipped, LongConsumer progress) {
        return read(topics.findings(), from, to, filter, skipped, progress)
                .filter(r -> (filter.verdict() == null || r.value().getVerdict() == filter.verdict())
                        && filter.tenant(r.value().getTenantId(), r.value().getTenantName()));
    }

    /**
     * Findings of [from, to) as the OCSF events the live topic carried for them (matched by event id among the
     * events of the same timestamp), or, where the topic has none (retention, a finding written by another
     * tool), as {@code fallback} maps them. Close the stream.
     */
    public Stream<OcsfFinding> findingsOcsf(
            Instant from,
            Instant to,
            Filter filter,
            Function<ComplianceFinding, String> fallback,
            Skipped skipped,
            LongConsumer progress) {
        String ocsfTopic = topics.findingsOcsf().name();
        Instant kept = reader.oldestKept(ocsfTopic);
        Instant ocsfFrom = from.isBefore(kept) ? kept : from;
        Stream<ConsumerRecord<String, ComplianceFinding>> findings =
                findingRecords(from, to, filter, skipped, progress);
        if (to != null && !ocsfFrom.isBefore(to)) {
            return findings.map(r -> new OcsfFinding(r.value(), fallback.apply(r.value()), false));
        }
        HistoryReader.Cursor<OcsfEvent> events;
        try {
            events = reader.open(ocsfTopic, OCSF_EVENTS, ocsfFrom, to, key -> true, skipped, n -> {});
        } catch (RuntimeException e) {
            findings.close();
            throw e;
        }
        SameTimestamp<OcsfEvent> live = new SameTimestamp<>(events, OcsfEvent::uid);
        return findings.onClose(events::close).map(r -> {
            OcsfEvent event = live.take(r.timestamp(), r.value().getEventId());
            return event == null
                    ? new OcsfFinding(r.value(), fallback.apply(r.value()), false)
                    : new OcsfFinding(r.value(), event.json(), true);
        });
    }

    /** Drift events of [from, to), in merge order; close the stream. */
    public Stream<DriftEvent> drift(Instant from, Instant to, Filter filter, Skipped skipped, LongConsumer progress) {
        return read(topics.drift(), from, to, filter, skipped, progress)
                .map(ConsumerRecord::value)
                .filter(d -> (filter.kind() == null || d.getKind() == filter.kind())
                        && (filter.verdict() == null || d.getCurrentVerdict() == filter.verdict())
                        && filter.tenant(d.getTenantId(), d.getTenantName()));
    }

    /** Snapshots of [from, to), in merge order, without tombstones; close the stream. */
    public Stream<SecurityContactSnapshot> snapshots(
            Instant from, Instant to, Filter filter, Skipped skipped, LongConsumer progress) {
        return read(topics.snapshots(), from, to, filter, skipped, progress)
                .map(ConsumerRecord::value)
                .filter(s -> filter.tenant(s.getTenantId(), s.getTenantName()));
    }

    /** The records of a topic keyed by subscription, filtered by key before decoding, tombstones left out. */
    private <V> Stream<ConsumerRecord<String, V>> read(
            TopicSpec<String, V> topic,
            Instant from,
            Instant to,
            Filter filter,
            Skipped skipped,
            LongConsumer progress) {
        return reader
                .open(topic.name(), topic.value().deserializer(), from, to, filter::subscription, skipped, progress)
                .stream()
                .filter(r -> r.value() != null);
    }

    /**
     * Every subscription's verdict at {@code asOf}, reconstructed from the findings and drift history up to it
     * (not from the current posture table): the latest finding at or before that instant, unless it closed
     * the subscription; STALE when a STALE drift followed that finding. Holds one row per subscription,
     * whatever the length of the history.
     */
    public List<PostureRow> postureAsOf(Instant asOf, Filter filter, Skipped skipped, LongConsumer progress) {
        Instant since = reader.oldestKept(topics.findings().name());
        if (asOf.isBefore(since)) {
            throw new HistoryReader.OutsideRetentionException(topics.findings().name() + " keeps history from " + since
                    + " on; the posture as of " + asOf + " cannot be reconstructed");
        }
        Instant end = asOf.plusMillis(1);
        Map<String, PostureRow> latest = new TreeMap<>();
        try (Stream<ComplianceFinding> findings = findings(since, end, filter, skipped, progress)) {
            findings.forEach(f -> {
                if (f.getActivity() == FindingActivity.CLOSE) {
                    latest.remove(f.getSubscriptionId());
                } else {
                    latest.put(
                            f.getSubscriptionId(),
                            new PostureRow(
                                    f.getSubscriptionId(),
                                    f.getTenantId(),
                                    f.getTenantName(),
                                    f.getVerdict(),
                                    f.getLastStatusChangeAt() == null ? f.getCollectedAt() : f.getLastStatusChangeAt(),
                                    f.getCollectedAt(),
                                    false,
                                    String.join(
                                            " ",
                                            f.getReasons().stream()
                                                    .map(r -> r.getCode())
                                                    .toList()),
                                    f.getRuleVersion(),
                                    f.getProfile(),
                                    // an exception that had expired by then no longer suppressed it, even if the
                                    // finding that says so came later (the evaluator was down when it expired)
                                    f.getSuppressed()
                                                    && f.getException() != null
                                                    && f.getException()
                                                            .getExpiresAt()
                                                            .isAfter(asOf)
                                            ? f.getException().getExceptionId()
                                            : null));
                }
            });
        }
        Map<String, Instant> staleAt = new HashMap<>();
        Instant driftSince = reader.oldestKept(topics.drift().name());
        try (Stream<DriftEvent> drift =
                drift(driftSince.isAfter(since) ? driftSince : since, end, filter, skipped, progress)) {
            drift.forEach(d -> {
                if (d.getKind() == DriftKind.STALE) {
                    staleAt.put(d.getSubscriptionId(), d.getDetectedAt());
                } else if (d.getKind() == DriftKind.STALE_RESOLVED) {
                    staleAt.remove(d.getSubscriptionId());
                }
            });
        }
        List<PostureRow> rows = new ArrayList<>();
        for (PostureRow row : latest.values()) {
            Instant stale = staleAt.get(row.subscriptionId());
            rows.add(
                    stale == null || !stale.isAfter(row.lastSeen())
                            ? row
                            : new PostureRow(
                                    row.subscriptionId(),
                                    row.tenantId(),
                                    row.tenantName(),
                                    row.verdict(),
                                    row.since(),
                                    row.lastSeen(),
                                    true,
                                    row.reasons(),
                                    row.ruleVersion(),
                                    row.profile(),
                                    row.suppressedBy()));
        }
        return rows;
    }

    /**
     * Today's rule over the snapshots of [from, to), compared with the findings recorded for the same snapshots
     * (the finding of a snapshot carries its timestamp). Reads only; writes nothing. Close the stream.
     */
    public Stream<Reevaluation> reevaluate(
            Instant from, Instant to, Profile profile, Filter filter, Skipped skipped, LongConsumer progress) {
        return reevaluate(from, to, profile, Duration.ZERO, filter, skipped, progress);
    }

    /**
     * Today's rule over the snapshots of [from, to), compared with the verdict recorded for each: the finding of the
     * snapshot (it carries the snapshot's timestamp) or, where the evaluator emitted none because nothing had changed
     * ({@code findings.emit=changes}), the subscription's latest finding before it, which was in force. Findings are read
     * from {@code lookback} before {@code from} (at most the topic's retention), so that the finding in force at the
     * start of the range is known: with {@code changes}, the refresh interval plus a collection interval. Holds one
     * verdict per subscription. Reads only; writes nothing. Close the stream.
     */
    public Stream<Reevaluation> reevaluate(
            Instant from,
            Instant to,
            Profile profile,
            Duration lookback,
            Filter filter,
            Skipped skipped,
            LongConsumer progress) {
        Instant findingsFrom = from;
        if (!lookback.isZero()) {
            Instant kept = reader.oldestKept(topics.findings().name());
            findingsFrom = from.minus(lookback).isBefore(kept) ? kept : from.minus(lookback);
        }
        HistoryReader.Cursor<ComplianceFinding> findings = reader.open(
                topics.findings().name(),
                topics.findings().value().deserializer(),
                findingsFrom,
                to,
                filter::subscription,
                skipped,
                n -> {});
        Map<String, InForce> inForce = new HashMap<>();
        SameTimestamp<ComplianceFinding> recorded =
                new SameTimestamp<>(findings, f -> key(f.getSubscriptionId(), f.getRunId(), f.getCollectedAt()), f -> {
                    if (f.getActivity() == FindingActivity.CLOSE) {
                        inForce.remove(f.getSubscriptionId());
                    } else {
                        inForce.put(
                                f.getSubscriptionId(),
                                new InForce(f.getVerdict(), f.getRuleVersion() + "/" + f.getProfile()));
                    }
                });
        Stream<ConsumerRecord<String, SecurityContactSnapshot>> snapshots;
        try {
            snapshots = read(topics.snapshots(), from, to, filter, skipped, progress);
        } catch (RuntimeException e) {
            findings.close();
            throw e;
        }
        return snapshots.onClose(findings::close).<Reevaluation>mapMulti((r, rows) -> {
            SecurityContactSnapshot s = r.value();
            RuleResult today = HighSeverityAlertEmailRule.evaluate(s, profile);
            ComplianceFinding then =
                    recorded.take(r.timestamp(), key(s.getSubscriptionId(), s.getRunId(), s.getCollectedAt()));
            InForce held = then != null
                    ? new InForce(then.getVerdict(), then.getRuleVersion() + "/" + then.getProfile())
                    : inForce.get(s.getSubscriptionId().toLowerCase(Locale.ROOT));
            if (held == null || held.verdict() != today.verdict()) {
                rows.accept(new Reevaluation(
                        s.getSubscriptionId(),
                        s.getCollectedAt(),
                        held == null ? null : held.verdict(),
                        held == null
                                ? "(no finding recorded)"
                                : then != null
                                        ? held.rule()
                                        : held.rule() + " (in force: unchanged, no finding of its own)",
                        today.verdict(),
                        today.ruleVersion() + "/" + profile.id(),
                        String.join(" ", today.reasonCodes())));
            }
        });
    }

    /** The verdict a finding recorded, and under which rule version and profile. */
    private record InForce(Verdict verdict, String rule) {}

    private static String key(String sub, String runId, Instant collectedAt) {
        return sub.toLowerCase(Locale.ROOT) + "|" + runId + "|" + collectedAt.toEpochMilli();
    }
}

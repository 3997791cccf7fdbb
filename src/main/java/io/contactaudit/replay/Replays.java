package io.contactaudit.replay;

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
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** The questions auditors ask of the history: what happened in a range, what the posture was at an instant, what today's rule says of the past. */
public final class Replays {

    /**
     * Filters of a range read.
     *
     * @param subscriptions only these subscriptions (lower case); empty: all
     * @param verdict       only findings of this verdict (null: any)
     * @param kind          only drift of this kind (null: any)
     */
    public record Filter(Set<String> subscriptions, Verdict verdict, DriftKind kind) {
        boolean subscription(String id) {
            return subscriptions.isEmpty() || subscriptions.contains(id.toLowerCase(Locale.ROOT));
        }
    }

    /** One subscription's posture at an instant. */
    public record PostureRow(String subscriptionId, String tenantId, Verdict verdict, Instant since, Instant lastSeen,
                             boolean stale, String reasons, String ruleVersion, String profile) {
    }

    /** A snapshot whose verdict under today's rule differs from the one recorded. */
    public record Reevaluation(String subscriptionId, Instant collectedAt, Verdict recorded, String recordedRule,
                               Verdict today, String todayRule, String reasons) {
    }

    private final HistoryReader reader;
    private final Topics topics;

    public Replays(HistoryReader reader, Topics topics) {
        this.reader = reader;
        this.topics = topics;
    }

    public List<ComplianceFinding> findings(Instant from, Instant to, Filter filter, LongConsumer progress) {
        return reader.read(topics.findings().name(), topics.findings().value().deserializer(), from, to, progress).stream()
                .map(ConsumerRecord::value)
                .filter(f -> f != null && filter.subscription(f.getSubscriptionId())
                        && (filter.verdict() == null || f.getVerdict() == filter.verdict()))
                .toList();
    }

    public List<DriftEvent> drift(Instant from, Instant to, Filter filter, LongConsumer progress) {
        return reader.read(topics.drift().name(), topics.drift().value().deserializer(), from, to, progress).stream()
                .map(ConsumerRecord::value)
                .filter(d -> d != null && filter.subscription(d.getSubscriptionId())
                        && (filter.kind() == null || d.getKind() == filter.kind())
                        && (filter.verdict() == null || d.getCurrentVerdict() == filter.verdict()))
                .toList();
    }

    public List<SecurityContactSnapshot> snapshots(Instant from, Instant to, Filter filter, LongConsumer progress) {
        return reader.read(topics.snapshots().name(), topics.snapshots().value().deserializer(), from, to, progress).stream()
                .map(ConsumerRecord::value)
                .filter(s -> s != null && filter.subscription(s.getSubscriptionId()))
                .toList();
    }

    /**
     * Every subscription's verdict at {@code asOf}, reconstructed from the findings and drift history up to it
     * (not from the current posture table): the latest finding at or before that instant, unless it closed
     * the subscription; STALE when a STALE drift followed that finding.
     */
    public List<PostureRow> postureAsOf(Instant asOf, Filter filter, LongConsumer progress) {
        Instant since = reader.oldestKept(topics.findings().name());
        if (asOf.isBefore(since)) {
            throw new HistoryReader.OutsideRetentionException(topics.findings().name() + " keeps history from " + since
                    + " on; the posture as of " + asOf + " cannot be reconstructed");
        }
        Instant end = asOf.plusMillis(1);
        Map<String, ComplianceFinding> latest = new TreeMap<>();
        for (ComplianceFinding f : findings(since, end, filter, progress)) {
            latest.put(f.getSubscriptionId(), f);
        }
        Map<String, Instant> staleAt = new HashMap<>();
        Instant driftSince = reader.oldestKept(topics.drift().name());
        for (DriftEvent d : drift(driftSince.isAfter(since) ? driftSince : since, end, filter, progress)) {
            if (d.getKind() == DriftKind.STALE) {
                staleAt.put(d.getSubscriptionId(), d.getDetectedAt());
            } else if (d.getKind() == DriftKind.STALE_RESOLVED) {
                staleAt.remove(d.getSubscriptionId());
            }
        }
        List<PostureRow> rows = new ArrayList<>();
        for (ComplianceFinding f : latest.values()) {
            if (f.getActivity() == FindingActivity.CLOSE) {
                continue;
            }
            Instant stale = staleAt.get(f.getSubscriptionId());
            rows.add(new PostureRow(f.getSubscriptionId(), f.getTenantId(), f.getVerdict(),
                    f.getLastStatusChangeAt() == null ? f.getCollectedAt() : f.getLastStatusChangeAt(), f.getCollectedAt(),
                    stale != null && stale.isAfter(f.getCollectedAt()),
                    String.join(" ", f.getReasons().stream().map(r -> r.getCode()).toList()), f.getRuleVersion(), f.getProfile()));
        }
        return rows;
    }

    /**
     * Today's rule over the snapshots of [from, to), compared with the findings recorded for the same snapshots.
     * Reads only; writes nothing.
     */
    public List<Reevaluation> reevaluate(Instant from, Instant to, Profile profile, Filter filter, LongConsumer progress) {
        Map<String, ComplianceFinding> recorded = new HashMap<>();
        for (ComplianceFinding f : findings(from, to, filter, progress)) {
            recorded.put(key(f.getSubscriptionId(), f.getRunId(), f.getCollectedAt()), f);
        }
        List<Reevaluation> rows = new ArrayList<>();
        for (SecurityContactSnapshot s : snapshots(from, to, filter, progress)) {
            RuleResult today = HighSeverityAlertEmailRule.evaluate(s, profile);
            ComplianceFinding then = recorded.get(key(s.getSubscriptionId(), s.getRunId(), s.getCollectedAt()));
            if (then == null || then.getVerdict() != today.verdict()) {
                rows.add(new Reevaluation(s.getSubscriptionId(), s.getCollectedAt(), then == null ? null : then.getVerdict(),
                        then == null ? "(no finding recorded)" : then.getRuleVersion() + "/" + then.getProfile(),
                        today.verdict(), today.ruleVersion() + "/" + profile.id(), String.join(" ", today.reasonCodes())));
            }
        }
        return rows;
    }

    private static String key(String sub, String runId, Instant collectedAt) {
        return sub.toLowerCase(Locale.ROOT) + "|" + runId + "|" + collectedAt.toEpochMilli();
    }
}

package io.contactaudit.evaluate;

import io.contactaudit.exceptions.Exceptions;
import io.contactaudit.rule.HighSeverityAlertEmailRule;
import io.contactaudit.rule.Profile;
import io.contactaudit.rule.ReasonCode;
import io.contactaudit.rule.RuleResult;
import io.contactaudit.schema.CollectionStatus;
import io.contactaudit.schema.ComplianceException;
import io.contactaudit.schema.ComplianceFinding;
import io.contactaudit.schema.DriftEvent;
import io.contactaudit.schema.DriftKind;
import io.contactaudit.schema.ExceptionRef;
import io.contactaudit.schema.FieldChange;
import io.contactaudit.schema.NormalizedContact;
import io.contactaudit.schema.PostureState;
import io.contactaudit.schema.Reason;
import io.contactaudit.schema.SecurityContactSnapshot;
import io.contactaudit.schema.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The posture state machine: from a subscription's stored {@link PostureState} and what just happened to it (a
 * snapshot, its removal, the passing of time), the finding to emit ({@link Findings}), the drift events
 * ({@link Drift}) and the new state. Pure: no Kafka, no clock of its own.
 *
 * <pre>
 * (none) ──snapshot──► PASS | FAIL | ERROR            finding CREATE, no drift
 * state  ──snapshot──► PASS | FAIL | ERROR            finding UPDATE (with {@link EvaluateTopology.Emission#CHANGES}: only
 *                                                     when it shows a change, or is due again), drift as {@link Drift} decides; stale cleared
 * state  ──older snapshot──► state                     late: nothing but the counter lateSnapshots
 * state  ──tombstone──► (none)                          finding CLOSE, SUBSCRIPTION_REMOVED, posture tombstone
 * state  ──no snapshot within the window──► stale     STALE, once
 * FAIL   ──an exception covers it, or no longer──► suppressed or not   finding UPDATE, EXCEPTION_GRANTED | _REVOKED | _EXPIRED
 * </pre>
 *
 * <p>A FAIL covered by an active exception ({@link Exceptions#covering}) stays FAIL and is marked suppressed, with the
 * exception, on the finding, the drift events and the state. Whether it is decided at each snapshot, with the
 * exceptions of the subscription as they are then, and when the exceptions change or one expires ({@link #onExceptions}).
 *
 * <p>The new state is always stored (it holds the latest capture time, which late snapshots and staleness are judged
 * by); it goes to the posture topic only when something a reader of that topic sees has changed ({@link #shown}).
 * Cheap tests come first: the field-level diff runs only when the contacts differ, the finding is built only when it
 * is emitted or drift needs its ids, and the finding id is the stored one.
 */
public final class PostureMachine {

    /** A subscription is stale after this many collection intervals (as its snapshots declare them) without a snapshot. */
    public static final int MISSED_COLLECTIONS = 3;

    private final Profile profile;
    private final EvaluateTopology.Emission emission;
    private final long refreshMillis;

    /** A finding per evaluation. */
    public PostureMachine(Profile profile) {
        this(profile, EvaluateTopology.Emission.EVERY, Duration.ofDays(1));
    }

    /**
     * @param emission which evaluations emit a finding
     * @param refresh  with {@link EvaluateTopology.Emission#CHANGES}, how often an unchanged finding is emitted again
     */
    public PostureMachine(Profile profile, EvaluateTopology.Emission emission, Duration refresh) {
        this.profile = profile;
        this.emission = emission;
        this.refreshMillis = refresh.toMillis();
    }

    /**
     * What to emit and store.
     *
     * @param finding     the finding to emit, or null
     * @param drift       drift events to emit, in order
     * @param posture     the new state, to store; null deletes it (a tombstone)
     * @param emitPosture whether the state (or its tombstone) also goes to the posture topic: only when a reader of it
     *                    sees a change
     */
    public record Outcome(
            ComplianceFinding finding, List<DriftEvent> drift, PostureState posture, boolean emitPosture) {}

    /** A snapshot arrived for a subscription whose state is {@code previous} (null: first time). */
    public Outcome onSnapshot(PostureState previous, SecurityContactSnapshot snapshot, long now) {
        return onSnapshot(previous, snapshot, now, false);
    }

    /**
     * A snapshot arrived for a subscription whose state is {@code previous} (null: first time); {@code sameContent}
     * tells that {@code previous} was evaluated on a snapshot of the same content (the same raw pages, read completely,
     * of the same tenant): the rule would say exactly what it said then. With {@link EvaluateTopology.Emission#CHANGES},
     * when no finding is due either, the rule is then not run again: nothing can have changed but the times.
     */
    public Outcome onSnapshot(PostureState previous, SecurityContactSnapshot snapshot, long now, boolean sameContent) {
        return onSnapshot(previous, snapshot, now, sameContent, List.of());
    }

    /**
     * As {@link #onSnapshot(PostureState, SecurityContactSnapshot, long, boolean)}, with {@code exceptions}, the
     * exceptions of the subscription (any state: the active ones that cover a FAIL suppress it).
     */
    public Outcome onSnapshot(
            PostureState previous,
            SecurityContactSnapshot snapshot,
            long now,
            boolean sameContent,
            Collection<ComplianceException> exceptions) {
        Instant collectedAt = snapshot.getCollectedAt();
        if (previous != null && collectedAt.isBefore(previous.getLastCollectedAt())) {
            PostureState counted = copy(previous);
            counted.setLateSnapshots(previous.getLateSnapshots() + 1);
            return new Outcome(null, List.of(), counted, false);
        }
        SnapshotHead seen = SnapshotHead.of(snapshot);
        Head head = previous == null ? null : Head.of(previous);
        Times times = head == null ? null : touch(head, seen, now, sameContent, exceptions);
        if (times != null) {
            return new Outcome(null, List.of(), times.applyTo(copy(previous)), times.shown(head));
        }
        RuleResult result = HighSeverityAlertEmailRule.evaluate(snapshot, profile);
        String sub = snapshot.getSubscriptionId().toLowerCase(Locale.ROOT);
        Verdict verdict = result.verdict();
        boolean good = verdict != Verdict.ERROR;
        String profileId = profile.id();

        // the last good configuration: an ERROR keeps the previous one
        List<NormalizedContact> contacts;
        boolean sameContacts;
        if (previous == null) {
            contacts = good ? result.contacts() : List.of();
            sameContacts = false;
        } else if (!good) {
            contacts = previous.getContacts();
            sameContacts = true;
        } else {
            sameContacts = previous.getContacts().equals(result.contacts());
            contacts = sameContacts ? previous.getContacts() : result.contacts();
        }
        boolean sameFinding = previous != null
                && previous.getRuleId().equals(result.ruleId())
                && previous.getProfile().equals(profileId);
        boolean ruleChanged = previous != null
                && (!previous.getRuleVersion().equals(result.ruleVersion())
                        || !previous.getProfile().equals(profileId));
        List<FieldChange> changes = previous == null || !good || sameContacts || previous.getLastGoodVerdict() == null
                ? List.of()
                : ContactChanges.between(previous.getContacts(), result.contacts());
        ExceptionRef exception = Exceptions.ref(
                Exceptions.covering(exceptions, result.ruleId(), verdict, result.reasons(), Instant.ofEpochMilli(now)));
        DriftKind exceptionDrift = previous == null
                ? null
                : Drift.exceptionKind(previous.getException(), exception, verdict, exceptions, now);
        boolean drifts =
                previous != null && Drift.follows(previous, verdict, changes, ruleChanged) || exceptionDrift != null;
        Tenancy tenancy = seen.tenancy(Tenancy.of(previous));
        List<Reason> reasons = previous != null
                        && previous.getVerdict() == verdict
                        && sameReasons(previous.getReasons(), result.reasons(), verdict)
                ? previous.getReasons()
                : result.reasons();

        boolean emit = emission == EvaluateTopology.Emission.EVERY
                || previous == null
                || drifts
                || previous.getVerdict() != verdict
                || reasons != previous.getReasons()
                || !sameContacts && good
                || ruleChanged
                || !Objects.equals(exception, previous.getException())
                || !tenancy.equals(Tenancy.of(previous))
                || refreshDue(sub, previous.getLastCollectedAt(), collectedAt);
        String findingId = sameFinding ? previous.getFindingId() : Ids.finding(sub, result.ruleId(), profileId);
        ComplianceFinding finding = emit
                ? Findings.evaluation(previous, snapshot, result, profile, findingId, tenancy, exception, now)
                : null;
        List<DriftEvent> drift = drifts
                ? Drift.afterEvaluation(
                        previous,
                        finding,
                        changes,
                        ruleChanged,
                        exceptionDrift,
                        exceptionDrift == DriftKind.EXCEPTION_GRANTED ? exception : previous.getException())
                : List.of();

        PostureState posture = new PostureState(
                sub,
                tenancy.tenantId(),
                findingId,
                verdict,
                good ? verdict : previous == null ? null : previous.getLastGoodVerdict(),
                previous == null || previous.getVerdict() != verdict ? collectedAt : previous.getSince(),
                previous == null ? collectedAt : previous.getFirstSeenAt(),
                collectedAt,
                Instant.ofEpochMilli(now),
                result.ruleId(),
                result.ruleVersion(),
                profileId,
                reasons,
                false,
                contacts,
                // the summary follows the last good configuration: recomputed only when that changed
                sameContacts ? previous.getSummary() : ContactChanges.summary(contacts),
                good ? collectedAt : previous == null ? null : previous.getLastGoodCollectedAt(),
                good ? 0 : previous == null ? 1 : previous.getConsecutiveErrors() + 1,
                previous == null ? 0 : previous.getLateSnapshots(),
                finding != null ? finding.getEventId() : previous.getLastFindingEventId(),
                snapshot.getCollectionIntervalMs() == null
                        ? null
                        : snapshot.getCollectionIntervalMs() * MISSED_COLLECTIONS,
                exception != null,
                exception,
                tenancy.tenantName(),
                tenancy.readThroughTenantId());
        return new Outcome(finding, drift, posture, previous == null || shown(previous, posture));
    }

    /**
     * What the evaluation of a snapshot reads of the stored posture when it may change nothing but the times
     * ({@link #touch}): from a decoded posture ({@link #of}) or from its bytes in place ({@link PostureStore#inPlace}).
     *
     * @param reasons null when not read: a posture read in place that no exception of its subscription may cover
     */
    record Head(
            String subscriptionId,
            Verdict verdict,
            boolean stale,
            Instant lastCollectedAt,
            Instant lastGoodCollectedAt,
            int consecutiveErrors,
            Long staleAfterMs,
            String ruleId,
            String ruleVersion,
            String profile,
            List<Reason> reasons,
            ExceptionRef exception,
            Tenancy tenancy) {

        static Head of(PostureState s) {
            return new Head(
                    s.getSubscriptionId(),
                    s.getVerdict(),
                    s.getStale(),
                    s.getLastCollectedAt(),
                    s.getLastGoodCollectedAt(),
                    s.getConsecutiveErrors(),
                    s.getStaleAfterMs(),
                    s.getRuleId(),
                    s.getRuleVersion(),
                    s.getProfile(),
                    s.getReasons(),
                    s.getException(),
                    Tenancy.of(s));
        }
    }

    /**
     * The new times of a posture after a snapshot that changes nothing else ({@link #touch}): the latest capture and
     * evaluation, the last good capture, the consecutive errors and the staleness window the snapshot declares.
     */
    record Times(
            Instant lastCollectedAt,
            Instant lastEvaluatedAt,
            Instant lastGoodCollectedAt,
            int consecutiveErrors,
            Long staleAfterMs) {

        /** {@code posture}, a copy of the previous state, with these times. */
        PostureState applyTo(PostureState posture) {
            posture.setLastCollectedAt(lastCollectedAt);
            posture.setLastEvaluatedAt(lastEvaluatedAt);
            posture.setLastGoodCollectedAt(lastGoodCollectedAt);
            posture.setConsecutiveErrors(consecutiveErrors);
            posture.setStaleAfterMs(staleAfterMs);
            return posture;
        }

        /** Whether a reader of the posture topic sees the change ({@link #shown}): of the times, only the window. */
        boolean shown(Head before) {
            return !Objects.equals(before.staleAfterMs(), staleAfterMs);
        }

        /** When the posture with these times goes stale ({@link #staleAt(PostureState, Duration)}). */
        long staleAt(Duration fallback) {
            return PostureMachine.staleAt(false, lastCollectedAt, staleAfterMs, fallback);
        }
    }

    /**
     * The new times of the posture {@code previous} when the snapshot can change nothing else, or null when it is to be
     * evaluated: with {@link EvaluateTopology.Emission#CHANGES}, when {@code sameContent} tells that {@code previous}
     * was evaluated on a snapshot of the same content (the rule would say exactly what it said then), read completely,
     * of the same tenant, by the same rule and profile, not late, the posture not stale, no finding due again and the
     * exceptions suppressing what they suppressed. The rule is not run. {@code previous}'s reasons are read only when
     * there are {@code exceptions} ({@link Exceptions#covering}).
     */
    Times touch(
            Head previous,
            SnapshotHead snapshot,
            long now,
            boolean sameContent,
            Collection<ComplianceException> exceptions) {
        Instant collectedAt = snapshot.collectedAt();
        if (!sameContent
                || emission != EvaluateTopology.Emission.CHANGES
                || previous.stale()
                || snapshot.status() != CollectionStatus.OK
                || collectedAt.isBefore(previous.lastCollectedAt())
                || !snapshot.tenancy(previous.tenancy()).equals(previous.tenancy())
                || !previous.ruleId().equals(HighSeverityAlertEmailRule.ID)
                || !previous.ruleVersion().equals(HighSeverityAlertEmailRule.VERSION)
                || !previous.profile().equals(profile.id())
                || refreshDue(previous.subscriptionId(), previous.lastCollectedAt(), collectedAt)
                || !Objects.equals(
                        previous.exception(),
                        suppressedUnder(previous.ruleId(), previous.verdict(), previous.reasons(), exceptions, now))) {
            return null;
        }
        boolean good = previous.verdict() != Verdict.ERROR;
        return new Times(
                collectedAt,
                Instant.ofEpochMilli(now),
                good ? collectedAt : previous.lastGoodCollectedAt(),
                good ? 0 : previous.consecutiveErrors() + 1,
                snapshot.collectionIntervalMs() == null ? null : snapshot.collectionIntervalMs() * MISSED_COLLECTIONS);
    }

    /**
     * The exceptions of the subscription changed, or one expired, at {@code now}: when that changes whether the
     * subscription's FAIL is suppressed, or under which exception, the finding again (restated from the state, without
     * evidence), EXCEPTION_GRANTED, _REVOKED or _EXPIRED, and the new state; null when nothing changes.
     */
    public Outcome onExceptions(PostureState state, Collection<ComplianceException> exceptions, long now) {
        ExceptionRef exception =
                suppressedUnder(state.getRuleId(), state.getVerdict(), state.getReasons(), exceptions, now);
        if (Objects.equals(exception, state.getException())) {
            return null;
        }
        DriftKind kind = Drift.exceptionKind(state.getException(), exception, state.getVerdict(), exceptions, now);
        ComplianceFinding finding = Findings.restated(state, exception, kind, now);
        PostureState next = copy(state);
        next.setSuppressed(exception != null);
        next.setException(exception);
        next.setLastFindingEventId(finding.getEventId());
        List<DriftEvent> drift = kind == null
                ? List.of()
                : List.of(Drift.exception(
                        finding, state, kind, kind == DriftKind.EXCEPTION_GRANTED ? exception : state.getException()));
        return new Outcome(finding, drift, next, true);
    }

    /** The exception a stored verdict, with its rule and reasons, is suppressed under at {@code now}, or null. */
    private static ExceptionRef suppressedUnder(
            String ruleId,
            Verdict verdict,
            List<Reason> reasons,
            Collection<ComplianceException> exceptions,
            long now) {
        return Exceptions.ref(Exceptions.covering(exceptions, ruleId, verdict, reasons, Instant.ofEpochMilli(now)));
    }

    /**
     * Whether two lists of reasons of the same verdict say the same: for PASS and FAIL, codes and texts (the texts name
     * the contact, the path and the value seen, all from the configuration); for ERROR, the codes only, as the texts of
     * a collection failure carry what differs with every request (Resource Manager's request id, a parser's position),
     * so that a subscription that stays unreadable is not a change at every collection.
     */
    static boolean sameReasons(List<Reason> before, List<Reason> after, Verdict verdict) {
        if (verdict != Verdict.ERROR) {
            return before.equals(after);
        }
        if (before.size() != after.size()) {
            return false;
        }
        for (int i = 0; i < before.size(); i++) {
            if (!before.get(i).getCode().equals(after.get(i).getCode())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether an unchanged finding is due again: once per refresh interval, at the first evaluation in each interval of
     * the subscription's own phase (a hash of its id), so that the re-assertions of an estate spread over the interval
     * instead of coming all at once. Deterministic: reprocessing the same snapshots decides the same.
     */
    boolean refreshDue(String sub, Instant last, Instant now) {
        if (emission != EvaluateTopology.Emission.CHANGES) {
            return true;
        }
        long phase = Math.floorMod(sub.hashCode() * 0x9E3779B97F4A7C15L, refreshMillis);
        return Math.floorDiv(last.toEpochMilli() + phase, refreshMillis)
                != Math.floorDiv(now.toEpochMilli() + phase, refreshMillis);
    }

    /**
     * Whether a reader of the posture topic sees a difference: verdict, last good verdict and since, reasons, contacts
     * and their summary, the stale flag, rule, profile, tenant, finding id, staleness window. Not the bookkeeping that
     * changes with every snapshot (latest capture and evaluation times, the id of the latest finding, the counters of
     * late snapshots and consecutive errors): the posture topic carries those as of its latest record.
     */
    static boolean shown(PostureState before, PostureState after) {
        return before.getVerdict() != after.getVerdict()
                || before.getLastGoodVerdict() != after.getLastGoodVerdict()
                || !before.getSince().equals(after.getSince())
                || before.getStale() != after.getStale()
                || !before.getReasons().equals(after.getReasons())
                || !before.getContacts().equals(after.getContacts())
                || !before.getSummary().equals(after.getSummary())
                || !before.getRuleId().equals(after.getRuleId())
                || !before.getRuleVersion().equals(after.getRuleVersion())
                || !before.getProfile().equals(after.getProfile())
                || !Tenancy.of(before).equals(Tenancy.of(after))
                || !before.getFindingId().equals(after.getFindingId())
                || !Objects.equals(before.getStaleAfterMs(), after.getStaleAfterMs())
                || !Objects.equals(before.getException(), after.getException())
                || !before.getFirstSeenAt().equals(after.getFirstSeenAt());
    }

    /** The subscription left the estate (a tombstone on the snapshots topic) at {@code removedAt}. */
    public Outcome onRemoved(PostureState previous, long removedAt, long now) {
        if (previous == null) {
            return new Outcome(null, List.of(), null, false);
        }
        List<Reason> reasons = List.of(new Reason(
                ReasonCode.SUBSCRIPTION_REMOVED.name(),
                "the subscription is no longer visible to the collector; its finding is closed"));
        return new Outcome(
                Findings.close(previous, reasons, removedAt, now),
                List.of(Drift.removed(previous, reasons, removedAt, now)),
                null,
                true);
    }

    /**
     * The passing of time: flags the subscription STALE once when no snapshot arrived within its window of
     * {@code judgedAt}, the time up to which its partition has been read ({@link StalenessClock}), at wall-clock
     * time {@code now}. The window is {@link #MISSED_COLLECTIONS} of the collection intervals its latest snapshot
     * declared, or {@code fallback} when it declared none.
     */
    public Outcome onClock(PostureState state, long judgedAt, long now, Duration fallback) {
        if (state.getStale() || judgedAt <= staleAt(state, fallback)) {
            return null;
        }
        Duration window = window(state, fallback);
        List<Reason> reasons = List.of(new Reason(
                ReasonCode.SNAPSHOT_STALE.name(),
                "no snapshot since " + state.getLastCollectedAt() + " (staleness window " + window
                        + "): the collector may be down; the last verdict " + state.getVerdict() + " is not current"));
        PostureState flagged = copy(state);
        flagged.setStale(true);
        return new Outcome(null, List.of(Drift.stale(state, reasons, now)), flagged, true);
    }

    /**
     * The latest instant (epoch milliseconds) a subscription in {@code state} is judged not stale at; past it,
     * {@link #onClock} flags it. {@link Long#MAX_VALUE} once it is flagged.
     */
    static long staleAt(PostureState state, Duration fallback) {
        return staleAt(state.getStale(), state.getLastCollectedAt(), state.getStaleAfterMs(), fallback);
    }

    private static long staleAt(boolean stale, Instant lastCollectedAt, Long staleAfterMs, Duration fallback) {
        return stale
                ? Long.MAX_VALUE
                : lastCollectedAt.toEpochMilli()
                        + window(staleAfterMs, fallback).toMillis();
    }

    private static Duration window(PostureState state, Duration fallback) {
        return window(state.getStaleAfterMs(), fallback);
    }

    private static Duration window(Long staleAfterMs, Duration fallback) {
        return staleAfterMs == null ? fallback : Duration.ofMillis(staleAfterMs);
    }

    /** A shallow copy (the builders deep-copy every list and record). */
    private static PostureState copy(PostureState s) {
        return new PostureState(
                s.getSubscriptionId(),
                s.getTenantId(),
                s.getFindingId(),
                s.getVerdict(),
                s.getLastGoodVerdict(),
                s.getSince(),
                s.getFirstSeenAt(),
                s.getLastCollectedAt(),
                s.getLastEvaluatedAt(),
                s.getRuleId(),
                s.getRuleVersion(),
                s.getProfile(),
                s.getReasons(),
                s.getStale(),
                s.getContacts(),
                s.getSummary(),
                s.getLastGoodCollectedAt(),
                s.getConsecutiveErrors(),
                s.getLateSnapshots(),
                s.getLastFindingEventId(),
                s.getStaleAfterMs(),
                s.getSuppressed(),
                s.getException(),
                s.getTenantName(),
                s.getReadThroughTenantId());
    }
}

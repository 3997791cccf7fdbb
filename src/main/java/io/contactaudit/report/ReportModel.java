package io.contactaudit.report;

import io.contactaudit.Percentiles;
import io.contactaudit.TenantLabel;
import io.contactaudit.exceptions.Exceptions;
import io.contactaudit.schema.ComplianceException;
import io.contactaudit.schema.ComplianceFinding;
import io.contactaudit.schema.DriftEvent;
import io.contactaudit.schema.DriftKind;
import io.contactaudit.schema.FindingActivity;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the audit report says, folded from the history in one pass: the findings and drift events, in timestamp order
 * (as {@link ReportReader} merges them), from before the period (for the state at its start) to its end, and the
 * exceptions. Holds one entry per subscription, one count per day, the drift of the period up to
 * {@link #MAX_DRIFT_LISTED} and the last {@link #MAX_CHANGES} changes of each subscription: memory follows the estate
 * and the period's length, not the history's.
 *
 * <p>A subscription's state at an instant is that of its latest finding then (FAIL split into FAIL and SUPPRESSED),
 * STALE between a STALE drift event and the next finding or STALE_RESOLVED, and gone after its finding closed.
 */
public final class ReportModel {

    /** How a subscription counts. */
    public enum State {
        PASS,
        FAIL,
        SUPPRESSED,
        ERROR,
        STALE
    }

    /** Drift events listed in the report at most (all are counted). */
    public static final int MAX_DRIFT_LISTED = 5_000;
    /** Changes listed per subscription at most (the latest). */
    public static final int MAX_CHANGES = 20;

    /** One subscription as the history shows it. */
    public static final class Subscription {
        final String id;
        ComplianceFinding latest;
        boolean stale;
        boolean closed;
        Instant staleSince;
        long evaluations;
        int staleEpisodes;
        long staleMillis;
        Instant regressedAt;
        final Deque<DriftEvent> changes = new ArrayDeque<>();

        Subscription(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        /** The latest finding (null before the first). */
        public ComplianceFinding latest() {
            return latest;
        }

        /** The tenant as the report names it: {@code name (id)} when the tenants file names it, else its id. */
        public String tenant() {
            if (latest == null || latest.getTenantId() == null) {
                return null;
            }
            return TenantLabel.of(latest.getTenantId(), latest.getTenantName());
        }

        /** Findings of the period: the evaluations the history holds for it (one per change and per refresh). */
        public long evaluations() {
            return evaluations;
        }

        /** STALE episodes overlapping the period, and their time within it. */
        public int staleEpisodes() {
            return staleEpisodes;
        }

        public Duration staleTime() {
            return Duration.ofMillis(staleMillis);
        }

        /** The start of a regression not remediated yet, or null. */
        public Instant openRegressionSince() {
            return regressedAt;
        }

        /** The latest changes of the period, oldest first. */
        public List<DriftEvent> changes() {
            return List.copyOf(changes);
        }

        public boolean present() {
            return latest != null && !closed;
        }

        public State state() {
            if (stale) {
                return State.STALE;
            }
            return switch (latest.getVerdict()) {
                case PASS -> State.PASS;
                case ERROR -> State.ERROR;
                case FAIL -> latest.getSuppressed() ? State.SUPPRESSED : State.FAIL;
            };
        }
    }

    /** The counts at the end of one day (UTC), or at the end of the period for its last day. */
    public record Day(LocalDate day, Map<State, Integer> counts) {}

    /** A regression and its remediation, both in the period or the regression before it. */
    public record Remediation(String subscriptionId, Instant regressedAt, Instant remediatedAt) {
        public Duration took() {
            return Duration.between(regressedAt, remediatedAt);
        }
    }

    /** What an exception did in the period. */
    public record ExceptionRow(ComplianceException exception, String inPeriod) {}

    private final Instant from;
    private final Instant to;
    private final Map<String, Subscription> subscriptions = new TreeMap<>();
    private final Map<State, Integer> counts = new EnumMap<>(State.class);
    private final List<Day> days = new ArrayList<>();
    private Instant nextBoundary;
    private final List<DriftEvent> drift = new ArrayList<>();
    private final Map<DriftKind, Integer> driftCounts = new EnumMap<>(DriftKind.class);
    private final List<Remediation> remediations = new ArrayList<>();
    private final Set<String> runs = new HashSet<>();
    private final Set<String> rules = new HashSet<>();
    private final List<ExceptionRow> exceptions = new ArrayList<>();
    private long evaluations;

    /** A report of [from, to]. */
    public ReportModel(Instant from, Instant to) {
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("--from " + from + " is not before --to " + to);
        }
        this.from = from;
        this.to = to;
        this.nextBoundary = from.atZone(ZoneOffset.UTC)
                .toLocalDate()
                .plusDays(1)
                .atStartOfDay(ZoneOffset.UTC)
                .toInstant();
    }

    public Instant from() {
        return from;
    }

    public Instant to() {
        return to;
    }

    /** A finding written at {@code at} (its record's timestamp). */
    public void finding(ComplianceFinding f, Instant at) {
        advanceTo(at);
        if (at.isAfter(to)) {
            return;
        }
        Subscription sub = subscriptions.computeIfAbsent(f.getSubscriptionId(), Subscription::new);
        State before = sub.present() ? sub.state() : null;
        if (f.getActivity() == FindingActivity.CLOSE) {
            sub.closed = true;
            endStale(sub, at);
        } else {
            sub.latest = f;
            sub.closed = false;
            endStale(sub, at);
        }
        move(before, sub.present() ? sub.state() : null);
        if (!at.isBefore(from)) {
            sub.evaluations++;
            evaluations++;
            if (f.getRunId() != null) {
                runs.add(f.getRunId());
            }
            rules.add(f.getRuleId() + " " + f.getRuleVersion() + " profile " + f.getProfile());
        }
    }

    /** A drift event written at {@code at}. */
    public void drift(DriftEvent d, Instant at) {
        advanceTo(at);
        if (at.isAfter(to)) {
            return;
        }
        Subscription sub = subscriptions.computeIfAbsent(d.getSubscriptionId(), Subscription::new);
        State before = sub.present() ? sub.state() : null;
        switch (d.getKind()) {
            case STALE -> {
                sub.stale = true;
                sub.staleSince = at;
            }
            case STALE_RESOLVED -> endStale(sub, at);
            case REGRESSED -> {
                if (sub.regressedAt == null) {
                    sub.regressedAt = at;
                }
            }
            case REMEDIATED -> {
                if (sub.regressedAt != null && !at.isBefore(from)) {
                    remediations.add(new Remediation(sub.id, sub.regressedAt, at));
                }
                sub.regressedAt = null;
            }
            case SUBSCRIPTION_REMOVED -> sub.regressedAt = null;
            default -> {}
        }
        move(before, sub.present() ? sub.state() : null);
        if (!at.isBefore(from)) {
            driftCounts.merge(d.getKind(), 1, Integer::sum);
            if (drift.size() < MAX_DRIFT_LISTED) {
                drift.add(d);
            }
            sub.changes.addLast(d);
            if (sub.changes.size() > MAX_CHANGES) {
                sub.changes.removeFirst();
            }
        }
    }

    /** An exception, as the exceptions topic holds it now: listed when it was in force, or changed, in the period. */
    public void exception(ComplianceException e) {
        Instant ended = e.getRevokedAt() != null && e.getRevokedAt().isBefore(e.getExpiresAt())
                ? e.getRevokedAt()
                : e.getExpiresAt();
        if (e.getApprovedAt().isAfter(to) || ended.isBefore(from)) {
            return;
        }
        List<String> what = new ArrayList<>();
        if (!e.getApprovedAt().isBefore(from)) {
            what.add("granted");
        }
        if (e.getRevokedAt() != null
                && !e.getRevokedAt().isBefore(from)
                && !e.getRevokedAt().isAfter(to)) {
            what.add("revoked");
        } else if (e.getRevokedAt() == null
                && !e.getExpiresAt().isBefore(from)
                && !e.getExpiresAt().isAfter(to)) {
            what.add("expired");
        }
        if (Exceptions.active(e, to)) {
            what.add("active at the end");
        }
        exceptions.add(new ExceptionRow(e, what.isEmpty() ? "in force" : String.join(", ", what)));
    }

    /** Ends the fold: the last days counted, open STALE episodes accounted up to the end. */
    public ReportModel finish() {
        advanceTo(to);
        LocalDate last = day(to.minusMillis(1));
        if (days.isEmpty() || !days.get(days.size() - 1).day().equals(last)) {
            days.add(new Day(last, Map.copyOf(snapshotOf(counts))));
        }
        for (Subscription sub : subscriptions.values()) {
            if (sub.stale && sub.staleSince != null) {
                account(sub, sub.staleSince, to);
            }
        }
        exceptions.sort(Comparator.comparing(r -> r.exception().getApprovedAt()));
        return this;
    }

    private void endStale(Subscription sub, Instant at) {
        if (sub.stale && sub.staleSince != null) {
            account(sub, sub.staleSince, at);
        }
        sub.stale = false;
        sub.staleSince = null;
    }

    /** A STALE episode from {@code start} to {@code end}: counted, with its time within the period, when it overlaps it. */
    private void account(Subscription sub, Instant start, Instant end) {
        if (start.isAfter(to) || end.isBefore(from)) {
            return;
        }
        Instant a = start.isBefore(from) ? from : start;
        Instant b = end.isAfter(to) ? to : end;
        sub.staleEpisodes++;
        sub.staleMillis += Duration.between(a, b).toMillis();
    }

    private void move(State before, State after) {
        if (before == after) {
            return;
        }
        if (before != null) {
            counts.merge(before, -1, Integer::sum);
        }
        if (after != null) {
            counts.merge(after, 1, Integer::sum);
        }
    }

    /** Records the counts of every day that ended at or before {@code at} (within the period). */
    private void advanceTo(Instant at) {
        while (!nextBoundary.isAfter(at) && !nextBoundary.isAfter(to)) {
            if (nextBoundary.isAfter(from)) {
                days.add(new Day(day(nextBoundary.minusMillis(1)), Map.copyOf(snapshotOf(counts))));
            }
            nextBoundary = nextBoundary.plus(Duration.ofDays(1));
        }
    }

    private static Map<State, Integer> snapshotOf(Map<State, Integer> counts) {
        Map<State, Integer> copy = new EnumMap<>(State.class);
        for (State s : State.values()) {
            copy.put(s, counts.getOrDefault(s, 0));
        }
        return copy;
    }

    private static LocalDate day(Instant at) {
        return at.atZone(ZoneOffset.UTC).toLocalDate();
    }

    /** Every subscription present at the end of the period, by id. */
    public List<Subscription> present() {
        return subscriptions.values().stream().filter(Subscription::present).toList();
    }

    /** The counts at the end of the period. */
    public Map<State, Integer> totals() {
        return snapshotOf(counts);
    }

    /** The counts at the end of the period, per tenant (tenant "(none)" when unknown). */
    public Map<String, Map<State, Integer>> totalsByTenant() {
        Map<String, Map<State, Integer>> byTenant = new TreeMap<>();
        for (Subscription sub : present()) {
            byTenant.computeIfAbsent(sub.tenant() == null ? "(none)" : sub.tenant(), t -> new EnumMap<>(State.class))
                    .merge(sub.state(), 1, Integer::sum);
        }
        byTenant.replaceAll((t, c) -> snapshotOf(c));
        return byTenant;
    }

    /** The counts at the end of each day of the period (the last: at its end). */
    public List<Day> days() {
        return List.copyOf(days);
    }

    /** The drift events of the period, in order, at most {@link #MAX_DRIFT_LISTED}. */
    public List<DriftEvent> drift() {
        return List.copyOf(drift);
    }

    /** Drift events of the period by kind (all of them). */
    public Map<DriftKind, Integer> driftCounts() {
        return Map.copyOf(driftCounts);
    }

    public int driftTotal() {
        return driftCounts.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Regressions remediated in the period. */
    public List<Remediation> remediations() {
        return List.copyOf(remediations);
    }

    /** The median and 90th percentile of the time to remediate; null without remediations. */
    public Duration timeToRemediate(double p) {
        if (remediations.isEmpty()) {
            return null;
        }
        List<Long> sorted =
                remediations.stream().map(r -> r.took().toMillis()).sorted().toList();
        return Duration.ofMillis(Percentiles.of(sorted, p));
    }

    /** Regressions still open at the end of the period, the longest first. */
    public List<Subscription> openRegressions() {
        return present().stream()
                .filter(s -> s.regressedAt != null)
                .sorted(Comparator.comparing(s -> s.regressedAt))
                .toList();
    }

    /** Subscriptions present at the end with a STALE episode in the period (gaps longer than the window). */
    public List<Subscription> gaps() {
        return subscriptions.values().stream().filter(s -> s.staleEpisodes > 0).toList();
    }

    /** Findings of the period. */
    public long evaluations() {
        return evaluations;
    }

    /** Collection runs the findings of the period name. */
    public int runs() {
        return runs.size();
    }

    /** The rule versions and profiles of the period's findings. */
    public Collection<String> rules() {
        return new TreeSet<>(rules);
    }

    /** The exceptions in force or changed in the period, by approval. */
    public List<ExceptionRow> exceptions() {
        return List.copyOf(exceptions);
    }
}

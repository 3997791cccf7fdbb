package io.contactaudit.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.contactaudit.exceptions.ExceptionRequest;
import io.contactaudit.report.ReportModel.State;
import io.contactaudit.schema.CollectionStatus;
import io.contactaudit.schema.ComplianceException;
import io.contactaudit.schema.ComplianceFinding;
import io.contactaudit.schema.DriftEvent;
import io.contactaudit.schema.DriftKind;
import io.contactaudit.schema.DriftSeverity;
import io.contactaudit.schema.ExceptionCategory;
import io.contactaudit.schema.ExceptionRef;
import io.contactaudit.schema.FindingActivity;
import io.contactaudit.schema.Reason;
import io.contactaudit.schema.Verdict;
import io.contactaudit.siem.OcsfComplianceFinding;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The report's numbers against the history that produced them. */
class ReportModelTest {

    static final String A = "a0000000-0000-4000-8000-00000000000a";
    static final String B = "b0000000-0000-4000-8000-00000000000b";
    static final String C = "c0000000-0000-4000-8000-00000000000c";
    static final Instant FROM = Instant.parse("2026-03-01T00:00:00Z");
    static final Instant TO = Instant.parse("2026-03-04T00:00:00Z");

    static ComplianceFinding finding(String sub, Verdict verdict, Instant at) {
        return ComplianceFinding.newBuilder()
                .setFindingId("f-" + sub)
                .setEventId("e-" + sub + at.toEpochMilli())
                .setSubscriptionId(sub)
                .setTenantId(sub.equals(C) ? "tenant-2" : "tenant-1")
                .setRuleId("cis-azure-1.3.0-2.14")
                .setRuleVersion("1.0.0")
                .setProfile("default")
                .setVerdict(verdict)
                .setReasons(List.of(
                        new Reason(verdict == Verdict.FAIL ? "CONTACT_DISABLED" : "ALERT_EMAILS_ENABLED", "<why>")))
                .setCollectionStatus(CollectionStatus.OK)
                .setRunId("run-" + at.toEpochMilli())
                .setCollectedAt(at)
                .setEvaluatedAt(at)
                .setActivity(FindingActivity.UPDATE)
                .build();
    }

    static DriftEvent drift(String sub, DriftKind kind, Instant at) {
        return DriftEvent.newBuilder()
                .setEventId("d-" + sub + at.toEpochMilli())
                .setFindingId("f-" + sub)
                .setSubscriptionId(sub)
                .setKind(kind)
                .setSeverity(DriftSeverity.HIGH)
                .setRuleId("cis-azure-1.3.0-2.14")
                .setRuleVersion("1.0.0")
                .setProfile("default")
                .setDetectedAt(at)
                .build();
    }

    static Instant at(String text) {
        return Instant.parse(text);
    }

    /**
     * A: PASS before the period, REGRESSED on the 1st, REMEDIATED a day later. B: FAIL before it, suppressed under an
     * exception granted on the 2nd. C: new on the 1st, STALE for 12 hours on the 2nd, back on the 3rd.
     */
    static ReportModel history() {
        ReportModel m = new ReportModel(FROM, TO);
        m.finding(finding(A, Verdict.PASS, at("2026-02-27T10:00:00Z")), at("2026-02-27T10:00:00Z"));
        m.finding(finding(B, Verdict.FAIL, at("2026-02-28T10:00:00Z")), at("2026-02-28T10:00:00Z"));
        m.finding(finding(A, Verdict.FAIL, at("2026-03-01T10:00:00Z")), at("2026-03-01T10:00:00Z"));
        m.drift(drift(A, DriftKind.REGRESSED, at("2026-03-01T10:00:00Z")), at("2026-03-01T10:00:00Z"));
        m.finding(finding(C, Verdict.PASS, at("2026-03-01T12:00:00Z")), at("2026-03-01T12:00:00Z"));
        ComplianceFinding suppressed = ComplianceFinding.newBuilder(
                        finding(B, Verdict.FAIL, at("2026-02-28T10:00:00Z")))
                .setEventId("e-granted")
                .setSuppressed(true)
                .setException(
                        new ExceptionRef("ex-1", ExceptionCategory.WAIVER, at("2026-06-01T00:00:00Z"), "ciso", null))
                .build();
        m.finding(suppressed, at("2026-03-02T00:00:00Z"));
        m.drift(drift(B, DriftKind.EXCEPTION_GRANTED, at("2026-03-02T00:00:00Z")), at("2026-03-02T00:00:00Z"));
        m.finding(finding(A, Verdict.PASS, at("2026-03-02T10:00:00Z")), at("2026-03-02T10:00:00Z"));
        m.drift(drift(A, DriftKind.REMEDIATED, at("2026-03-02T10:00:00Z")), at("2026-03-02T10:00:00Z"));
        m.drift(drift(C, DriftKind.STALE, at("2026-03-02T12:00:00Z")), at("2026-03-02T12:00:00Z"));
        m.finding(finding(C, Verdict.PASS, at("2026-03-03T00:00:00Z")), at("2026-03-03T00:00:00Z"));
        m.drift(drift(C, DriftKind.STALE_RESOLVED, at("2026-03-03T00:00:00Z")), at("2026-03-03T00:00:00Z"));
        m.exception(new ExceptionRequest(
                        B,
                        ExceptionCategory.WAIVER,
                        List.of("CONTACT_DISABLED"),
                        "lab <b>only</b>",
                        null,
                        "RISK-1",
                        "owner",
                        "ciso",
                        at("2026-03-01T23:59:00Z"),
                        at("2026-06-01T00:00:00Z"))
                .toRecord("ex-1", at("2026-03-01T23:59:00Z"), "test", "cli"));
        return m.finish();
    }

    static Map<State, Integer> counts(int pass, int fail, int suppressed, int error, int stale) {
        return Map.of(
                State.PASS,
                pass,
                State.FAIL,
                fail,
                State.SUPPRESSED,
                suppressed,
                State.ERROR,
                error,
                State.STALE,
                stale);
    }

    @Test
    void eachDayCountsTheStatesAtItsEnd() {
        assertThat(history().days())
                .containsExactly(
                        new ReportModel.Day(LocalDate.parse("2026-03-01"), counts(1, 2, 0, 0, 0)),
                        new ReportModel.Day(LocalDate.parse("2026-03-02"), counts(1, 0, 1, 0, 1)),
                        new ReportModel.Day(LocalDate.parse("2026-03-03"), counts(2, 0, 1, 0, 0)));
    }

    @Test
    void thePostureAtTheEndGroupsByTenant() {
        ReportModel m = history();
        assertThat(m.totals()).isEqualTo(counts(2, 0, 1, 0, 0));
        assertThat(m.totalsByTenant())
                .containsEntry("tenant-1", counts(1, 0, 1, 0, 0))
                .containsEntry("tenant-2", counts(1, 0, 0, 0, 0));
        assertThat(m.present()).extracting(ReportModel.Subscription::id).containsExactly(A, B, C);
    }

    @Test
    void timeToRemediateGapsAndCoverageComeFromTheDrift() {
        ReportModel m = history();
        assertThat(m.remediations()).singleElement().satisfies(r -> {
            assertThat(r.subscriptionId()).isEqualTo(A);
            assertThat(r.took()).isEqualTo(Duration.ofHours(24));
        });
        assertThat(m.timeToRemediate(0.5)).isEqualTo(Duration.ofHours(24));
        assertThat(m.openRegressions()).isEmpty();
        assertThat(m.gaps()).singleElement().satisfies(s -> {
            assertThat(s.id()).isEqualTo(C);
            assertThat(s.staleEpisodes()).isEqualTo(1);
            assertThat(s.staleTime()).isEqualTo(Duration.ofHours(12));
        });
        assertThat(m.evaluations())
                .as("findings of the period, not of the look-back")
                .isEqualTo(5);
        assertThat(m.driftCounts())
                .isEqualTo(Map.of(
                        DriftKind.REGRESSED, 1,
                        DriftKind.REMEDIATED, 1,
                        DriftKind.EXCEPTION_GRANTED, 1,
                        DriftKind.STALE, 1,
                        DriftKind.STALE_RESOLVED, 1));
        assertThat(m.exceptions())
                .singleElement()
                .satisfies(e -> assertThat(e.inPeriod()).isEqualTo("granted, active at the end"));
    }

    @Test
    void aRegressionOpenAtTheEndAndAStaleEpisodeStillRunningAreCountedToTheEnd() {
        ReportModel m = new ReportModel(FROM, TO);
        m.finding(finding(A, Verdict.FAIL, at("2026-03-03T00:00:00Z")), at("2026-03-03T00:00:00Z"));
        m.drift(drift(A, DriftKind.REGRESSED, at("2026-03-03T00:00:00Z")), at("2026-03-03T00:00:00Z"));
        m.drift(drift(A, DriftKind.STALE, at("2026-03-03T18:00:00Z")), at("2026-03-03T18:00:00Z"));
        // after the period: not counted
        m.drift(drift(A, DriftKind.REMEDIATED, at("2026-03-05T00:00:00Z")), at("2026-03-05T00:00:00Z"));
        m.finish();
        assertThat(m.openRegressions()).extracting(ReportModel.Subscription::id).containsExactly(A);
        assertThat(m.gaps())
                .singleElement()
                .satisfies(s -> assertThat(s.staleTime()).isEqualTo(Duration.ofHours(6)));
        assertThat(m.totals()).isEqualTo(counts(0, 0, 0, 0, 1));
        assertThat(m.timeToRemediate(0.5)).isNull();
    }

    @Test
    void theHtmlIsSelfContainedEscapesWhatItShowsAndCarriesTheTotalsAndCharts() throws Exception {
        StringWriter html = new StringWriter();
        HtmlReport.write(
                new ReportReader.Result(
                        history(),
                        FROM.minus(Duration.ofDays(7)),
                        false,
                        List.of(new ReportReader.Read("contact-audit.findings.v1", 0, 0, 6, 7, "ab")),
                        "0123abcd"),
                new HtmlReport.About("1.2.3", TO, "", OcsfComplianceFinding.Redaction.HASH),
                html);
        String text = html.toString();
        assertThat(text)
                .startsWith("<!DOCTYPE html>")
                .contains("<b data-state=\"PASS\">2</b>", "<b data-state=\"SUPPRESSED\">1</b>")
                .contains("<svg id=\"chart-over-time\"", "<svg id=\"chart-totals\"")
                .contains("median <b>24.0 h</b>")
                .contains("Findings per subscription in the period: fewest <b>1</b>, median <b>2</b>, most <b>2</b>")
                .contains("lab &lt;b&gt;only&lt;/b&gt;")
                .contains("&lt;why&gt;")
                .contains("<code id=\"sha256\">0123abcd</code>")
                .doesNotContain("<script", "http://", "https://", "@import", "url(");
        // three days, each a stack of rects
        assertThat(text.split("<rect x=").length - 1).isGreaterThanOrEqualTo(3 + 5);
    }

    @Test
    void addressesInChangesAreRedactedAsConfigured() {
        HtmlReport.About hashed = new HtmlReport.About("1", TO, "", OcsfComplianceFinding.Redaction.HASH);
        HtmlReport.About dropped = new HtmlReport.About("1", TO, "", OcsfComplianceFinding.Redaction.DROP);
        assertThat(HtmlReport.redact("emails", "secops@contoso.com", hashed))
                .startsWith("sha256:")
                .doesNotContain("@");
        assertThat(HtmlReport.redact("emails", "secops@contoso.com", dropped)).isEqualTo("(redacted)");
        assertThat(HtmlReport.redact("alertNotifications.minimalSeverity", "High", hashed))
                .isEqualTo("High");
    }

    @Test
    void anExceptionOutsideThePeriodIsLeftOut() {
        ReportModel m = new ReportModel(FROM, TO);
        ComplianceException old = new ExceptionRequest(
                        B,
                        ExceptionCategory.WAIVER,
                        List.of("CONTACT_DISABLED"),
                        "x",
                        null,
                        null,
                        "a",
                        "b",
                        at("2025-01-01T00:00:00Z"),
                        at("2025-06-01T00:00:00Z"))
                .toRecord("old", at("2025-01-01T00:00:00Z"), "t", "cli");
        m.exception(old);
        assertThat(m.finish().exceptions()).isEmpty();
    }
}

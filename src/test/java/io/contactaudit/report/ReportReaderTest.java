package io.contactaudit.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.contactaudit.exceptions.Exceptions;
import io.contactaudit.kafka.Topics;
import io.contactaudit.replay.FakeLog;
import io.contactaudit.replay.Skipped;
import io.contactaudit.schema.ComplianceException;
import io.contactaudit.schema.ComplianceFinding;
import io.contactaudit.schema.DriftKind;
import io.contactaudit.schema.Verdict;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The report's reads: findings and drift merged by timestamp from before the period, an undecodable record passed
 * over and reported (not fatal), the exceptions read whole, and a digest that the same records reproduce and any
 * other record changes.
 */
class ReportReaderTest {

    static final String A = ReportModelTest.A;
    static final Instant FROM = FakeLog.NOW.minus(Duration.ofDays(3));

    final Topics topics = Topics.create("r");

    FakeLog history(boolean extra) {
        FakeLog log = new FakeLog();
        topics.all().forEach(t -> log.create(t.name(), 2));
        Instant before = FROM.minus(Duration.ofDays(1));
        Instant during = FROM.plus(Duration.ofDays(1));
        finding(log, ReportModelTest.finding(A, Verdict.PASS, before), before);
        finding(log, ReportModelTest.finding(A, Verdict.FAIL, during), during);
        log.append(
                topics.drift().name(),
                0,
                A,
                topics.drift()
                        .value()
                        .serializer()
                        .serialize(topics.drift().name(), ReportModelTest.drift(A, DriftKind.REGRESSED, during)),
                during);
        log.append(topics.findings().name(), 1, "b", "not avro".getBytes(StandardCharsets.UTF_8), during);
        ComplianceException waiver =
                ReportModelTest.history().exceptions().get(0).exception();
        log.append(
                topics.exceptions().name(),
                0,
                Exceptions.key(waiver),
                topics.exceptions()
                        .value()
                        .serializer()
                        .serialize(topics.exceptions().name(), waiver),
                during);
        if (extra) {
            Instant later = FROM.plus(Duration.ofDays(2));
            finding(log, ReportModelTest.finding(A, Verdict.PASS, later), later);
        }
        return log;
    }

    void finding(FakeLog log, ComplianceFinding f, Instant at) {
        log.append(
                topics.findings().name(),
                0,
                f.getSubscriptionId(),
                topics.findings()
                        .value()
                        .serializer()
                        .serialize(topics.findings().name(), f),
                at);
    }

    ReportReader.Result read(FakeLog log, Skipped skipped) {
        return new ReportReader(log.reader(), topics)
                .read(FROM, FakeLog.NOW, Duration.ofDays(7), Set.of(), Set.of(), skipped, n -> {});
    }

    @Test
    void theStateBeforeThePeriodCountsAndAnUndecodableRecordIsPassedOverAndReported() {
        Skipped skipped = new Skipped();
        ReportReader.Result result = read(history(false), skipped);
        ReportModel m = result.model();
        assertThat(m.days().get(0).counts().get(ReportModel.State.FAIL)).isEqualTo(0);
        assertThat(m.totals().get(ReportModel.State.FAIL)).isEqualTo(1);
        assertThat(m.openRegressions()).extracting(ReportModel.Subscription::id).containsExactly(A);
        assertThat(m.evaluations()).isEqualTo(1);
        assertThat(m.exceptions()).hasSize(1);
        assertThat(skipped.count()).isEqualTo(1);
        assertThat(skipped.entries().get(0).topic()).isEqualTo(topics.findings().name());
        assertThat(result.reads())
                .extracting(ReportReader.Read::topic, ReportReader.Read::records)
                .contains(
                        tuple(topics.findings().name(), 2L),
                        tuple(topics.drift().name(), 1L),
                        tuple(topics.exceptions().name(), 1L));
    }

    @Test
    void aTombstoneOnTheExceptionsTopicRemovesTheException() {
        FakeLog log = history(false);
        ComplianceException waiver =
                ReportModelTest.history().exceptions().get(0).exception();
        log.append(topics.exceptions().name(), 0, Exceptions.key(waiver), null, FROM.plus(Duration.ofDays(2)));
        Skipped skipped = new Skipped();
        assertThat(read(log, skipped).model().exceptions()).isEmpty();
        assertThat(skipped.count()).as("the undecodable finding only").isEqualTo(1);
    }

    @Test
    void theDigestIsTheSameForTheSameRecordsAndAnotherForOthers() {
        String first = read(history(false), new Skipped()).sha256();
        assertThat(read(history(false), new Skipped()).sha256())
                .isEqualTo(first)
                .hasSize(64);
        assertThat(read(history(true), new Skipped()).sha256()).isNotEqualTo(first);
    }
}

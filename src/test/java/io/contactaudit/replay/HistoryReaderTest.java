package io.contactaudit.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;

/** The reader loop against Kafka's MockConsumer. */
class HistoryReaderTest {

    static final String TOPIC = "t.findings.v1";
    static final Instant T0 = FakeLog.NOW.minus(Duration.ofDays(10));

    final FakeLog log = new FakeLog();
    final Skipped skipped = new Skipped();
    final List<String> decoded = new ArrayList<>();

    /** Decodes UTF-8 text; "bad" is undecodable. */
    final Deserializer<String> text = (topic, data) -> {
        String value = new String(data, StandardCharsets.UTF_8);
        if (value.startsWith("bad")) {
            throw new IllegalArgumentException("not a value: " + value);
        }
        decoded.add(value);
        return value;
    };

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static Instant at(int seconds) {
        return T0.plusSeconds(seconds);
    }

    List<String> readAll(Instant from, Instant to) {
        try (Stream<ConsumerRecord<String, String>> records =
                log.reader().open(TOPIC, text, from, to, k -> true, skipped, n -> {}).stream()) {
            return records.map(r -> r.value() + "@" + r.partition() + "/" + r.offset())
                    .toList();
        }
    }

    @Test
    void partitionsAreMergedByTimestampThenPartitionThenOffset() {
        log.create(TOPIC, 3);
        log.append(TOPIC, 0, "a", bytes("a1"), at(1));
        log.append(TOPIC, 0, "a", bytes("a5"), at(5));
        log.append(TOPIC, 0, "a", bytes("a5b"), at(5));
        log.append(TOPIC, 1, "b", bytes("b2"), at(2));
        log.append(TOPIC, 1, "b", bytes("b5"), at(5));
        log.append(TOPIC, 1, "b", bytes("b9"), at(9));
        log.append(TOPIC, 2, "c", bytes("c3"), at(3));
        log.batch = 1;

        assertThat(readAll(at(0), at(100)))
                .containsExactly("a1@0/0", "b2@1/0", "c3@2/0", "a5@0/1", "a5b@0/2", "b5@1/1", "b9@1/2");
        assertThat(log.consumers).singleElement().satisfies(c -> {
            assertThat(c.closed()).isTrue();
            assertThat(c.props)
                    .doesNotContainKey(ConsumerConfig.GROUP_ID_CONFIG)
                    .containsEntry(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
                    .containsEntry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        });
    }

    @Test
    void theRangeIsFromInclusiveToExclusiveAndEndsWhereTheTopicEndedAtTheStart() {
        log.create(TOPIC, 1);
        for (int i = 0; i < 10; i++) {
            log.append(TOPIC, 0, "a", bytes("v" + i), at(i));
        }
        HistoryReader.Cursor<String> cursor = log.reader().open(TOPIC, text, at(2), at(6), k -> true, skipped, n -> {});
        log.append(TOPIC, 0, "a", bytes("late"), at(3));
        List<String> values = new ArrayList<>();
        try (cursor) {
            cursor.forEachRemaining(r -> values.add(r.value()));
        }
        assertThat(values).containsExactly("v2", "v3", "v4", "v5");

        // "late" (offset 10) is read now, but its timestamp lies before the range
        HistoryReader.Cursor<String> open = log.reader().open(TOPIC, text, at(8), null, k -> true, skipped, n -> {});
        log.append(TOPIC, 0, "a", bytes("after-start"), at(11));
        try (open) {
            assertThat(open.stream().map(ConsumerRecord::value).toList()).containsExactly("v8", "v9");
        }
        assertThat(readAll(at(0), null)).last().isEqualTo("after-start@0/11");
    }

    @Test
    void aRecordStampedBeforeTheEndOfTheRangeIsReadAfterOneStampedAfterIt() {
        log.create(TOPIC, 2);
        log.append(TOPIC, 0, "a", bytes("a1"), at(1));
        log.append(TOPIC, 0, "b", bytes("b7"), at(7)); // dated ahead (another collector's clock, or a trigger)
        log.append(TOPIC, 0, "c", bytes("c4"), at(4)); // written after b7, stamped before the end of the range
        log.append(TOPIC, 0, "d", bytes("d9"), at(9));
        log.append(TOPIC, 1, "e", bytes("e8"), at(8));
        log.append(TOPIC, 1, "f", bytes("f5"), at(5));

        assertThat(readAll(at(0), at(6))).containsExactly("a1@0/0", "c4@0/2", "f5@1/1");
    }

    @Test
    void theReadStopsAtTheFirstRecordStampedFarPastTheEndOfTheRange() {
        log.create(TOPIC, 1);
        log.append(TOPIC, 0, "a", bytes("a1"), at(1));
        log.append(
                TOPIC,
                0,
                "b",
                bytes("b-late"),
                at(6).plus(HistoryReader.DISORDER).minusSeconds(1));
        log.append(TOPIC, 0, "c", bytes("c2"), at(2)); // still read: the record before it is within DISORDER
        log.append(TOPIC, 0, "d", bytes("d-far"), at(6).plus(HistoryReader.DISORDER));
        log.append(TOPIC, 0, "a", bytes("a1-again"), at(1)); // e.g. evaluated again after a state reset

        assertThat(readAll(at(0), at(6))).containsExactly("a1@0/0", "c2@0/2");
        assertThat(decoded).as("nothing after the stop is even decoded").doesNotContain("a1-again");
    }

    @Test
    void theKeyFilterRunsBeforeTheValueIsDecoded() {
        log.create(TOPIC, 2);
        log.append(TOPIC, 0, "wanted", bytes("w1"), at(1));
        log.append(TOPIC, 1, "other", bytes("bad, and never decoded"), at(2));
        log.append(TOPIC, 1, "other", bytes("o3"), at(3));
        log.append(TOPIC, 0, "wanted", bytes("w4"), at(4));
        List<Long> progress = new ArrayList<>();
        try (var cursor = log.reader().open(TOPIC, text, at(0), at(10), "wanted"::equals, skipped, progress::add)) {
            assertThat(cursor.stream().map(ConsumerRecord::value).toList()).containsExactly("w1", "w4");
        }
        assertThat(decoded).containsExactly("w1", "w4");
        assertThat(skipped.count()).isZero();
        assertThat(progress).containsExactly(1L, 2L, 3L, 4L);
    }

    @Test
    void anUndecodableValueIsSkippedAndReportedWithItsPlace() {
        log.create(TOPIC, 2);
        log.append(TOPIC, 0, "a", bytes("a1"), at(1));
        log.append(TOPIC, 1, "b", bytes("b1"), at(2));
        log.append(TOPIC, 1, "b", bytes("bad record"), at(3));
        log.append(TOPIC, 0, "a", null, at(4));
        log.append(TOPIC, 0, "a", bytes("a3"), at(5));

        assertThat(readAll(at(0), at(10))).containsExactly("a1@0/0", "b1@1/0", "null@0/1", "a3@0/2");
        assertThat(skipped.entries()).containsExactly(new Skipped.Entry(TOPIC, 1, 1, "not a value: bad record"));
        assertThat(skipped.report())
                .containsExactly(
                        "skipped t.findings.v1 partition 1 offset 1: not a value: bad record",
                        "skipped 1 undecodable record (t.findings.v1: 1); the output leaves them out");
    }

    @Test
    void theReportListsTheFirstRecordsAndCountsTheRest() {
        log.create(TOPIC, 1);
        for (int i = 0; i < Skipped.DETAILED + 5; i++) {
            log.append(TOPIC, 0, "a", bytes("bad " + i), at(i));
        }
        assertThat(readAll(at(0), at(1000))).isEmpty();
        assertThat(skipped.count()).isEqualTo(Skipped.DETAILED + 5);
        assertThat(skipped.report())
                .hasSize(Skipped.DETAILED + 2)
                .contains("... 5 more skipped records not listed")
                .last()
                .isEqualTo("skipped 25 undecodable records (t.findings.v1: 25); the output leaves them out");
    }

    @Test
    void aPartitionFarAheadIsPausedWhileALaggingOneIsRead() {
        log.create(TOPIC, 2);
        int ahead = HistoryReader.BUFFERED_PER_PARTITION + 500;
        for (int i = 0; i < ahead; i++) {
            log.append(TOPIC, 1, "b", bytes("b" + i), at(100 + i));
        }
        for (int i = 0; i < 50; i++) {
            log.append(TOPIC, 0, "a", bytes("a" + i), at(i));
        }
        log.batch = 400;
        log.batches.put(0, 1);
        List<String> all = readAll(at(0), at(100_000));

        assertThat(all).hasSize(ahead + 50);
        assertThat(all.subList(0, 50)).allMatch(v -> v.startsWith("a"));
        assertThat(all.subList(50, all.size())).allMatch(v -> v.startsWith("b"));
        // partition 1 filled its buffer before partition 0 ran out, and was not fetched from until the merge took from
        // it
        assertThat(log.consumers.get(0).pausedAtPoll)
                .anyMatch(p -> p.contains(new TopicPartition(TOPIC, 1)) && !p.contains(new TopicPartition(TOPIC, 0)));
    }

    @Test
    void aStartBeforeTheRetentionFailsWithWhatTheTopicKeeps() {
        log.create(TOPIC, 1);
        HistoryReader reader = log.reader(topic -> Duration.ofDays(30).toMillis());
        assertThatThrownBy(() -> reader.open(
                        TOPIC, text, FakeLog.NOW.minus(Duration.ofDays(31)), null, k -> true, skipped, n -> {}))
                .isInstanceOf(HistoryReader.OutsideRetentionException.class)
                .hasMessageContaining("t.findings.v1 keeps 30 days of history (retention.ms=2592000000)")
                .hasMessageContaining("outside retention");
        assertThat(log.consumers).isEmpty();
        assertThatThrownBy(() -> reader.open(TOPIC, text, at(5), at(5), k -> true, skipped, n -> {}))
                .hasMessageContaining("is not before --to");
    }

    @Test
    void aMissingTopicFailsAndReleasesTheConsumer() {
        assertThatThrownBy(() -> log.reader().open("nope", text, at(0), null, k -> true, skipped, n -> {}))
                .hasMessage("topic nope does not exist");
        assertThat(log.consumers)
                .singleElement()
                .satisfies(c -> assertThat(c.closed()).isTrue());
    }
}

package io.contactaudit.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.contactaudit.kafka.Topics;
import io.contactaudit.rule.HighSeverityAlertEmailRule;
import io.contactaudit.rule.Profile;
import io.contactaudit.schema.CollectionStatus;
import io.contactaudit.schema.SecurityContactSnapshot;
import io.contactaudit.schema.Verdict;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;

class SnapshotPublisherTest {

    final Topics topics = Topics.create("contact-audit");

    SecurityContactSnapshot snapshot() {
        return SecurityContactSnapshot.newBuilder()
                .setSubscriptionId("ABCDEF00-0000-0000-0000-000000000001")
                .setRunId("run-7")
                .setCollectedAt(Instant.parse("2026-03-01T12:00:00Z"))
                .setApiVersion("2023-12-01-preview")
                .setStatus(CollectionStatus.OK)
                .setRawBodies(List.of("[]"))
                .build();
    }

    /** A mock producer: completing each send at once, or when the test says. */
    MockProducer<String, SecurityContactSnapshot> producer(boolean autoComplete) {
        return new MockProducer<>(
                autoComplete,
                null,
                Serdes.String().serializer(),
                topics.snapshots().value().serializer());
    }

    @Test
    void keysAreLowerCaseWithRunAndApiVersionHeadersAndTheCaptureTime() throws Exception {
        MockProducer<String, SecurityContactSnapshot> producer = producer(true);
        SnapshotPublisher publisher =
                new SnapshotPublisher(producer, topics.snapshots().name());
        publisher.publish(snapshot()).get();
        publisher.remove("ABCDEF00-0000-0000-0000-000000000002").get();

        List<ProducerRecord<String, SecurityContactSnapshot>> sent = producer.history();
        assertThat(sent).hasSize(2);
        ProducerRecord<String, SecurityContactSnapshot> first = sent.get(0);
        assertThat(first.topic()).isEqualTo("contact-audit.snapshots.v1");
        assertThat(first.key()).isEqualTo("abcdef00-0000-0000-0000-000000000001");
        assertThat(first.timestamp())
                .isEqualTo(Instant.parse("2026-03-01T12:00:00Z").toEpochMilli());
        assertThat(new String(first.headers().lastHeader("contact-audit-run-id").value(), StandardCharsets.UTF_8))
                .isEqualTo("run-7");
        assertThat(new String(
                        first.headers().lastHeader("contact-audit-api-version").value(), StandardCharsets.UTF_8))
                .isEqualTo("2023-12-01-preview");
        assertThat(sent.get(1).key()).isEqualTo("abcdef00-0000-0000-0000-000000000002");
        assertThat(sent.get(1).value()).as("a tombstone").isNull();
    }

    @Test
    void aFailedSendFailsItsFuture() {
        MockProducer<String, SecurityContactSnapshot> producer = producer(false);
        SnapshotPublisher publisher =
                new SnapshotPublisher(producer, topics.snapshots().name());
        CompletableFuture<Void> sent = publisher.publish(snapshot());
        producer.errorNext(new org.apache.kafka.common.errors.TimeoutException("broker down"));
        assertThat(sent).isCompletedExceptionally();
        try {
            sent.get();
        } catch (ExecutionException | InterruptedException e) {
            assertThat(e.getCause()).hasMessage("broker down");
        }
    }

    @Test
    void aSnapshotTooLargeToPublishIsPublishedAsAnErrorWithoutItsPages() throws Exception {
        MockProducer<String, SecurityContactSnapshot> producer = producer(false);
        SnapshotPublisher publisher =
                new SnapshotPublisher(producer, topics.snapshots().name());
        CompletableFuture<Void> sent = publisher.publish(snapshot());
        producer.errorNext(new RecordTooLargeException("The message is 2097322 bytes when serialized which is larger "
                + "than 1048576, which is the value of the max.request.size configuration."));
        assertThat(sent).isNotDone();
        assertThat(producer.completeNext()).isTrue();
        sent.get();

        List<ProducerRecord<String, SecurityContactSnapshot>> records = producer.history();
        assertThat(records).hasSize(2);
        ProducerRecord<String, SecurityContactSnapshot> error = records.get(1);
        assertThat(error.key()).isEqualTo(records.get(0).key());
        assertThat(error.timestamp()).isEqualTo(records.get(0).timestamp());
        assertThat(error.value().getStatus()).isEqualTo(CollectionStatus.ERROR);
        assertThat(error.value().getRawBodies()).isEmpty();
        assertThat(error.value().getRunId()).isEqualTo("run-7");
        assertThat(error.value().getErrorMessage())
                .contains("too large to publish", "2097322 bytes", "max.request.size", "max.message.bytes");
        assertThat(HighSeverityAlertEmailRule.evaluate(error.value(), Profile.DEFAULT)
                        .verdict())
                .isEqualTo(Verdict.ERROR);
    }

    @Test
    void anErrorSnapshotWithPagesIsPublishedWithoutThemAndOneWithoutPagesFails() throws Exception {
        MockProducer<String, SecurityContactSnapshot> producer = producer(false);
        SnapshotPublisher publisher =
                new SnapshotPublisher(producer, topics.snapshots().name());
        // the collector keeps the pages of a list it could not read to the end (too many pages, a foreign nextLink)
        CompletableFuture<Void> withPages = publisher.publish(SecurityContactSnapshot.newBuilder(snapshot())
                .setStatus(CollectionStatus.ERROR)
                .setErrorMessage("more than 50 pages")
                .build());
        producer.errorNext(new RecordTooLargeException("too large"));
        assertThat(producer.completeNext()).isTrue();
        withPages.get();
        SecurityContactSnapshot sent = producer.history().get(1).value();
        assertThat(sent.getRawBodies()).isEmpty();
        assertThat(sent.getErrorMessage()).contains("too large to publish", "more than 50 pages");

        CompletableFuture<Void> withoutPages = publisher.publish(SecurityContactSnapshot.newBuilder(snapshot())
                .setStatus(CollectionStatus.ERROR)
                .setErrorMessage("x".repeat(100))
                .setRawBodies(List.of())
                .build());
        producer.errorNext(new RecordTooLargeException("too large"));
        assertThat(withoutPages).isCompletedExceptionally();
        assertThat(producer.history()).hasSize(3);
        assertThat(publisher.tooLarge()).isEqualTo(1);

        // the ERROR snapshot without the pages is still too large: counted as a failure, not as published
        CompletableFuture<Void> both = publisher.publish(snapshot());
        producer.errorNext(new RecordTooLargeException("too large"));
        producer.errorNext(new RecordTooLargeException("still too large"));
        assertThat(both).isCompletedExceptionally();
        assertThat(publisher.tooLarge()).isEqualTo(1);
    }
}

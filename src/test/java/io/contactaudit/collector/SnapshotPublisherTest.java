package io.contactaudit.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.contactaudit.kafka.Topics;
import io.contactaudit.schema.CollectionStatus;
import io.contactaudit.schema.SecurityContactSnapshot;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
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

    @Test
    void keysAreLowerCaseWithRunAndApiVersionHeadersAndTheCaptureTime() throws Exception {
        MockProducer<String, SecurityContactSnapshot> producer = new MockProducer<>(
                true,
                null,
                Serdes.String().serializer(),
                topics.snapshots().value().serializer());
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
        MockProducer<String, SecurityContactSnapshot> producer = new MockProducer<>(
                false,
                null,
                Serdes.String().serializer(),
                topics.snapshots().value().serializer());
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
}

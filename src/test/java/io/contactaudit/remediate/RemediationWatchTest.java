package io.contactaudit.remediate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.contactaudit.collector.ArmClient;
import io.contactaudit.collector.Collector;
import io.contactaudit.collector.Credentials;
import io.contactaudit.demo.ContactRenderer;
import io.contactaudit.demo.FakeArm;
import io.contactaudit.demo.Scenario;
import io.contactaudit.kafka.Topics;
import io.contactaudit.rule.Profile;
import io.contactaudit.schema.DriftEvent;
import io.contactaudit.schema.DriftKind;
import io.contactaudit.schema.DriftSeverity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.internals.AutoOffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Loop protection: a subscription whose fix keeps failing is tried at most N times within the window. */
class RemediationWatchTest {

    static final String SUB = "a0000000-0000-4000-8000-000000000001";
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void failedFixesAreRateLimited() throws Exception {
        List<JsonNode> records = watch(5, List.of(), true);
        assertThat(records)
                .extracting(r -> r.get("result").asText())
                .containsExactly("FAILED", "FAILED", "FAILED", "RATE_LIMITED", "RATE_LIMITED");
        assertThat(records.get(0).get("httpStatus").asInt()).isEqualTo(403);
        assertThat(records.get(0).get("error").asText()).contains("Microsoft.Security/securityContacts/write");
        assertThat(records.get(3).get("reason").asText()).contains("3 attempts within PT1H");
        assertThat(records)
                .allSatisfy(r -> assertThat(r.get("trigger").asText()).startsWith("drift-"));
    }

    @Test
    void aRestartedWatchRemembersTheAttemptsAndFixesOfTheOneBefore() throws Exception {
        Instant now = Instant.now();
        List<JsonNode> records = watch(
                2,
                List.of(
                        record("watch", "FAILED", now.minus(Duration.ofHours(2))), // outside the window
                        record("watch", "FAILED", now.minus(Duration.ofMinutes(20))),
                        record("apply", "FAILED", now.minus(Duration.ofMinutes(15))), // not the watch's
                        record("watch", "RATE_LIMITED", now.minus(Duration.ofMinutes(12))), // not an attempt
                        record("watch", "FAILED", now.minus(Duration.ofMinutes(10)))),
                true);
        assertThat(records).extracting(r -> r.get("result").asText()).containsExactly("FAILED", "RATE_LIMITED");

        List<JsonNode> contested =
                watch(1, List.of(record("watch", "VERIFIED", now.minus(Duration.ofMinutes(5)))), false);
        assertThat(contested).singleElement().satisfies(r -> {
            assertThat(r.get("result").asText()).isEqualTo("CONTESTED");
            assertThat(r.get("reason").asText()).contains("after a verified fix");
        });
    }

    static byte[] record(String mode, String result, Instant at) {
        return JSON.createObjectNode()
                .put("subscriptionId", SUB)
                .put("mode", mode)
                .put("result", result)
                .put("at", at.toString())
                .toString()
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Runs a watch (3 attempts an hour, contested within an hour) over {@code events} REGRESSED events of SUB, after it
     * remembered {@code before}; with {@code denyWrites} every write is refused. The records it wrote.
     */
    static List<JsonNode> watch(int events, List<byte[]> before, boolean denyWrites) throws Exception {
        Topics topics = Topics.create("rl");
        TopicPartition partition = new TopicPartition(topics.drift().name(), 0);
        MockConsumer<String, byte[]> consumer = new MockConsumer<>(AutoOffsetResetStrategy.EARLIEST.name());
        List<JsonNode> records = new CopyOnWriteArrayList<>();
        try (FakeArm arm = FakeArm.start(new Scenario(
                "t",
                100,
                0,
                List.of(new Scenario.Subscription(
                        SUB,
                        "a",
                        "Enabled",
                        ContactRenderer.V2023,
                        List.of(new Scenario.Contact(
                                "default", true, List.of("secops@contoso.com"), "Off", List.of(), null)),
                        null,
                        null,
                        null,
                        null))))) {
            if (denyWrites) {
                arm.denyWrites(SUB); // the remediation identity lacks the write permission: every attempt fails
            }
            ArmClient client = new ArmClient(
                    ArmClient.Settings.defaults().withEndpoint(arm.endpoint()),
                    Credentials.fixed("test"),
                    arm.clientSslContext(),
                    Clock.systemUTC());
            Remediator remediator = new Remediator(
                    new Collector(client, Collector.Settings.defaults(), Clock.systemUTC()),
                    client,
                    Profile.DEFAULT,
                    "High",
                    List.of(),
                    null);
            RemediationWatch watch = new RemediationWatch(
                    consumer,
                    topics.drift(),
                    remediator,
                    (sub, record) -> {
                        try {
                            records.add(JSON.readTree(record));
                        } catch (IOException e) {
                            throw new IllegalStateException(e);
                        }
                    },
                    new RemediationWatch.Settings(SUB::equals, 3, Duration.ofHours(1), Duration.ofHours(1)),
                    "test",
                    Clock.systemUTC());
            before.forEach(watch::remember);
            consumer.schedulePollTask(() -> {
                consumer.rebalance(List.of(partition));
                consumer.updateBeginningOffsets(Map.of(partition, 0L));
                for (int i = 0; i < events; i++) {
                    consumer.addRecord(new ConsumerRecord<>(
                            partition.topic(),
                            0,
                            i,
                            SUB,
                            topics.drift().value().serializer().serialize(partition.topic(), regressed(i))));
                }
            });
            consumer.schedulePollTask(watch::stop);
            watch.run();
        }
        return records;
    }

    static DriftEvent regressed(int i) {
        return DriftEvent.newBuilder()
                .setEventId("drift-" + i)
                .setFindingId("f")
                .setSubscriptionId(SUB)
                .setKind(DriftKind.REGRESSED)
                .setSeverity(DriftSeverity.HIGH)
                .setRuleId("r")
                .setRuleVersion("1")
                .setProfile("default")
                .setDetectedAt(Instant.parse("2026-03-01T10:00:00Z").plusSeconds(i))
                .build();
    }
}

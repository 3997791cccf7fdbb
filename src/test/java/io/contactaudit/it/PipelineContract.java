package io.contactaudit.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.contactaudit.app.EvaluatorApp;
import io.contactaudit.app.KafkaSetup;
import io.contactaudit.collector.ArmClient;
import io.contactaudit.collector.Collector;
import io.contactaudit.collector.CollectorLoop;
import io.contactaudit.collector.Credentials;
import io.contactaudit.collector.RunSummary;
import io.contactaudit.collector.SnapshotPublisher;
import io.contactaudit.config.ContactAuditConfig;
import io.contactaudit.demo.FakeArm;
import io.contactaudit.demo.Scenario;
import io.contactaudit.evaluate.StreamsRunner;
import io.contactaudit.kafka.Topics;
import io.contactaudit.schema.ComplianceFinding;
import io.contactaudit.schema.DeadLetter;
import io.contactaudit.schema.DriftEvent;
import io.contactaudit.schema.DriftKind;
import io.contactaudit.schema.FindingActivity;
import io.contactaudit.schema.PostureState;
import io.contactaudit.schema.Verdict;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end on a real broker: a FakeArm scenario → the collector → the broker → the topology → a
 * read_committed consumer sees exactly the expected findings, drift, posture and dead letters. Runs
 * against each kind of broker a subclass provides.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
abstract class PipelineContract {

    static final String TENANT = "11111111-2222-3333-4444-555555555555";
    static final String COMPLIANT = "40000000-0000-0000-0000-000000000001";
    static final String FAILING = "40000000-0000-0000-0000-000000000002";
    static final String LOCKED = "40000000-0000-0000-0000-000000000003";
    static final String BROKEN = "40000000-0000-0000-0000-000000000004";
    static final String LEGACY = "40000000-0000-0000-0000-000000000005";

    @TempDir
    Path dir;

    /** The broker this run uses. */
    abstract String bootstrapServers();

    static Scenario.Subscription sub(String id, String generation, String alerts) {
        return new Scenario.Subscription(
                id,
                "sub-" + id.substring(id.length() - 1),
                "Enabled",
                generation,
                List.of(new Scenario.Contact(
                        null, true, List.of("secops@contoso.com"), alerts, List.of("Owner"), null)),
                null,
                null,
                null,
                null);
    }

    static Scenario tenant(String compliantSeverity, String failingAlerts) {
        return new Scenario(
                TENANT,
                2,
                0,
                List.of(
                        sub(COMPLIANT, "2023-12-01-preview", compliantSeverity),
                        sub(FAILING, "2023-12-01-preview", failingAlerts),
                        sub(LOCKED, null, "High")
                                .withFaults(
                                        List.of(new Scenario.Fault(403, null, -1, "AuthorizationFailed", "denied"))),
                        sub(BROKEN, null, "High").withBody("{\"value\": [ {\"name\": "),
                        sub(LEGACY, "2020-01-01-preview", "Low")));
    }

    @Test
    void collectorToTopologyToCommittedReaders() throws Exception {
        String bootstrap = bootstrapServers();
        String prefix = TestKafka.uniquePrefix("pipeline");
        ContactAuditConfig config = ContactAuditConfig.of(Map.of(
                ContactAuditConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ContactAuditConfig.TOPIC_PREFIX_CONFIG,
                prefix,
                ContactAuditConfig.STATE_DIR_CONFIG,
                dir.resolve("state").toString(),
                ContactAuditConfig.TOPICS_PARTITIONS_CONFIG,
                "3"));
        Topics topics = Topics.create(prefix);
        KafkaSetup.prepare(config, topics);

        try (FakeArm arm = FakeArm.start(tenant("High", "Off"));
                SnapshotPublisher publisher =
                        SnapshotPublisher.create(config.kafkaClientProperties(), topics.snapshots());
                StreamsRunner runner = EvaluatorApp.create(config, topics).runner()) {
            runner.start();
            ArmClient client = new ArmClient(
                    ArmClient.Settings.defaults().withEndpoint(arm.endpoint()),
                    Credentials.fixed("it"),
                    arm.clientSslContext(),
                    Clock.systemUTC());
            CollectorLoop loop = new CollectorLoop(
                    new Collector(client, Collector.Settings.defaults(), Clock.systemUTC()),
                    publisher,
                    config.kafkaClientProperties(),
                    topics.posture(),
                    config.kafkaTimeout(),
                    Collector.Progress.NONE);

            RunSummary first = loop.once();
            assertThat(first.published()).isEqualTo(5);
            List<ConsumerRecord<String, ComplianceFinding>> created = TestKafka.readCommitted(
                    bootstrap,
                    topics.findings().name(),
                    Serdes.String().deserializer(),
                    topics.findings().value().deserializer(),
                    5,
                    Duration.ofSeconds(90));
            assertThat(created)
                    .extracting(
                            r -> r.value().getSubscriptionId(),
                            r -> r.value().getVerdict(),
                            r -> r.value().getActivity())
                    .containsExactlyInAnyOrder(
                            tuple(COMPLIANT, Verdict.PASS, FindingActivity.CREATE),
                            tuple(FAILING, Verdict.FAIL, FindingActivity.CREATE),
                            tuple(LOCKED, Verdict.ERROR, FindingActivity.CREATE),
                            tuple(BROKEN, Verdict.ERROR, FindingActivity.CREATE),
                            tuple(LEGACY, Verdict.PASS, FindingActivity.CREATE));

            // garbage on the input: dead-lettered, and the pipeline keeps evaluating
            byte[] garbage = "not a snapshot".getBytes(StandardCharsets.UTF_8);
            RecordMetadata poison;
            try (KafkaProducer<String, byte[]> producer = TestKafka.producer(
                    bootstrap, Serdes.String().serializer(), Serdes.ByteArray().serializer())) {
                poison = producer.send(new ProducerRecord<>(topics.snapshots().name(), COMPLIANT, garbage))
                        .get();
            }

            // the tenant changes: a severity lowered (still PASS), a contact fixed, the legacy subscription gone
            arm.scenario(new Scenario(
                    TENANT, 2, 0, tenant("Low", "Medium").subscriptions().subList(0, 4)));
            RunSummary second = loop.once();
            assertThat(second.removed())
                    .as("the vanished subscription is announced once")
                    .isEqualTo(1);
            assertThat(second.published()).isEqualTo(5);

            List<ConsumerRecord<String, DriftEvent>> drift = TestKafka.readCommitted(
                    bootstrap,
                    topics.drift().name(),
                    Serdes.String().deserializer(),
                    topics.drift().value().deserializer(),
                    3,
                    Duration.ofSeconds(60));
            assertThat(drift)
                    .extracting(
                            r -> r.value().getSubscriptionId(), r -> r.value().getKind())
                    .containsExactlyInAnyOrder(
                            tuple(COMPLIANT, DriftKind.CONFIG_CHANGED),
                            tuple(FAILING, DriftKind.REMEDIATED),
                            tuple(LEGACY, DriftKind.SUBSCRIPTION_REMOVED));
            DriftEvent lowered = drift.stream()
                    .map(ConsumerRecord::value)
                    .filter(d -> d.getKind() == DriftKind.CONFIG_CHANGED)
                    .findFirst()
                    .orElseThrow();
            assertThat(lowered.getChanges())
                    .extracting(c -> c.getPath(), c -> c.getBefore(), c -> c.getAfter())
                    .containsExactly(
                            tuple("contacts[default].notificationSources[Alert].minimalSeverity", "High", "Low"));

            // findings.emit=changes (the default): the two subscriptions that stay unreadable, with the same cause,
            // emit nothing new
            List<ConsumerRecord<String, ComplianceFinding>> findings = TestKafka.readCommitted(
                    bootstrap,
                    topics.findings().name(),
                    Serdes.String().deserializer(),
                    topics.findings().value().deserializer(),
                    8,
                    Duration.ofSeconds(60));
            assertThat(findings).hasSize(8);
            assertThat(findings.stream()
                            .map(r -> r.value().getEventId())
                            .distinct()
                            .count())
                    .isEqualTo(8);
            assertThat(findings)
                    .filteredOn(r -> r.value().getActivity() != FindingActivity.CREATE)
                    .extracting(r -> r.value().getSubscriptionId())
                    .containsExactlyInAnyOrder(COMPLIANT, FAILING, LEGACY);
            assertThat(findings)
                    .filteredOn(r -> r.value().getSubscriptionId().equals(LEGACY))
                    .extracting(r -> r.value().getActivity())
                    .containsExactly(FindingActivity.CREATE, FindingActivity.CLOSE);

            // the posture topic gets a record only when a reader sees a change: not for the second error in a row
            List<ConsumerRecord<String, PostureState>> posture = TestKafka.readCommitted(
                    bootstrap,
                    topics.posture().name(),
                    Serdes.String().deserializer(),
                    topics.posture().value().deserializer(),
                    8,
                    Duration.ofSeconds(60));
            assertThat(posture).hasSize(8);
            Map<String, PostureState> latest = new java.util.HashMap<>();
            posture.forEach(r -> latest.put(r.key(), r.value()));
            assertThat(latest.get(COMPLIANT).getVerdict()).isEqualTo(Verdict.PASS);
            assertThat(latest.get(FAILING).getVerdict()).isEqualTo(Verdict.PASS);
            assertThat(latest.get(LOCKED).getVerdict()).isEqualTo(Verdict.ERROR);
            assertThat(latest.get(LOCKED).getConsecutiveErrors())
                    .as("as of the record: the count goes on in the store")
                    .isEqualTo(1);
            assertThat(latest).containsKey(LEGACY);
            assertThat(latest.get(LEGACY)).as("a tombstone").isNull();

            List<ConsumerRecord<byte[], DeadLetter>> dlq = TestKafka.readCommitted(
                    bootstrap,
                    topics.dlq().name(),
                    Serdes.ByteArray().deserializer(),
                    topics.dlq().value().deserializer(),
                    1,
                    Duration.ofSeconds(30));
            assertThat(dlq).hasSize(1);
            assertThat(dlq.get(0).value().getStage()).isEqualTo("DESERIALIZATION");
            assertThat(dlq.get(0).value().getSourcePartition()).isEqualTo(poison.partition());
            assertThat(dlq.get(0).value().getSourceOffset()).isEqualTo(poison.offset());
            assertThat(runner.state()).isEqualTo(KafkaStreams.State.RUNNING);
        }
    }
}

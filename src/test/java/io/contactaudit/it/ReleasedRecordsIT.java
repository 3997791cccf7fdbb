package io.contactaudit.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.contactaudit.ReleasedRecords;
import io.contactaudit.kafka.AvroSerdes;
import io.contactaudit.kafka.SchemaRegistration;
import io.contactaudit.kafka.SingleObjectAvroSerde;
import io.contactaudit.kafka.Topics;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Registry mode reads what every release wrote: the committed Confluent-framed records of each release
 * ({@link ReleasedRecords}) decode through the production serde (Apicurio's, content ids) against a real registry
 * (Apicurio 3.3.3) that holds the release's schemas.
 *
 * <p>Schema ids belong to the registry that assigned them: the id in a fixture's header is the one the registry that
 * wrote it gave the release's schema. This test registers the release's schema in its own registry, as a deployment
 * of that release did, and puts the id this registry gave it into the header before decoding; the body, the part a
 * release's code wrote, is decoded unchanged.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ReleasedRecordsIT {

    static final AvroSerdes SERDES =
            AvroSerdes.registry(TestRegistry.url(), AvroSerdes.RegistrySerde.APICURIO, false, Map.of());

    /** Registers a release's schema of one fixture's record under that topic's subject; its id. */
    static int register(String prefix, ReleasedRecords.Fixture<?> fixture, Schema schema) throws Exception {
        String subject = fixture.topic(prefix) + "-value";
        return new SchemaRegistration(TestRegistry.url(), null)
                .register(Map.of(subject, schema), "BACKWARD")
                .get(0)
                .id();
    }

    @Test
    void registryRecordsOfEveryReleaseDecodeThroughTheSerde() throws Exception {
        // another deployment's registry holds other schemas too: its ids are not the writing registry's
        String unrelated = "Unrelated" + UUID.randomUUID().toString().replace("-", "");
        new SchemaRegistration(TestRegistry.url(), null)
                .register(
                        Map.of(
                                TestKafka.uniquePrefix("unrelated") + "-value",
                                new Schema.Parser()
                                        .parse("{\"type\":\"record\",\"name\":\"" + unrelated
                                                + "\",\"fields\":[{\"name\":\"x\",\"type\":\"long\"}]}")),
                        "BACKWARD");
        int decoded = 0;
        for (String release : SingleObjectAvroSerde.releases()) {
            String prefix = TestKafka.uniquePrefix("released-" + release);
            for (ReleasedRecords.Fixture<?> fixture : ReleasedRecords.all()) {
                Schema writer =
                        SingleObjectAvroSerde.released(fixture.schemaName()).get(release);
                if (writer == null) {
                    continue;
                }
                int id = register(prefix, fixture, writer);
                byte[] bytes = ReleasedRecords.read(release, ReleasedRecords.REGISTRY, fixture.dataset());
                assertThat(bytes[0]).as("Confluent magic byte").isZero();
                ByteBuffer.wrap(bytes).putInt(1, id);

                Object record = SERDES.serde(fixture.type()).deserializer().deserialize(fixture.topic(prefix), bytes);
                fixture.verify(record);
                decoded++;
            }
        }
        assertThat(decoded)
                .as("records decoded")
                .isGreaterThanOrEqualTo(ReleasedRecords.all().size());
    }

    /**
     * The deploy step of an upgrade: a registry holding the first release's schemas under every subject accepts
     * today's, under BACKWARD, through the same registration {@code contact-audit schemas register} runs (its own check
     * against the latest version, then the registry's).
     */
    @Test
    void schemasRegisterAcceptsTodaysSchemasOverTheFirstReleaseUnderBackward() throws Exception {
        String prefix = TestKafka.uniquePrefix("upgrade");
        String first = SingleObjectAvroSerde.releases().get(0);
        Map<String, Integer> firstIds = new HashMap<>();
        for (ReleasedRecords.Fixture<?> fixture : ReleasedRecords.all()) {
            if (!SingleObjectAvroSerde.released(fixture.schemaName()).containsKey(first)) {
                continue; // a topic of a later release: its subject is new
            }
            firstIds.put(
                    fixture.topic(prefix) + "-value",
                    register(
                            prefix,
                            fixture,
                            SingleObjectAvroSerde.released(fixture.schemaName()).get(first)));
        }
        Topics topics = Topics.create(prefix);
        Map<String, Schema> today = SchemaRegistration.subjects(topics);
        assertThat(today.keySet()).containsAll(firstIds.keySet());
        List<SchemaRegistration.Result> registered =
                new SchemaRegistration(TestRegistry.url(), null).register(today, "BACKWARD");
        assertThat(registered)
                .filteredOn(SchemaRegistration.Result::created)
                .extracting(SchemaRegistration.Result::subject)
                .as("the subjects of topics added since the first release")
                .containsExactly(topics.exceptions().name() + "-value");
        assertThat(registered)
                .filteredOn(r -> !r.created() && r.id() != firstIds.get(r.subject()))
                .extracting(SchemaRegistration.Result::subject)
                .as("a new version of each schema this release changed, the others as they were")
                .containsExactlyInAnyOrder(
                        topics.snapshots().name() + "-value",
                        topics.findings().name() + "-value",
                        topics.drift().name() + "-value",
                        topics.posture().name() + "-value");
    }

    /**
     * The deploy step of the latest upgrade: a registry holding the release before the newest under every subject
     * accepts today's schemas under BACKWARD through {@code contact-audit schemas register}'s registration: a new
     * version of each schema that changed since, the others as they were, no subject created.
     */
    @Test
    void schemasRegisterAcceptsTodaysSchemasOverThePreviousReleaseUnderBackward() throws Exception {
        String prefix = TestKafka.uniquePrefix("upgrade-previous");
        List<String> releases = SingleObjectAvroSerde.releases();
        String previous = releases.get(releases.size() - 2);
        Topics topics = Topics.create(prefix);
        Map<String, Schema> today = SchemaRegistration.subjects(topics);
        Map<String, Integer> previousIds = new HashMap<>();
        for (ReleasedRecords.Fixture<?> fixture : ReleasedRecords.all()) {
            previousIds.put(
                    fixture.topic(prefix) + "-value",
                    register(
                            prefix,
                            fixture,
                            SingleObjectAvroSerde.released(fixture.schemaName()).get(previous)));
        }
        assertThat(previousIds.keySet()).as("every subject existed already").isEqualTo(today.keySet());

        List<SchemaRegistration.Result> registered =
                new SchemaRegistration(TestRegistry.url(), null).register(today, "BACKWARD");

        assertThat(registered).noneMatch(SchemaRegistration.Result::created);
        assertThat(registered)
                .filteredOn(r -> r.id() != previousIds.get(r.subject()))
                .extracting(SchemaRegistration.Result::subject)
                .as("a new version of each schema changed since release " + previous + ", the others as they were")
                .containsExactlyInAnyOrder( // what release 4 changed: the tenancy fields
                        topics.snapshots().name() + "-value",
                        topics.findings().name() + "-value",
                        topics.drift().name() + "-value",
                        topics.posture().name() + "-value");
    }

    /**
     * Not a check: writes the newest release's registry-mode fixtures with today's serde against this registry
     * ({@code -Dreleased.records.write=true}, see src/test/resources/released-records/README.md).
     */
    @Test
    @EnabledIfSystemProperty(named = ReleasedRecords.WRITE_SWITCH, matches = "true")
    void writeTheNewestReleasesRegistryRecords() throws Exception {
        String release = ReleasedRecords.newestRelease();
        String prefix = TestKafka.uniquePrefix("write-" + release);
        for (ReleasedRecords.Fixture<?> fixture : ReleasedRecords.all()) {
            register(
                    prefix,
                    fixture,
                    SingleObjectAvroSerde.released(fixture.schemaName()).get(release));
            ReleasedRecords.write(release, ReleasedRecords.REGISTRY, fixture.dataset(), encode(prefix, fixture));
        }
    }

    private static <T extends SpecificRecord> byte[] encode(String prefix, ReleasedRecords.Fixture<T> fixture) {
        return SERDES.serde(fixture.type()).serializer().serialize(fixture.topic(prefix), fixture.record());
    }
}

package io.contactaudit.evaluate;

import static io.contactaudit.evaluate.TestSnapshots.SUB;
import static io.contactaudit.evaluate.TestSnapshots.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.contactaudit.ReleasedRecords;
import io.contactaudit.exceptions.ExceptionRequest;
import io.contactaudit.exceptions.Exceptions;
import io.contactaudit.kafka.SingleObjectAvroSerde;
import io.contactaudit.kafka.Topics;
import io.contactaudit.rule.HighSeverityAlertEmailRule;
import io.contactaudit.rule.Profile;
import io.contactaudit.schema.ComplianceException;
import io.contactaudit.schema.ComplianceFinding;
import io.contactaudit.schema.DeadLetter;
import io.contactaudit.schema.DriftEvent;
import io.contactaudit.schema.DriftKind;
import io.contactaudit.schema.DriftSeverity;
import io.contactaudit.schema.ExceptionCategory;
import io.contactaudit.schema.FieldChange;
import io.contactaudit.schema.FindingActivity;
import io.contactaudit.schema.PostureState;
import io.contactaudit.schema.SecurityContactSnapshot;
import io.contactaudit.schema.Verdict;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluateTopologyTest {

    static final Duration STALE_AFTER = Duration.ofMinutes(45);
    static final Duration STALE_CHECK = Duration.ofMinutes(1);
    static final Instant WALL_CLOCK = T0.plus(Duration.ofDays(1));
    static final ObjectMapper JSON = new ObjectMapper();

    final Topics topics = Topics.create(Topics.DEFAULT_PREFIX);

    @TempDir
    Path stateDir;

    TopologyTestDriver driver;
    TestInputTopic<String, byte[]> snapshots;
    FindingsAndOcsf findings;
    TestOutputTopic<String, DriftEvent> drift;
    TestOutputTopic<String, PostureState> posture;
    TestOutputTopic<byte[], DeadLetter> dlq;
    TestOutputTopic<String, String> ocsf;
    TestInputTopic<String, ComplianceException> exceptions;

    @BeforeEach
    void start() {
        start(Profile.DEFAULT, T0);
    }

    void start(Profile profile, Instant wallClock) {
        start(profile, wallClock, EvaluateSnapshots.SCAN_SLICE);
    }

    void start(Profile profile, Instant wallClock, Duration scanSlice) {
        start(new EvaluateTopology.Settings(profile, STALE_AFTER, STALE_CHECK), wallClock, scanSlice);
    }

    void start(EvaluateTopology.Settings settings, Instant wallClock, Duration scanSlice) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "contact-audit-evaluate-v1");
        props.put(
                StreamsConfig.STATE_DIR_CONFIG,
                stateDir.toString()); // not the shared /tmp/kafka-streams: other builds run beside this one
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(EvaluateTopology.build(topics, settings, scanSlice), props, wallClock);
        snapshots = driver.createInputTopic(
                topics.snapshots().name(),
                Serdes.String().serializer(),
                Serdes.ByteArray().serializer());
        drift = driver.createOutputTopic(
                topics.drift().name(),
                Serdes.String().deserializer(),
                topics.drift().value().deserializer());
        posture = driver.createOutputTopic(
                topics.posture().name(),
                Serdes.String().deserializer(),
                topics.posture().value().deserializer());
        dlq = driver.createOutputTopic(
                topics.dlq().name(),
                Serdes.ByteArray().deserializer(),
                topics.dlq().value().deserializer());
        ocsf = driver.createOutputTopic(
                topics.findingsOcsf().name(),
                Serdes.String().deserializer(),
                Serdes.String().deserializer());
        exceptions = driver.createInputTopic(
                topics.exceptions().name(),
                Serdes.String().serializer(),
                topics.exceptions().value().serializer());
        findings = new FindingsAndOcsf(driver.createOutputTopic(
                topics.findings().name(),
                Serdes.String().deserializer(),
                topics.findings().value().deserializer()));
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    void send(SecurityContactSnapshot snapshot) {
        byte[] value = topics.snapshots()
                .value()
                .serializer()
                .serialize(topics.snapshots().name(), snapshot);
        snapshots.pipeInput(snapshot.getSubscriptionId(), value, snapshot.getCollectedAt());
    }

    /**
     * The findings topic, read together with the OCSF topic: each finding read takes its OCSF event, which must be next
     * on that topic, keyed by the finding id and carrying the finding's event id.
     */
    final class FindingsAndOcsf {
        private final TestOutputTopic<String, ComplianceFinding> avro;

        FindingsAndOcsf(TestOutputTopic<String, ComplianceFinding> avro) {
            this.avro = avro;
        }

        KeyValue<String, ComplianceFinding> readKeyValue() {
            KeyValue<String, ComplianceFinding> finding = avro.readKeyValue();
            assertThat(ocsf.isEmpty())
                    .as("the OCSF event of finding " + finding.value.getEventId())
                    .isFalse();
            KeyValue<String, String> event = ocsf.readKeyValue();
            assertThat(event.key).isEqualTo(finding.value.getFindingId());
            assertThat(event.value).contains("\"uid\":\"" + finding.value.getEventId() + "\"");
            return finding;
        }

        ComplianceFinding readValue() {
            return readKeyValue().value;
        }

        List<ComplianceFinding> readValuesToList() {
            List<ComplianceFinding> all = new ArrayList<>();
            while (!avro.isEmpty()) {
                all.add(readValue());
            }
            return all;
        }

        boolean isEmpty() {
            return avro.isEmpty();
        }
    }

    void assertNothingElse() {
        assertThat(findings.isEmpty()).as("findings").isTrue();
        assertThat(ocsf.isEmpty()).as("findings-ocsf").isTrue();
        assertThat(drift.isEmpty()).as("drift").isTrue();
        assertThat(posture.isEmpty()).as("posture").isTrue();
        assertThat(dlq.isEmpty()).as("dlq").isTrue();
    }

    PostureState stored() {
        KeyValueStore<String, byte[]> store = driver.getKeyValueStore(EvaluateTopology.STORE);
        byte[] bytes = store.get(SUB);
        return bytes == null
                ? null
                : topics.posture()
                        .value()
                        .deserializer()
                        .deserialize(topics.posture().name(), bytes);
    }

    @Test
    void firstSnapshotCreatesTheFindingAndPostureWithoutDrift() {
        send(TestSnapshots.passing(T0));

        ComplianceFinding finding = findings.readValue();
        assertThat(finding.getActivity()).isEqualTo(FindingActivity.CREATE);
        assertThat(finding.getVerdict()).isEqualTo(Verdict.PASS);
        assertThat(finding.getSubscriptionId()).isEqualTo(SUB);
        assertThat(finding.getTenantId()).isEqualTo("tenant-1");
        assertThat(finding.getRuleId()).isEqualTo("cis-azure-1.3.0-2.14");
        assertThat(finding.getProfile()).isEqualTo("default");
        assertThat(finding.getCollectedAt()).isEqualTo(T0);
        assertThat(finding.getEvaluatedAt()).isEqualTo(T0);
        assertThat(finding.getFirstSeenAt()).isEqualTo(T0);
        assertThat(finding.getLastStatusChangeAt()).isEqualTo(T0);
        assertThat(finding.getReasons()).extracting(r -> r.getCode()).containsExactly("ALERT_EMAILS_ENABLED");
        assertThat(finding.getEvidence()).isNotEmpty();

        KeyValue<String, PostureState> state = posture.readKeyValue();
        assertThat(state.key).isEqualTo(SUB);
        assertThat(state.value.getVerdict()).isEqualTo(Verdict.PASS);
        assertThat(state.value.getLastGoodVerdict()).isEqualTo(Verdict.PASS);
        assertThat(state.value.getSince()).isEqualTo(T0);
        assertThat(state.value.getSummary()).isEqualTo("default: enabled, Alert>=Medium, 1 e-mail");
        assertThat(state.value.getContacts()).hasSize(1);
        assertThat(state.value.getLastFindingEventId()).isEqualTo(finding.getEventId());
        assertNothingElse();
    }

    @Test
    void everyFindingIsAlsoAnOcsfEventKeyedByTheFindingId() throws Exception {
        send(TestSnapshots.passing(T0));
        send(TestSnapshots.failing(T0.plusSeconds(900)));
        List<KeyValue<String, String>> events = ocsf.readKeyValuesToList();
        List<ComplianceFinding> all = findings.avro.readValuesToList();
        assertThat(events).hasSize(2);
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.JsonNode second = json.readTree(events.get(1).value);
        assertThat(events.get(1).key)
                .isEqualTo(all.get(1).getFindingId())
                .isEqualTo(second.at("/finding_info/uid").asText());
        assertThat(second.at("/metadata/uid").asText()).isEqualTo(all.get(1).getEventId());
        assertThat(second.get("activity_id").asInt()).isEqualTo(2);
        assertThat(second.at("/compliance/status").asText()).isEqualTo("Fail");
        assertThat(second.at("/unmapped/drift_kinds/0").asText()).isEqualTo("REGRESSED");
        assertThat(json.readTree(events.get(0).value).get("activity_id").asInt())
                .isEqualTo(1);
    }

    @Test
    void regressionAndRemediationCarryBeforeAndAfter() {
        send(TestSnapshots.passing(T0));
        send(TestSnapshots.failing(T0.plusSeconds(900)));
        send(TestSnapshots.passing(T0.plusSeconds(1800)));

        List<ComplianceFinding> all = findings.readValuesToList();
        assertThat(all)
                .extracting(ComplianceFinding::getVerdict, ComplianceFinding::getActivity)
                .containsExactly(
                        tuple(Verdict.PASS, FindingActivity.CREATE),
                        tuple(Verdict.FAIL, FindingActivity.UPDATE),
                        tuple(Verdict.PASS, FindingActivity.UPDATE));
        assertThat(all)
                .extracting(ComplianceFinding::getLastStatusChangeAt)
                .containsExactly(T0, T0.plusSeconds(900), T0.plusSeconds(1800));
        assertThat(all).extracting(ComplianceFinding::getFirstSeenAt).containsOnly(T0);

        List<DriftEvent> events = drift.readValuesToList();
        assertThat(events)
                .extracting(
                        DriftEvent::getKind,
                        DriftEvent::getSeverity,
                        DriftEvent::getPreviousVerdict,
                        DriftEvent::getCurrentVerdict)
                .containsExactly(
                        tuple(DriftKind.REGRESSED, DriftSeverity.HIGH, Verdict.PASS, Verdict.FAIL),
                        tuple(DriftKind.REMEDIATED, DriftSeverity.LOW, Verdict.FAIL, Verdict.PASS));
        String path = "contacts[default].notificationSources[Alert].minimalSeverity";
        assertThat(events.get(0).getChanges())
                .extracting(FieldChange::getPath, FieldChange::getBefore, FieldChange::getAfter)
                .containsExactly(tuple(path, "Medium", "Critical"));
        assertThat(events.get(1).getChanges())
                .extracting(FieldChange::getPath, FieldChange::getBefore, FieldChange::getAfter)
                .containsExactly(tuple(path, "Critical", "Medium"));
        assertThat(events.get(0).getPreviousCollectedAt()).isEqualTo(T0);
        assertThat(events.get(0).getCollectedAt()).isEqualTo(T0.plusSeconds(900));
        assertThat(posture.readValuesToList()).hasSize(3);
        assertNothingElse();
    }

    @Test
    void sameVerdictWithChangedSettingsIsConfigChanged() {
        send(TestSnapshots.passing(T0));
        send(TestSnapshots.ok(TestSnapshots.body(true, "Low", "sec@contoso.com"), T0.plusSeconds(900)));
        send(TestSnapshots.ok(TestSnapshots.body(true, "Low", ""), T0.plusSeconds(1800)));

        List<DriftEvent> events = drift.readValuesToList();
        assertThat(events)
                .extracting(DriftEvent::getKind, DriftEvent::getPreviousVerdict, DriftEvent::getCurrentVerdict)
                .containsExactly(
                        tuple(DriftKind.CONFIG_CHANGED, Verdict.PASS, Verdict.PASS),
                        tuple(DriftKind.CONFIG_CHANGED, Verdict.PASS, Verdict.PASS));
        assertThat(events.get(0).getChanges())
                .extracting(FieldChange::getPath, FieldChange::getBefore, FieldChange::getAfter)
                .containsExactly(
                        tuple("contacts[default].notificationSources[Alert].minimalSeverity", "Medium", "Low"));
        assertThat(events.get(1).getChanges())
                .extracting(FieldChange::getPath, FieldChange::getBefore, FieldChange::getAfter)
                .containsExactly(tuple("contacts[default].emails", "sec@contoso.com", ""));
        List<ComplianceFinding> all = findings.readValuesToList();
        assertThat(all.get(2).getWarnings()).extracting(r -> r.getCode()).containsExactly("NO_RECIPIENTS");
        assertThat(all).extracting(ComplianceFinding::getLastStatusChangeAt).containsOnly(T0);
        posture.readValuesToList();
        assertNothingElse();
    }

    @Test
    void disablingTheContactIsARegressionOnIsEnabled() {
        send(TestSnapshots.passing(T0));
        send(TestSnapshots.ok(TestSnapshots.body(false, "Medium", "sec@contoso.com"), T0.plusSeconds(900)));
        DriftEvent event = drift.readValue();
        assertThat(event.getKind()).isEqualTo(DriftKind.REGRESSED);
        assertThat(event.getChanges())
                .extracting(FieldChange::getPath, FieldChange::getBefore, FieldChange::getAfter)
                .containsExactly(tuple("contacts[default].isEnabled", "true", "false"));
        assertThat(event.getReasons()).extracting(r -> r.getCode()).containsExactly("CONTACT_DISABLED");
    }

    @Test
    void contactsAddedAndRemovedAreChanges() {
        String two = """
            {"value":[{"name":"default","properties":{"isEnabled":true,"emails":"a@x.com",
                "notificationsSources":[{"sourceType":"Alert","minimalSeverity":"High"}]}},
              {"name":"secondary","properties":{"alertNotifications":"Off","email":"b@x.com"}}]}
            """;
        send(TestSnapshots.ok(two, T0));
        send(TestSnapshots.ok(
                two.replace(",\n  {\"name\":\"secondary\"", "\n  ,{\"name\":\"other\""), T0.plusSeconds(60)));
        List<FieldChange> changes = drift.readValue().getChanges();
        assertThat(changes).extracting(FieldChange::getPath).containsExactly("contacts[other]", "contacts[secondary]");
        assertThat(changes.get(0).getBefore()).isNull();
        assertThat(changes.get(0).getAfter()).isEqualTo("alerts Off, 1 e-mail");
        assertThat(changes.get(1).getAfter()).isNull();
    }

    @Test
    void anErrorKeepsTheLastGoodStateAndRecoveryComparesAgainstIt() {
        send(TestSnapshots.passing(T0));
        send(TestSnapshots.forbidden(T0.plusSeconds(900)));
        send(TestSnapshots.forbidden(T0.plusSeconds(1800)));

        List<ComplianceFinding> all = findings.readValuesToList();
        assertThat(all)
                .extracting(ComplianceFinding::getVerdict)
                .containsExactly(Verdict.PASS, Verdict.ERROR, Verdict.ERROR);
        assertThat(all.get(1).getReasons()).extracting(r -> r.getCode()).containsExactly("COLLECTION_FORBIDDEN");
        List<DriftEvent> events = drift.readValuesToList();
        assertThat(events)
                .extracting(
                        DriftEvent::getKind,
                        DriftEvent::getSeverity,
                        DriftEvent::getPreviousVerdict,
                        DriftEvent::getCurrentVerdict)
                .containsExactly(tuple(DriftKind.EVALUATION_ERROR, DriftSeverity.MEDIUM, Verdict.PASS, Verdict.ERROR));
        // the second ERROR changes nothing a reader of the posture topic sees: stored, not emitted
        List<PostureState> shown = posture.readValuesToList();
        assertThat(shown).hasSize(2);
        assertThat(shown.get(1).getConsecutiveErrors()).isEqualTo(1);
        PostureState during = stored();
        assertThat(during.getVerdict()).isEqualTo(Verdict.ERROR);
        assertThat(during.getLastGoodVerdict()).isEqualTo(Verdict.PASS);
        assertThat(during.getLastGoodCollectedAt()).isEqualTo(T0);
        assertThat(during.getConsecutiveErrors()).isEqualTo(2);
        assertThat(during.getContacts()).hasSize(1);
        assertThat(during.getSince()).isEqualTo(T0.plusSeconds(900));
        assertThat(during.getLastCollectedAt()).isEqualTo(T0.plusSeconds(1800));

        // recovery into a worse configuration: recovered, and regressed against the last good state
        send(TestSnapshots.failing(T0.plusSeconds(2700)));
        events = drift.readValuesToList();
        assertThat(events)
                .extracting(
                        DriftEvent::getKind,
                        DriftEvent::getPreviousVerdict,
                        DriftEvent::getCurrentVerdict,
                        DriftEvent::getPreviousCollectedAt)
                .containsExactly(
                        tuple(DriftKind.EVALUATION_RECOVERED, Verdict.PASS, Verdict.FAIL, T0),
                        tuple(DriftKind.REGRESSED, Verdict.PASS, Verdict.FAIL, T0));
        assertThat(events.get(1).getChanges()).extracting(FieldChange::getAfter).containsExactly("Critical");
        assertThat(posture.readValuesToList().get(0).getConsecutiveErrors()).isZero();
        findings.readValuesToList();
        assertNothingElse();
    }

    @Test
    void recoveryIntoTheSameConfigurationIsOnlyRecovered() {
        send(TestSnapshots.passing(T0));
        send(TestSnapshots.forbidden(T0.plusSeconds(900)));
        send(TestSnapshots.passing(T0.plusSeconds(1800)));
        List<DriftEvent> events = drift.readValuesToList();
        assertThat(events)
                .extracting(DriftEvent::getKind)
                .containsExactly(DriftKind.EVALUATION_ERROR, DriftKind.EVALUATION_RECOVERED);
        assertThat(events.get(1).getChanges()).isEmpty();
        assertThat(events.get(1).getSeverity()).isEqualTo(DriftSeverity.LOW);
    }

    @Test
    void errorOnTheFirstSnapshotIsAFindingWithoutDrift() {
        send(TestSnapshots.forbidden(T0));
        ComplianceFinding finding = findings.readValue();
        assertThat(finding.getVerdict()).isEqualTo(Verdict.ERROR);
        assertThat(finding.getActivity()).isEqualTo(FindingActivity.CREATE);
        PostureState state = posture.readValue();
        assertThat(state.getLastGoodVerdict()).isNull();
        assertThat(state.getConsecutiveErrors()).isEqualTo(1);
        send(TestSnapshots.failing(T0.plusSeconds(900)));
        List<DriftEvent> events = drift.readValuesToList();
        assertThat(events)
                .extracting(DriftEvent::getKind, DriftEvent::getPreviousVerdict)
                .containsExactly(tuple(DriftKind.EVALUATION_RECOVERED, null));
        findings.readValuesToList();
        posture.readValuesToList();
        assertNothingElse();
    }

    @Test
    void aLateSnapshotNeverFlipsTheVerdictBackwardsAndIsCounted() {
        send(TestSnapshots.passing(T0));
        send(TestSnapshots.failing(T0.plusSeconds(1800)));
        findings.readValuesToList();
        drift.readValuesToList();
        posture.readValuesToList();

        send(TestSnapshots.passing(T0.plusSeconds(900)));
        assertNothingElse();
        assertThat(stored().getVerdict()).isEqualTo(Verdict.FAIL);
        assertThat(stored().getLastCollectedAt()).isEqualTo(T0.plusSeconds(1800));
        assertThat(stored().getLateSnapshots()).isEqualTo(1);
    }

    @Test
    void aDuplicateSnapshotIsAnUpdateWithTheSameEventIdAndNoDrift() {
        SecurityContactSnapshot snapshot = TestSnapshots.passing(T0);
        send(snapshot);
        send(snapshot);
        List<ComplianceFinding> all = findings.readValuesToList();
        assertThat(all)
                .extracting(ComplianceFinding::getActivity)
                .containsExactly(FindingActivity.CREATE, FindingActivity.UPDATE);
        assertThat(all.get(0).getEventId()).isEqualTo(all.get(1).getEventId());
        assertThat(posture.readValuesToList())
                .as("the duplicate changes nothing a reader of the posture sees")
                .hasSize(1);
        assertNothingElse();
    }

    @Test
    void idsAreDeterministic() {
        send(TestSnapshots.passing(T0));
        send(TestSnapshots.failing(T0.plusSeconds(900)));
        List<ComplianceFinding> all = findings.readValuesToList();
        assertThat(all.get(0).getFindingId())
                .isEqualTo(all.get(1).getFindingId())
                .isEqualTo(Ids.finding(SUB, "cis-azure-1.3.0-2.14", "default"))
                .isNotEqualTo(Ids.finding(SUB, "cis-azure-1.3.0-2.14", "strict"));
        assertThat(all.get(0).getEventId()).isNotEqualTo(all.get(1).getEventId());
        DriftEvent event = drift.readValue();

        // the same inputs into a fresh topology give the same ids
        driver.close();
        start(Profile.DEFAULT, T0);
        send(TestSnapshots.passing(T0));
        send(TestSnapshots.failing(T0.plusSeconds(900)));
        List<ComplianceFinding> again = findings.readValuesToList();
        assertThat(again)
                .extracting(ComplianceFinding::getEventId)
                .containsExactly(all.get(0).getEventId(), all.get(1).getEventId());
        assertThat(drift.readValue().getEventId()).isEqualTo(event.getEventId());
    }

    @Test
    void strictProfileHasItsOwnFindingId() {
        driver.close();
        start(Profile.STRICT, T0);
        send(TestSnapshots.passing(T0));
        ComplianceFinding finding = findings.readValue();
        assertThat(finding.getVerdict()).isEqualTo(Verdict.FAIL);
        assertThat(finding.getProfile()).isEqualTo("strict");
        assertThat(finding.getFindingId()).isEqualTo(Ids.finding(SUB, "cis-azure-1.3.0-2.14", "strict"));
    }

    @Test
    void noSnapshotWithinTheWindowIsStaleOnceThenResolved() {
        driver.close();
        start(Profile.DEFAULT, T0);
        send(TestSnapshots.passing(T0));
        findings.readValuesToList();
        posture.readValuesToList();

        driver.advanceWallClockTime(STALE_AFTER.minus(STALE_CHECK));
        assertNothingElse();

        driver.advanceWallClockTime(STALE_CHECK.multipliedBy(2));
        DriftEvent stale = drift.readValue();
        assertThat(stale.getKind()).isEqualTo(DriftKind.STALE);
        assertThat(stale.getSeverity()).isEqualTo(DriftSeverity.HIGH);
        assertThat(stale.getPreviousVerdict()).isEqualTo(Verdict.PASS);
        assertThat(stale.getCurrentVerdict()).isNull();
        assertThat(stale.getPreviousCollectedAt()).isEqualTo(T0);
        assertThat(stale.getReasons()).extracting(r -> r.getCode()).containsExactly("SNAPSHOT_STALE");
        PostureState flagged = posture.readValue();
        assertThat(flagged.getStale()).isTrue();
        assertThat(flagged.getVerdict()).isEqualTo(Verdict.PASS);

        driver.advanceWallClockTime(Duration.ofHours(2));
        assertNothingElse();

        send(TestSnapshots.passing(T0.plus(Duration.ofHours(3))));
        assertThat(drift.readValuesToList()).extracting(DriftEvent::getKind).containsExactly(DriftKind.STALE_RESOLVED);
        assertThat(posture.readValue().getStale()).isFalse();
        findings.readValuesToList();
        assertNothingElse();
    }

    @Test
    void theWindowIsThreeOfTheIntervalsTheSnapshotDeclaresWhateverTheEvaluatorIsConfiguredWith() {
        SecurityContactSnapshot declared = TestSnapshots.passing(T0);
        declared.setCollectionIntervalMs(Duration.ofMinutes(5).toMillis());
        send(declared); // this evaluator's own stale.after is 45 minutes
        findings.readValuesToList();
        assertThat(posture.readValue().getStaleAfterMs())
                .isEqualTo(Duration.ofMinutes(15).toMillis());

        driver.advanceWallClockTime(Duration.ofMinutes(14));
        driver.advanceWallClockTime(Duration.ofMinutes(1));
        assertNothingElse();
        driver.advanceWallClockTime(STALE_CHECK);
        DriftEvent stale = drift.readValue();
        assertThat(stale.getKind()).isEqualTo(DriftKind.STALE);
        assertThat(stale.getReasons().get(0).getMessage()).contains("staleness window PT15M");
        assertThat(posture.readValue().getStale()).isTrue();
        assertNothingElse();
    }

    @Test
    void aBacklogReadAfterAnOutageIsJudgedAgainstTheSnapshotsReadNotTheWallClock() {
        driver.close();
        Instant restartedAt = T0.plus(Duration.ofHours(2));
        start(Profile.DEFAULT, restartedAt); // two hours of snapshots wait in the partition
        List<String> subs = List.of("00000000-0000-4000-8000-00000000000a", "00000000-0000-4000-8000-00000000000b");
        Duration interval = Duration.ofMinutes(5);
        Instant at = T0;
        for (; at.isBefore(restartedAt); at = at.plus(interval)) {
            for (String sub : subs) {
                send(declaring(sub, at, interval));
                driver.advanceWallClockTime(Duration.ofSeconds(3)); // a drain much slower than the check interval
            }
        }
        assertThat(drift.readValuesToList()).extracting(DriftEvent::getKind).doesNotContain(DriftKind.STALE);
        findings.readValuesToList();
        posture.readValuesToList();

        // caught up, and the collector has stopped: STALE for each, within the window of its last snapshot
        Instant last = at.minus(interval);
        driver.advanceWallClockTime(
                Duration.between(restartedAt.plusSeconds(3L * 2 * 24), last.plus(interval.multipliedBy(3))));
        assertNothingElse();
        driver.advanceWallClockTime(STALE_CHECK.plusSeconds(1));
        driver.advanceWallClockTime(EvaluateSnapshots.SCAN_TICK);
        assertThat(drift.readValuesToList())
                .extracting(DriftEvent::getKind, DriftEvent::getSubscriptionId)
                .containsExactlyInAnyOrder(tuple(DriftKind.STALE, subs.get(0)), tuple(DriftKind.STALE, subs.get(1)));
    }

    static SecurityContactSnapshot declaring(String sub, Instant at, Duration interval) {
        SecurityContactSnapshot snapshot =
                TestSnapshots.ok(sub, TestSnapshots.body(true, "High", "soc@contoso.com"), at);
        snapshot.setCollectionIntervalMs(interval.toMillis());
        return snapshot;
    }

    @Test
    void theStalenessPassRunsInSlicesAndResumesWhereItStopped() {
        driver.close();
        start(Profile.DEFAULT, T0, Duration.ZERO); // a slice ends after each entry
        driver.advanceWallClockTime(EvaluateSnapshots.SCAN_TICK); // the first tick: passes start an interval from here
        List<String> subs = List.of(
                "00000000-0000-4000-8000-00000000000a",
                "00000000-0000-4000-8000-00000000000b",
                "00000000-0000-4000-8000-00000000000c");
        for (String sub : subs) {
            SecurityContactSnapshot snapshot = TestSnapshots.passing(T0);
            snapshot.setSubscriptionId(sub);
            send(snapshot);
        }
        findings.readValuesToList();
        posture.readValuesToList();
        driver.advanceWallClockTime(EvaluateSnapshots.SCAN_TICK); // the tick that notes what was read

        driver.advanceWallClockTime(STALE_AFTER.plus(STALE_CHECK));
        List<String> flagged = new ArrayList<>(drift.readValuesToList().stream()
                .map(DriftEvent::getSubscriptionId)
                .toList());
        assertThat(flagged).hasSize(1);
        driver.advanceWallClockTime(EvaluateSnapshots.SCAN_TICK);
        drift.readValuesToList().forEach(d -> flagged.add(d.getSubscriptionId()));
        driver.advanceWallClockTime(EvaluateSnapshots.SCAN_TICK);
        drift.readValuesToList().forEach(d -> flagged.add(d.getSubscriptionId()));
        assertThat(flagged).containsExactlyInAnyOrderElementsOf(subs);

        // the pass is complete: the next one starts a stale.check.interval after this one began, and flags nobody twice
        driver.advanceWallClockTime(EvaluateSnapshots.SCAN_TICK);
        driver.advanceWallClockTime(STALE_CHECK);
        for (int i = 0; i < subs.size() + 1; i++) {
            driver.advanceWallClockTime(EvaluateSnapshots.SCAN_TICK);
        }
        assertThat(drift.readValuesToList()).isEmpty();
        assertThat(posture.readValuesToList()).hasSize(subs.size()); // the three STALE postures of the first pass
    }

    @Test
    void aTombstoneClosesTheFindingAndDeletesThePosture() {
        send(TestSnapshots.failing(T0));
        ComplianceFinding created = findings.readValue();
        posture.readValuesToList();

        snapshots.pipeInput(SUB, null, T0.plusSeconds(900));
        ComplianceFinding closed = findings.readValue();
        assertThat(closed.getActivity()).isEqualTo(FindingActivity.CLOSE);
        assertThat(closed.getFindingId()).isEqualTo(created.getFindingId());
        assertThat(closed.getReasons()).extracting(r -> r.getCode()).containsExactly("SUBSCRIPTION_REMOVED");
        DriftEvent removed = drift.readValue();
        assertThat(removed.getKind()).isEqualTo(DriftKind.SUBSCRIPTION_REMOVED);
        assertThat(removed.getPreviousVerdict()).isEqualTo(Verdict.FAIL);
        KeyValue<String, PostureState> tombstone = posture.readKeyValue();
        assertThat(tombstone.key).isEqualTo(SUB);
        assertThat(tombstone.value).isNull();
        assertThat(stored()).isNull();
        assertNothingElse();

        // removing an unknown subscription emits nothing; coming back creates a new finding
        snapshots.pipeInput(SUB, null, T0.plusSeconds(1000));
        assertNothingElse();
        send(TestSnapshots.passing(T0.plusSeconds(1800)));
        assertThat(findings.readValue().getActivity()).isEqualTo(FindingActivity.CREATE);
    }

    @Test
    void aPoisonPillGoesToTheDeadLetterTopicAndTheNextRecordIsProcessed() {
        byte[] garbage = "{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8);
        snapshots.pipeInput(SUB, garbage, T0);
        send(TestSnapshots.passing(T0.plusSeconds(60)));

        KeyValue<byte[], DeadLetter> letter = dlq.readKeyValue();
        assertThat(new String(letter.key, StandardCharsets.UTF_8)).isEqualTo(SUB);
        DeadLetter dead = letter.value;
        assertThat(dead.getStage()).isEqualTo("DESERIALIZATION");
        assertThat(dead.getSourceTopic()).isEqualTo("contact-audit.snapshots.v1");
        assertThat(dead.getSourcePartition()).isZero();
        assertThat(dead.getSourceOffset()).isZero();
        assertThat(dead.getSourceTimestamp()).isEqualTo(T0);
        assertThat(bytes(dead.getValue())).isEqualTo(garbage);
        assertThat(dead.getErrorClass()).isEqualTo("org.apache.kafka.common.errors.SerializationException");
        assertThat(dead.getErrorMessage()).contains("cannot decode SecurityContactSnapshot");
        assertThat(dead.getApplicationId()).isEqualTo("contact-audit-evaluate-v1");

        assertThat(findings.readValue().getVerdict()).isEqualTo(Verdict.PASS);
        assertThat(posture.readValue().getVerdict()).isEqualTo(Verdict.PASS);
        assertNothingElse();
    }

    @Test
    void aRegistryThatCannotBeReachedStopsProcessingInsteadOfDeadLettering() {
        driver.close();
        org.apache.kafka.common.serialization.Serde<SecurityContactSnapshot> unreachable =
                org.apache.kafka.common.serialization.Serdes.serdeFrom(
                        topics.snapshots().value().serializer(), (topic, data) -> {
                            throw new org.apache.kafka.common.errors.SerializationException(
                                    "schema lookup failed", new java.net.ConnectException("Connection refused"));
                        });
        Topics registryDown = new Topics(
                new io.contactaudit.kafka.TopicSpec<>(
                        topics.snapshots().name(), Serdes.String(), unreachable, java.util.Map.of(), ""),
                topics.findings(),
                topics.findingsOcsf(),
                topics.drift(),
                topics.posture(),
                topics.dlq(),
                topics.remediations(),
                topics.exceptions());
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "contact-audit-evaluate-v1");
        props.put(
                StreamsConfig.STATE_DIR_CONFIG,
                stateDir.toString()); // not the shared /tmp/kafka-streams: other builds run beside this one
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(
                EvaluateTopology.build(
                        registryDown, new EvaluateTopology.Settings(Profile.DEFAULT, STALE_AFTER, STALE_CHECK)),
                props,
                T0);
        snapshots = driver.createInputTopic(
                topics.snapshots().name(),
                Serdes.String().serializer(),
                Serdes.ByteArray().serializer());
        dlq = driver.createOutputTopic(
                topics.dlq().name(),
                Serdes.ByteArray().deserializer(),
                topics.dlq().value().deserializer());
        byte[] value = topics.snapshots().value().serializer().serialize("t", TestSnapshots.passing(T0));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> snapshots.pipeInput(SUB, value, T0))
                .hasRootCauseInstanceOf(java.net.ConnectException.class);
        assertThat(dlq.isEmpty())
                .as("a transient registry failure is never a dead letter")
                .isTrue();
    }

    @Test
    void theSameContentInBytesAvrosReaderRefusesIsADeadLetterNotTouchedInPlace() {
        onlyChanges(Duration.ofDays(3650));
        send(TestSnapshots.passing(T0));
        findings.readValue();
        posture.readValue();
        byte[] value = topics.snapshots()
                .value()
                .serializer()
                .serialize(topics.snapshots().name(), TestSnapshots.passing(T0.plusSeconds(900)));
        // the HTTP status, 200: its union branch (02), then 90 03; written again in six bytes, which Avro's reader
        // refuses
        List<Integer> at = new ArrayList<>();
        for (int i = 0; i + 2 < value.length; i++) {
            if (value[i] == 0x02 && value[i + 1] == (byte) 0x90 && value[i + 2] == 0x03) {
                at.add(i + 1);
            }
        }
        assertThat(at).hasSize(1);
        byte[] padded = new byte[value.length + 4];
        System.arraycopy(value, 0, padded, 0, at.get(0));
        byte[] six = {(byte) 0x90, (byte) 0x83, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x00};
        System.arraycopy(six, 0, padded, at.get(0), six.length);
        System.arraycopy(value, at.get(0) + 2, padded, at.get(0) + six.length, value.length - at.get(0) - 2);
        snapshots.pipeInput(SUB, padded, T0.plusSeconds(900));

        DeadLetter dead = dlq.readValue();
        assertThat(dead.getStage()).isEqualTo("DESERIALIZATION");
        assertThat(dead.getErrorMessage())
                .contains("cannot decode SecurityContactSnapshot", "not a record of its schema", "an int in 6 bytes");
        assertThat(bytes(dead.getValue())).isEqualTo(padded);
        assertThat(stored().getLastCollectedAt()).as("the posture not touched").isEqualTo(T0);
        assertNothingElse();
    }

    @Test
    void theSnapshotsOfEveryReleaseAreEvaluated() {
        for (String release : SingleObjectAvroSerde.releases()) {
            byte[] value = ReleasedRecords.read(release, ReleasedRecords.EMBEDDED, "snapshots");
            SecurityContactSnapshot snapshot = topics.snapshots()
                    .value()
                    .deserializer()
                    .deserialize(topics.snapshots().name(), value);
            String sub = snapshot.getSubscriptionId().toLowerCase(Locale.ROOT);
            snapshots.pipeInput(sub, value, snapshot.getCollectedAt());

            ComplianceFinding finding = findings.readValue();
            assertThat(finding.getSubscriptionId()).as("release %s", release).isEqualTo(sub);
            assertThat(finding.getCollectedAt()).isEqualTo(snapshot.getCollectedAt());
            assertThat(finding.getVerdict())
                    .isEqualTo(HighSeverityAlertEmailRule.evaluate(snapshot, Profile.DEFAULT)
                            .verdict());
            posture.readValuesToList(); // when its readers see a change
            assertNothingElse();
        }
    }

    @Test
    void aKeyThatDisagreesWithTheSnapshotIsInvalid() {
        SecurityContactSnapshot snapshot = TestSnapshots.passing(T0);
        byte[] value = topics.snapshots().value().serializer().serialize("t", snapshot);
        snapshots.pipeInput("another-subscription", value, T0);
        DeadLetter dead = dlq.readValue();
        assertThat(dead.getStage()).isEqualTo("VALIDATION");
        assertThat(dead.getErrorMessage()).contains("is not the snapshot's subscriptionId");
        assertThat(bytes(dead.getValue())).isEqualTo(value);
        assertNothingElse();
    }

    @Test
    void aCaptureDatedADayAheadOfTheClockIsInvalidAndDoesNotHoldBackTheNextOnes() {
        // the driver's clock is at T0: a capture from a wrong clock, dated next year, would make every real one late
        SecurityContactSnapshot ahead = TestSnapshots.passing(T0.plus(Duration.ofDays(365)));
        byte[] value = topics.snapshots().value().serializer().serialize("t", ahead);
        snapshots.pipeInput(SUB, value, T0);
        DeadLetter dead = dlq.readValue();
        assertThat(dead.getStage()).isEqualTo("VALIDATION");
        assertThat(dead.getErrorMessage()).contains("is more than a day ahead of this evaluator's clock");
        assertThat(bytes(dead.getValue())).isEqualTo(value);

        // the same for a record stamped ahead (the evaluator's records take its timestamp)
        SecurityContactSnapshot now = TestSnapshots.passing(T0);
        snapshots.pipeInput(
                SUB, topics.snapshots().value().serializer().serialize("t", now), T0.plus(Duration.ofDays(365)));
        assertThat(dlq.readValue().getErrorMessage())
                .contains("the record's timestamp " + T0.plus(Duration.ofDays(365)) + " is more than a day ahead");

        send(TestSnapshots.failing(T0.plusSeconds(60)));
        assertThat(findings.readValue().getVerdict()).isEqualTo(Verdict.FAIL);
        // a few hours ahead is a clock that differs, not a wrong one
        send(TestSnapshots.passing(T0.plus(Duration.ofHours(12))));
        assertThat(findings.readValue().getVerdict()).isEqualTo(Verdict.PASS);
    }

    @Test
    void aCollectionIntervalOfZeroOrLessOrOfMoreThanTenYearsIsInvalid() {
        for (long interval : new long[] {0, -1, Duration.ofDays(3651).toMillis(), Long.MAX_VALUE}) {
            SecurityContactSnapshot snapshot = TestSnapshots.passing(T0);
            snapshot.setCollectionIntervalMs(interval);
            snapshots.pipeInput(SUB, topics.snapshots().value().serializer().serialize("t", snapshot), T0);
            DeadLetter dead = dlq.readValue();
            assertThat(dead.getStage()).as("%d ms", interval).isEqualTo("VALIDATION");
            assertThat(dead.getErrorMessage())
                    .contains("the snapshot's collectionIntervalMs " + interval + " is not between 1 and");
        }
        SecurityContactSnapshot tenYears = TestSnapshots.passing(T0);
        tenYears.setCollectionIntervalMs(Duration.ofDays(3650).toMillis());
        send(tenYears);
        assertThat(findings.readValue().getVerdict()).isEqualTo(Verdict.PASS);
        assertThat(dlq.isEmpty()).isTrue();
    }

    @Test
    void keysAreLowerCase() {
        SecurityContactSnapshot upper =
                TestSnapshots.ok(SUB.toUpperCase(), TestSnapshots.body(true, "High", "a@x.com"), T0);
        byte[] value = topics.snapshots().value().serializer().serialize("t", upper);
        snapshots.pipeInput(SUB, value, T0);
        assertThat(findings.readKeyValue().key).isEqualTo(SUB);
        assertThat(posture.readKeyValue().key).isEqualTo(SUB);

        // the partition follows the key: another key may reach another task, with a posture of its own
        snapshots.pipeInput(SUB.toUpperCase(), value, T0.plusSeconds(60));
        assertThat(dlq.readValue().getErrorMessage())
                .startsWith("the record key '" + SUB.toUpperCase() + "' is not in lower case");
        snapshots.pipeInput((String) null, value, T0.plusSeconds(60));
        assertThat(dlq.readValue().getErrorMessage()).startsWith("the record key (none) is not the snapshot's");
        snapshots.pipeInput(SUB.toUpperCase(), null, T0.plusSeconds(60));
        assertThat(dlq.readValue().getErrorMessage())
                .startsWith("the record key '" + SUB.toUpperCase() + "' is not in lower case");
        assertNothingElse();
    }

    @Test
    void aMalformedBodyIsAnErrorFindingNotADeadLetter() {
        send(TestSnapshots.ok("{\"value\": [", T0));
        ComplianceFinding finding = findings.readValue();
        assertThat(finding.getVerdict()).isEqualTo(Verdict.ERROR);
        assertThat(finding.getReasons()).extracting(r -> r.getCode()).containsExactly("UNPARSEABLE_BODY");
        posture.readValue();
        assertNothingElse();
    }

    static byte[] bytes(java.nio.ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    /** Restarts the driver with findings.emit=changes and the given refresh interval. */
    void onlyChanges(Duration refresh) {
        driver.close();
        start(
                new EvaluateTopology.Settings(Profile.DEFAULT, STALE_AFTER, STALE_CHECK)
                        .withEmission(EvaluateTopology.Emission.CHANGES, refresh),
                T0,
                EvaluateSnapshots.SCAN_SLICE);
    }

    @Test
    void withOnlyChangesAnUnchangedSnapshotIsStoredAndEmitsNothing() {
        onlyChanges(Duration.ofDays(3650));
        send(TestSnapshots.passing(T0));
        ComplianceFinding created = findings.readValue();
        assertThat(created.getActivity()).isEqualTo(FindingActivity.CREATE);
        assertThat(posture.readValue().getLastFindingEventId()).isEqualTo(created.getEventId());
        assertNothingElse();

        send(TestSnapshots.passing(T0.plusSeconds(900)));
        send(TestSnapshots.passing(T0.plusSeconds(1800)));
        assertNothingElse();
        PostureState stored = stored();
        assertThat(stored.getLastCollectedAt())
                .as("staleness and late snapshots are judged by the latest capture")
                .isEqualTo(T0.plusSeconds(1800));
        assertThat(stored.getLastFindingEventId())
                .as("the latest finding emitted")
                .isEqualTo(created.getEventId());

        // a late snapshot is still late: judged against the stored capture time, not the last finding's
        send(TestSnapshots.failing(T0.plusSeconds(1000)));
        assertNothingElse();
        assertThat(stored().getLateSnapshots()).isEqualTo(1);

        // a change: finding, drift and posture, as with every evaluation
        send(TestSnapshots.failing(T0.plusSeconds(2700)));
        ComplianceFinding regressed = findings.readValue();
        assertThat(regressed.getActivity()).isEqualTo(FindingActivity.UPDATE);
        assertThat(regressed.getVerdict()).isEqualTo(Verdict.FAIL);
        assertThat(regressed.getFindingId()).isEqualTo(created.getFindingId());
        assertThat(drift.readValue().getKind()).isEqualTo(DriftKind.REGRESSED);
        assertThat(posture.readValue().getVerdict()).isEqualTo(Verdict.FAIL);
        assertNothingElse();

        // another recipient with the same verdict: a change of contacts, so a finding (its OCSF event lists them)
        send(TestSnapshots.ok(TestSnapshots.body(true, "Critical", "soc@contoso.com"), T0.plusSeconds(3600)));
        assertThat(findings.readValue().getVerdict()).isEqualTo(Verdict.FAIL);
        assertThat(drift.readValue().getKind()).isEqualTo(DriftKind.CONFIG_CHANGED);
        posture.readValue();
        assertNothingElse();
    }

    @Test
    void anUnchangedSnapshotStoresInPlaceTheBytesItsFullEvaluationWouldStore() {
        onlyChanges(Duration.ofDays(3650));
        PostureMachine machine =
                new PostureMachine(Profile.DEFAULT, EvaluateTopology.Emission.CHANGES, Duration.ofDays(3650));
        send(TestSnapshots.failing(T0));
        findings.readValue();
        posture.readValue();
        // a FAIL: the same window, another one, none
        for (Long interval : new Long[] {
            Duration.ofMinutes(15).toMillis(), Duration.ofMinutes(15).toMillis(), null
        }) {
            sendUnchangedAndCompare(machine, TestSnapshots.failing(T0), interval, T0, List.of());
        }
        // a FAIL suppressed by an exception: judged with it, in place
        ComplianceException waiver = exception("ex-1", T0.plus(Duration.ofDays(90)), "SEVERITY_NOT_ACCEPTED");
        grant(waiver);
        tick();
        findings.readValue();
        drift.readValue();
        posture.readValue();
        sendUnchangedAndCompare(
                machine, TestSnapshots.failing(T0), null, T0.plus(EvaluateSnapshots.EXCEPTIONS_TICK), List.of(waiver));
        // an ERROR on a page that does not parse: one more error in a row
        send(TestSnapshots.ok("{\"value\": [", stored().getLastCollectedAt().plusSeconds(900)));
        findings.readValue();
        drift.readValuesToList();
        posture.readValue();
        for (int i = 0; i < 2; i++) {
            sendUnchangedAndCompare(
                    machine,
                    TestSnapshots.ok("{\"value\": [", T0),
                    null,
                    T0.plus(EvaluateSnapshots.EXCEPTIONS_TICK),
                    List.of(waiver));
        }
        assertThat(stored().getConsecutiveErrors()).isEqualTo(3);
    }

    /**
     * Sends {@code like} 15 minutes after the stored posture's latest capture, with {@code interval}, and asserts that
     * the stored bytes are those the full evaluation (the rule run) gives at wall-clock time {@code now}, that it has
     * nothing to emit, and that the posture goes to its topic only when the full evaluation says so.
     */
    void sendUnchangedAndCompare(
            PostureMachine machine,
            SecurityContactSnapshot like,
            Long interval,
            Instant now,
            List<ComplianceException> exceptions) {
        PostureState before = stored();
        SecurityContactSnapshot next = SecurityContactSnapshot.newBuilder(like)
                .setCollectedAt(before.getLastCollectedAt().plusSeconds(900))
                .setCollectionIntervalMs(interval)
                .build();
        send(next);
        PostureMachine.Outcome full = machine.onSnapshot(before, next, now.toEpochMilli(), false, exceptions);
        assertThat(full.finding()).as("the full evaluation emits nothing").isNull();
        assertThat(full.drift()).isEmpty();
        assertThat(driver.<String, byte[]>getKeyValueStore(EvaluateTopology.STORE)
                        .get(SUB))
                .as("the stored posture after a snapshot of interval %s", interval)
                .isEqualTo(topics.posture()
                        .value()
                        .serializer()
                        .serialize(topics.posture().name(), full.posture()));
        if (full.emitPosture()) {
            assertThat(posture.readValue())
                    .as("a new staleness window is shown")
                    .isEqualTo(full.posture());
        }
        assertNothingElse();
    }

    @Test
    void theTenancyTravelsToFindingsPostureAndDriftAndAMoveOfTheReadingTenantIsAChangeReadersSee() {
        onlyChanges(Duration.ofDays(3650));
        // a delegated subscription, read through the managing tenant (Azure Lighthouse)
        send(SecurityContactSnapshot.newBuilder(TestSnapshots.passing(T0))
                .setTenantName("Woodgrove")
                .setReadThroughTenantId("managing-1")
                .build());
        ComplianceFinding created = findings.readValue();
        assertThat(created.getTenantId()).isEqualTo("tenant-1");
        assertThat(created.getTenantName()).isEqualTo("Woodgrove");
        assertThat(created.getReadThroughTenantId()).isEqualTo("managing-1");
        PostureState first = posture.readValue();
        assertThat(first.getTenantName()).isEqualTo("Woodgrove");
        assertThat(first.getReadThroughTenantId()).isEqualTo("managing-1");
        assertNothingElse();

        // the tenant's own identity reads it now: the same content, but what readers see of it changed
        send(SecurityContactSnapshot.newBuilder(TestSnapshots.failing(T0.plusSeconds(900)))
                .setTenantName("Woodgrove")
                .setReadThroughTenantId("tenant-1")
                .build());
        ComplianceFinding moved = findings.readValue();
        assertThat(moved.getReadThroughTenantId()).isEqualTo("tenant-1");
        DriftEvent regressed = drift.readValue();
        assertThat(regressed.getTenantName()).isEqualTo("Woodgrove");
        assertThat(regressed.getReadThroughTenantId()).isEqualTo("tenant-1");
        assertThat(posture.readValue().getReadThroughTenantId()).isEqualTo("tenant-1");
        assertNothingElse();

        // a snapshot that names no tenant (an explicit subscription list) keeps what the posture knew
        send(SecurityContactSnapshot.newBuilder(TestSnapshots.failing(T0.plusSeconds(1800)))
                .setTenantId(null)
                .build());
        assertNothingElse();
        assertThat(stored().getTenantName()).isEqualTo("Woodgrove");
        assertThat(stored().getReadThroughTenantId()).isEqualTo("tenant-1");
    }

    @Test
    void withOnlyChangesAnUnchangedFindingIsEmittedAgainOncePerRefreshInterval() throws Exception {
        onlyChanges(Duration.ofHours(1));
        send(TestSnapshots.failing(T0));
        findings.readValue();
        posture.readValue();
        assertNothingElse();

        // an hour later a refresh boundary has passed, whatever the subscription's phase: the open finding is
        // re-asserted
        send(TestSnapshots.failing(T0.plus(Duration.ofHours(1))));
        ComplianceFinding again = findings.avro.readValue();
        assertThat(again.getActivity()).isEqualTo(FindingActivity.UPDATE);
        assertThat(again.getVerdict()).isEqualTo(Verdict.FAIL);
        assertThat(again.getCollectedAt()).isEqualTo(T0.plus(Duration.ofHours(1)));
        KeyValue<String, String> event = ocsf.readKeyValue();
        assertThat(event.key).isEqualTo(again.getFindingId());
        assertThat(JSON.readTree(event.value).path("activity_name").asText()).isEqualTo("Update");
        assertThat(stored().getLastFindingEventId()).isEqualTo(again.getEventId());
        assertThat(posture.isEmpty())
                .as("nothing a reader of the posture sees has changed")
                .isTrue();
        assertNothingElse();

        // once per interval: the next snapshot, a millisecond later, is in the same interval
        send(TestSnapshots.failing(T0.plus(Duration.ofHours(1)).plusMillis(1)));
        assertNothingElse();
    }

    @Test
    void theOcsfLifecycleIsCreateUpdateCloseInBothModes() throws Exception {
        for (boolean changes : List.of(false, true)) {
            if (changes) {
                onlyChanges(Duration.ofDays(3650));
            }
            send(TestSnapshots.passing(T0));
            send(TestSnapshots.passing(T0.plusSeconds(900)));
            send(TestSnapshots.failing(T0.plusSeconds(1800)));
            snapshots.pipeInput(SUB, null, T0.plusSeconds(2700));
            List<String> activities = new ArrayList<>();
            for (KeyValue<String, String> event : ocsf.readKeyValuesToList()) {
                activities.add(JSON.readTree(event.value).path("activity_name").asText() + " "
                        + JSON.readTree(event.value).at("/compliance/status").asText());
            }
            assertThat(activities)
                    .as(changes ? "changes" : "every")
                    .containsExactlyElementsOf(
                            changes
                                    ? List.of("Create Pass", "Update Fail", "Close Fail")
                                    : List.of("Create Pass", "Update Pass", "Update Fail", "Close Fail"));
            findings.avro.readValuesToList();
            drift.readValuesToList();
            posture.readValuesToList();
            assertNothingElse();
        }
    }

    @Test
    void aStoreOnTheHeapBehavesAsOneOnDisk() {
        driver.close();
        start(
                new EvaluateTopology.Settings(Profile.DEFAULT, STALE_AFTER, STALE_CHECK)
                        .withStore(EvaluateTopology.StoreKind.MEMORY),
                T0,
                EvaluateSnapshots.SCAN_SLICE);
        send(TestSnapshots.passing(T0));
        send(TestSnapshots.failing(T0.plusSeconds(900)));
        send(TestSnapshots.passing(T0.plusSeconds(600)));
        assertThat(findings.readValuesToList())
                .extracting(ComplianceFinding::getActivity, ComplianceFinding::getVerdict)
                .containsExactly(
                        tuple(FindingActivity.CREATE, Verdict.PASS), tuple(FindingActivity.UPDATE, Verdict.FAIL));
        assertThat(drift.readValuesToList()).extracting(DriftEvent::getKind).containsExactly(DriftKind.REGRESSED);
        assertThat(posture.readValuesToList()).hasSize(2);
        assertThat(stored().getLateSnapshots()).isEqualTo(1);
        assertNothingElse();
    }

    // ---- exceptions ----

    /** An exception for SUB covering {@code codes}, approved at T0, ending at {@code expiresAt}. */
    static ComplianceException exception(String id, Instant expiresAt, String... codes) {
        return new ExceptionRequest(
                        SUB,
                        ExceptionCategory.WAIVER,
                        List.of(codes),
                        "sandbox, decommissioned in Q3",
                        null,
                        "RISK-42",
                        "alice@contoso.com",
                        "bob@contoso.com",
                        T0,
                        expiresAt)
                .toRecord(id, T0, "test", "cli");
    }

    void grant(ComplianceException e) {
        exceptions.pipeInput(Exceptions.key(e), e, T0);
    }

    /** One tick of the exceptions check. */
    void tick() {
        driver.advanceWallClockTime(EvaluateSnapshots.EXCEPTIONS_TICK);
    }

    @Test
    void anExceptionGrantedLaterSuppressesTheFailWhichStaysAFail() throws Exception {
        send(TestSnapshots.failing(T0));
        ComplianceFinding open = findings.readValue();
        assertThat(open.getVerdict()).isEqualTo(Verdict.FAIL);
        assertThat(open.getSuppressed()).isFalse();
        posture.readValuesToList();

        ComplianceException waiver = exception("ex-1", T0.plus(Duration.ofDays(90)), "SEVERITY_NOT_ACCEPTED");
        grant(waiver);
        assertNothingElse(); // applied at the next tick
        tick();

        ComplianceFinding suppressed = findings.readValue();
        assertThat(suppressed.getVerdict()).isEqualTo(Verdict.FAIL);
        assertThat(suppressed.getSuppressed()).isTrue();
        assertThat(suppressed.getException().getExceptionId()).isEqualTo("ex-1");
        assertThat(suppressed.getException().getCategory()).isEqualTo(ExceptionCategory.WAIVER);
        assertThat(suppressed.getException().getExpiresAt()).isEqualTo(T0.plus(Duration.ofDays(90)));
        assertThat(suppressed.getFindingId()).isEqualTo(open.getFindingId());
        assertThat(suppressed.getReasons()).isEqualTo(open.getReasons());
        DriftEvent granted = drift.readValue();
        assertThat(granted.getKind()).isEqualTo(DriftKind.EXCEPTION_GRANTED);
        assertThat(granted.getSeverity()).isEqualTo(DriftSeverity.MEDIUM);
        assertThat(granted.getException().getExceptionId()).isEqualTo("ex-1");
        assertThat(granted.getSuppressed()).isTrue();
        PostureState state = posture.readValue();
        assertThat(state.getVerdict()).isEqualTo(Verdict.FAIL);
        assertThat(state.getSuppressed()).isTrue();
        assertThat(stored().getException().getApprovedBy()).isEqualTo("bob@contoso.com");
        assertNothingElse();

        // the next snapshot of the same content stays suppressed, without drift
        send(TestSnapshots.failing(T0.plus(Duration.ofMinutes(15))));
        ComplianceFinding again = findings.readValue();
        assertThat(again.getSuppressed()).isTrue();
        posture.readValuesToList();
        assertNothingElse();
        tick();
        assertNothingElse();
    }

    @Test
    void theOcsfEventOfASuppressedFailIsStatusSuppressedWithTheExceptionUnmapped() throws Exception {
        grant(exception("ex-1", T0.plus(Duration.ofDays(30)), "SEVERITY_NOT_ACCEPTED"));
        send(TestSnapshots.failing(T0));
        avroAndOcsfOf(findings);
        var event = JSON.readTree(lastOcsf);
        assertThat(event.path("status_id").asInt()).isEqualTo(3);
        assertThat(event.path("status").asText()).isEqualTo("Suppressed");
        assertThat(event.path("compliance").path("status").asText()).isEqualTo("Fail");
        assertThat(event.path("unmapped").path("exception").path("uid").asText())
                .isEqualTo("ex-1");
        assertThat(event.path("unmapped").path("exception").path("category").asText())
                .isEqualTo("WAIVER");
        assertThat(event.path("unmapped").path("exception").path("ticket").asText())
                .isEqualTo("RISK-42");
    }

    String lastOcsf;

    /** Reads one finding; keeps its OCSF event. */
    void avroAndOcsfOf(FindingsAndOcsf topic) {
        ComplianceFinding finding = topic.avro.readValue();
        KeyValue<String, String> event = ocsf.readKeyValue();
        assertThat(event.key).isEqualTo(finding.getFindingId());
        lastOcsf = event.value;
    }

    @Test
    void anExceptionGrantedBeforeTheFirstSnapshotSuppressesItsFindingFromTheStart() {
        grant(exception("ex-1", T0.plus(Duration.ofDays(30)), "SEVERITY_NOT_ACCEPTED"));
        tick();
        assertNothingElse(); // no posture yet: nothing to say
        send(TestSnapshots.failing(T0));
        ComplianceFinding first = findings.readValue();
        assertThat(first.getActivity()).isEqualTo(FindingActivity.CREATE);
        assertThat(first.getSuppressed()).isTrue();
        assertThat(posture.readValue().getSuppressed()).isTrue();
        assertNothingElse(); // no drift on a first finding
    }

    @Test
    void aFailureReasonTheExceptionDoesNotCoverIsNotSuppressed() {
        grant(exception("ex-1", T0.plus(Duration.ofDays(30)), "SEVERITY_NOT_ACCEPTED"));
        send(TestSnapshots.failing(T0));
        assertThat(findings.readValue().getSuppressed()).isTrue();
        posture.readValuesToList();

        // now the contact is disabled too: a reason the waiver does not cover
        send(TestSnapshots.ok(
                TestSnapshots.body(false, "Critical", "sec@contoso.com"), T0.plus(Duration.ofMinutes(15))));
        ComplianceFinding open = findings.readValue();
        assertThat(open.getVerdict()).isEqualTo(Verdict.FAIL);
        assertThat(open.getSuppressed()).isFalse();
        assertThat(open.getException()).isNull();
        List<DriftEvent> events = drift.readValuesToList();
        assertThat(events)
                .extracting(DriftEvent::getKind)
                .containsExactly(DriftKind.CONFIG_CHANGED, DriftKind.EXCEPTION_REVOKED);
        assertThat(events.get(1).getException().getExceptionId()).isEqualTo("ex-1");
        assertThat(events.get(1).getSeverity()).isEqualTo(DriftSeverity.HIGH);
        assertThat(posture.readValue().getSuppressed()).isFalse();
        assertNothingElse();
    }

    @Test
    void revokingReopensTheFindingAtTheNextTick() {
        ComplianceException waiver = exception("ex-1", T0.plus(Duration.ofDays(30)), "SEVERITY_NOT_ACCEPTED");
        grant(waiver);
        send(TestSnapshots.failing(T0));
        findings.readValuesToList();
        posture.readValuesToList();

        grant(ComplianceException.newBuilder(waiver)
                .setRevokedAt(T0.plus(Duration.ofMinutes(1)))
                .setRevokedBy("carol@contoso.com")
                .setRevocationReason("the sandbox holds production data now")
                .build());
        tick();
        ComplianceFinding reopened = findings.readValue();
        assertThat(reopened.getSuppressed()).isFalse();
        assertThat(reopened.getVerdict()).isEqualTo(Verdict.FAIL);
        DriftEvent revoked = drift.readValue();
        assertThat(revoked.getKind()).isEqualTo(DriftKind.EXCEPTION_REVOKED);
        assertThat(revoked.getException().getExceptionId()).isEqualTo("ex-1");
        assertThat(revoked.getSuppressed()).isFalse();
        assertThat(posture.readValue().getSuppressed()).isFalse();
        assertNothingElse();
    }

    @Test
    void anExpiredExceptionReopensTheFindingAtThePunctuatorWithoutASnapshot() {
        grant(exception("ex-1", T0.plus(Duration.ofSeconds(10)), "SEVERITY_NOT_ACCEPTED"));
        send(TestSnapshots.failing(T0));
        assertThat(findings.readValue().getSuppressed()).isTrue();
        posture.readValuesToList();

        driver.advanceWallClockTime(Duration.ofSeconds(5));
        assertNothingElse();
        driver.advanceWallClockTime(Duration.ofSeconds(6));
        ComplianceFinding reopened = findings.readValue();
        assertThat(reopened.getSuppressed()).isFalse();
        DriftEvent expired = drift.readValue();
        assertThat(expired.getKind()).isEqualTo(DriftKind.EXCEPTION_EXPIRED);
        assertThat(expired.getSeverity()).isEqualTo(DriftSeverity.HIGH);
        assertThat(expired.getException().getExceptionId()).isEqualTo("ex-1");
        assertThat(posture.readValue().getSuppressed()).isFalse();
        assertNothingElse();
    }

    @Test
    void anErrorIsNeverSuppressedAndAPassIsSimplyAPass() {
        grant(exception(
                "ex-1",
                T0.plus(Duration.ofDays(30)),
                "SEVERITY_NOT_ACCEPTED",
                "COLLECTION_FORBIDDEN",
                "ALERT_EMAILS_ENABLED"));
        send(TestSnapshots.forbidden(T0));
        ComplianceFinding error = findings.readValue();
        assertThat(error.getVerdict()).isEqualTo(Verdict.ERROR);
        assertThat(error.getSuppressed()).isFalse();
        send(TestSnapshots.passing(T0.plus(Duration.ofMinutes(15))));
        ComplianceFinding pass = findings.readValue();
        assertThat(pass.getVerdict()).isEqualTo(Verdict.PASS);
        assertThat(pass.getSuppressed()).isFalse();
        assertThat(pass.getException()).isNull();
        // a suppressed FAIL that turns into an ERROR: not suppressed, and no exception drift (EVALUATION_ERROR says it)
        send(TestSnapshots.failing(T0.plus(Duration.ofMinutes(30))));
        assertThat(findings.readValue().getSuppressed()).isTrue();
        send(TestSnapshots.forbidden(T0.plus(Duration.ofMinutes(45))));
        assertThat(findings.readValue().getSuppressed()).isFalse();
        assertThat(drift.readValuesToList())
                .extracting(DriftEvent::getKind)
                .containsExactly(
                        DriftKind.EVALUATION_RECOVERED,
                        DriftKind.REGRESSED,
                        DriftKind.EXCEPTION_GRANTED,
                        DriftKind.EVALUATION_ERROR);
        posture.readValuesToList();
        tick();
        assertNothingElse();
    }

    @Test
    void withOnlyChangesAnUnchangedSnapshotIsEmittedWhenItsSuppressionChanged() {
        driver.close();
        start(
                new EvaluateTopology.Settings(Profile.DEFAULT, STALE_AFTER, STALE_CHECK)
                        .withEmission(EvaluateTopology.Emission.CHANGES, Duration.ofDays(1)),
                T0,
                EvaluateSnapshots.SCAN_SLICE);
        send(TestSnapshots.failing(T0));
        findings.readValuesToList();
        posture.readValuesToList();
        send(TestSnapshots.failing(T0.plus(Duration.ofMinutes(15))));
        assertNothingElse();
        // granted and applied at the tick: the finding again, suppressed
        grant(exception("ex-1", T0.plus(Duration.ofDays(30)), "SEVERITY_NOT_ACCEPTED"));
        tick();
        assertThat(findings.readValue().getSuppressed()).isTrue();
        assertThat(drift.readValue().getKind()).isEqualTo(DriftKind.EXCEPTION_GRANTED);
        posture.readValuesToList();
        send(TestSnapshots.failing(T0.plus(Duration.ofMinutes(30))));
        assertNothingElse();
    }
}

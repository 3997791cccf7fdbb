package io.contactaudit.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.contactaudit.rule.SecurityContactsNormalizer;
import io.contactaudit.schema.CollectionStatus;
import io.contactaudit.schema.ComplianceFinding;
import io.contactaudit.schema.DriftKind;
import io.contactaudit.schema.FindingActivity;
import io.contactaudit.schema.NormalizedContact;
import io.contactaudit.schema.Reason;
import io.contactaudit.schema.Verdict;
import io.contactaudit.siem.OcsfComplianceFinding;
import java.time.Instant;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One OCSF event of the pipeline bench's kind (a FAIL of one contact with two recipients, after a regression), written
 * as the evaluator writes it, next to the baseline of Jackson writing the same event already held as a tree (what any
 * writer of it must at least do).
 * Run by {@code bench} ({@code BenchCommand}), which sets the mode, the time unit, the warm-up, the measurement and the
 * fork.
 */
@State(Scope.Benchmark)
public class OcsfBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<DriftKind> DRIFT = List.of(DriftKind.REGRESSED);

    private final OcsfComplianceFinding mapping =
            new OcsfComplianceFinding("bench", OcsfComplianceFinding.Redaction.NONE);
    private ComplianceFinding finding;
    private List<NormalizedContact> contacts;
    private ObjectNode tree;

    @Setup
    public void setup() {
        String sub = "0000000a-0000-4000-8000-00000000000a";
        contacts =
                SecurityContactsNormalizer.parse(PipelineBench.body(sub, 10, 1)).normalized();
        Instant at = Instant.parse("2026-03-01T10:00:00Z");
        finding = ComplianceFinding.newBuilder()
                .setFindingId("5d41402abc4b2a76b9719d911017c592")
                .setEventId("7d41402abc4b2a76b9719d911017c592")
                .setSubscriptionId(sub)
                .setTenantId("bench")
                .setRuleId("cis-azure-1.3.0-2.14")
                .setRuleVersion("1.0.0")
                .setProfile("default")
                .setVerdict(Verdict.FAIL)
                .setReasons(List.of(new Reason(
                        "SEVERITY_NOT_ACCEPTED",
                        "contact 'default': alert notifications start at Critical, so High-severity alerts are not "
                                + "e-mailed")))
                .setWarnings(List.of())
                .setCollectionStatus(CollectionStatus.OK)
                .setRunId("run")
                .setCollectedAt(at)
                .setEvaluatedAt(at.plusSeconds(2))
                .setFirstSeenAt(at.minusSeconds(3600))
                .setLastStatusChangeAt(at)
                .setActivity(FindingActivity.UPDATE)
                .build();
        tree = mapping.map(finding, contacts, DRIFT);
    }

    /** The baseline: Jackson writing the same event, held as a tree. */
    @Benchmark
    public byte[] writeTree() throws Exception {
        return JSON.writeValueAsBytes(tree);
    }

    /** The event as the evaluator writes it, from the finding. */
    @Benchmark
    public byte[] encode() {
        return mapping.encode(finding, contacts, DRIFT);
    }
}

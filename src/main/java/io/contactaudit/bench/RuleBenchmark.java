package io.contactaudit.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.contactaudit.rule.HighSeverityAlertEmailRule;
import io.contactaudit.rule.Profile;
import io.contactaudit.rule.RuleResult;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Normalise + evaluate of one securityContacts body per API generation, next to the baseline of merely
 * parsing the same body into a JSON tree (the least any reader of it must do).
 * Run by {@code bench} ({@code BenchCommand}), which sets the mode, the time unit, the warm-up, the measurement and the
 * fork.
 */
@State(Scope.Benchmark)
public class RuleBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Param({"2017", "2020", "2023"})
    public String generation;

    private String body;

    @Setup
    public void setup() {
        int index = switch (generation) {
            case "2017" -> 0;
            case "2020" -> 1;
            default -> 2;
        };
        body = PipelineBench.body("20ff7fc3-e762-44dd-bd96-b71116dcdc23", index, 0);
    }

    /** The baseline: parse the body into a tree. */
    @Benchmark
    public JsonNode parseOnly() throws Exception {
        return JSON.readTree(body);
    }

    /** Normalise and evaluate, default profile. */
    @Benchmark
    public RuleResult normaliseAndEvaluate() {
        return HighSeverityAlertEmailRule.evaluate(body, Profile.DEFAULT);
    }
}

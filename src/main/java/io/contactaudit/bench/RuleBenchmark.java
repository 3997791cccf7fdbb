package io.contactaudit.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.contactaudit.rule.HighSeverityAlertEmailRule;
import io.contactaudit.rule.Profile;
import io.contactaudit.rule.RuleResult;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Normalise + evaluate of one securityContacts body per API generation, next to the baseline of merely
 * parsing the same body into a JSON tree (the least any reader of it must do).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
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

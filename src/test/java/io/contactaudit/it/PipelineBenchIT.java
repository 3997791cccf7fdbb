package io.contactaudit.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.contactaudit.bench.PipelineBench;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code bench pipeline}, small and in-process on its own broker: every phase runs, the topology and the fan-out floor
 * three times each in turn, and the run ends with the one summary line readers compare across runs, in its shape.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class PipelineBenchIT {

    private static final Pattern SUMMARY =
            Pattern.compile("(?m)^summary: topology \\d+ snapshots/s, fan-out floor \\d+ "
                    + "records-in/s, ratio \\d+%, stream-thread \\d+\\.\\d µs/snapshot, p99 \\d+ ms at 100/s, live state (\\d+) "
                    + "B/subscription$");

    @Test
    void everyPhaseRunsAndTheSummaryLineHasItsShape() throws Exception {
        StringWriter text = new StringWriter();
        StringWriter progress = new StringWriter();
        try (PrintWriter out = new PrintWriter(text);
                PrintWriter err = new PrintWriter(progress)) {
            new PipelineBench(new PipelineBench.Settings(200, 3, 1, 100, 1, 1, Map.of()), out, err).run();
        }
        String output = text.toString();
        Matcher summary = SUMMARY.matcher(output);
        assertThat(summary.find()).as(output).isTrue();
        // the posture of a subscription of the bench's estate, key and value: ~680 bytes (docs/benchmarks.md)
        assertThat(Integer.parseInt(summary.group(1))).as(output).isBetween(600, 700);
        assertThat(output)
                .containsPattern("warm-up: an evaluator over 200 subscriptions x 3 cycles of its own, 1 round\\(s\\)")
                .containsPattern("topology, 3 runs, cycles 2-3: \\d+, \\d+, \\d+ snapshots/s")
                .containsPattern("fan-out floor, 3 runs: \\d+, \\d+, \\d+ records-in/s")
                .containsPattern("run by run: \\d+%, \\d+%, \\d+%")
                .containsPattern(
                        "evaluator's output per snapshot, cycles 2-3 \\(records x average size\\): findings.v1 ")
                .containsPattern("latency at 100 snapshots/s for 1 s .*over \\d+ snapshots")
                .containsPattern("restart: the evaluator closed cleanly and started again on its local state: RUNNING")
                .containsPattern("restore: local state wiped, \\d+ changelog records restored");
        // the lines a profiler is attached and detached on (docs/benchmarks.md, "Profiling one phase"), in turn
        assertThat(progress.toString())
                .as(progress.toString())
                .containsSubsequence(
                        "bench: topology: cycle 1 of 3 committed",
                        "bench: fan-out floor: run 1 of 3 started",
                        "bench: fan-out floor: run 1 of 3 committed",
                        "bench: topology: run 2 of 3: cycle 3 of 3 committed",
                        "bench: fan-out floor: run 2 of 3 committed",
                        "bench: topology: run 3 of 3: cycle 3 of 3 committed",
                        "bench: fan-out floor: run 3 of 3 committed");
    }
}

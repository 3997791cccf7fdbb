package io.contactaudit.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.contactaudit.app.CollectorApp;
import io.contactaudit.app.EvaluatorApp;
import io.contactaudit.app.KafkaSetup;
import io.contactaudit.cli.CliRunner;
import io.contactaudit.collector.Collector;
import io.contactaudit.collector.KnownSubscriptions;
import io.contactaudit.config.ContactAuditConfig;
import io.contactaudit.demo.ContactRenderer;
import io.contactaudit.demo.FakeArm;
import io.contactaudit.demo.Scenario;
import io.contactaudit.kafka.Topics;
import io.contactaudit.schema.PostureState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code report} over a history the real pipeline wrote on the real broker (two subscriptions, one regresses and is
 * suppressed under an exception), checked for its numbers and its digest, and rendered by a real browser (Debian's
 * chromium, headless: DOM, screenshot, PDF) when one is installed ({@code .ci/run} installs it).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReportIT {

    static final String GOOD = "d0000000-0000-4000-8000-000000000001";
    static final String BAD = "d0000000-0000-4000-8000-000000000002";

    @TempDir
    static Path dir;

    Path report;
    CliRunner.Run run;
    String[] args;

    static Scenario.Subscription sub(String id, String alerts) {
        return new Scenario.Subscription(
                id,
                id.substring(0, 4),
                "Enabled",
                ContactRenderer.V2023,
                List.of(new Scenario.Contact("default", true, List.of("secops@contoso.com"), alerts, List.of(), null)),
                null,
                null,
                null,
                null);
    }

    @BeforeAll
    void history() throws Exception {
        String bootstrap = TestKafka.bootstrapServers();
        String prefix = TestKafka.uniquePrefix("report");
        ContactAuditConfig config = ContactAuditConfig.of(Map.of(
                ContactAuditConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ContactAuditConfig.TOPIC_PREFIX_CONFIG, prefix,
                ContactAuditConfig.STATE_DIR_CONFIG, dir.resolve("state").toString()));
        Topics topics = KafkaSetup.topics(config);
        KafkaSetup.prepare(config, topics);
        Instant from = Instant.now().minusSeconds(60);
        try (FakeArm arm = FakeArm.start(new Scenario("t", 100, 0, List.of(sub(GOOD, "High"), sub(BAD, "High"))));
                EvaluatorApp evaluator = EvaluatorApp.create(config, topics);
                CollectorApp collector = CollectorApp.create(
                        config,
                        topics,
                        CollectorApp.arm(config, arm.endpoint(), arm.clientSslContext()),
                        Collector.Progress.NONE)) {
            evaluator.start();
            assertThat(collector.once().publishedAll()).isTrue();
            arm.putContact(
                    BAD,
                    new Scenario.Contact("default", true, List.of("secops@contoso.com"), "Off", List.of(), null),
                    ContactRenderer.V2023);
            assertThat(collector.once().publishedAll()).isTrue();
            awaitPosture(config, topics, p -> p.getVerdict().name().equals("FAIL"));
            CliRunner.Run granted = CliRunner.run(
                    "exceptions",
                    "add",
                    "--bootstrap-servers",
                    bootstrap,
                    "--topic-prefix",
                    prefix,
                    "--subscription",
                    BAD,
                    "--category",
                    "WAIVER",
                    "--justification",
                    "lab <script>alert(1)</script>",
                    "--requested-by",
                    "owner@contoso.com",
                    "--approved-by",
                    "ciso@contoso.com",
                    "--expires",
                    "P30D");
            assertThat(granted.exitCode()).as(granted.err()).isZero();
            awaitPosture(config, topics, PostureState::getSuppressed);
        }
        report = dir.resolve("out/report.html");
        args = new String[] {
            "report",
            "--bootstrap-servers",
            bootstrap,
            "--topic-prefix",
            prefix,
            "--from",
            from.toString(),
            "--to",
            Instant.now().plusSeconds(1).toString(),
            "--output",
            report.toString()
        };
        run = CliRunner.run(args);
    }

    static void awaitPosture(
            ContactAuditConfig config, Topics topics, java.util.function.Predicate<PostureState> wanted) {
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    PostureState p = KnownSubscriptions.postures(
                                    config.kafkaClientProperties(), topics.posture(), Duration.ofSeconds(10))
                            .get(BAD);
                    return p != null && wanted.test(p);
                });
    }

    @Test
    void theReportCountsWhatThePipelineWroteAndItsDigestIsReproducible() throws Exception {
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("2 subscriptions at the end (1 PASS, 0 FAIL, 1 SUPPRESSED, 0 ERROR, 0 STALE)");
        String html = Files.readString(report, StandardCharsets.UTF_8);
        assertThat(html)
                .contains(
                        "<b data-state=\"PASS\">1</b>",
                        "<b data-state=\"SUPPRESSED\">1</b>",
                        "<b data-state=\"FAIL\">0</b>")
                .contains("REGRESSED", "EXCEPTION_GRANTED", "ciso@contoso.com")
                .contains("lab &lt;script&gt;alert(1)&lt;/script&gt;")
                .doesNotContain("<script");
        Matcher digest = Pattern.compile("sha256 ([0-9a-f]{64})").matcher(run.out());
        assertThat(digest.find()).isTrue();
        assertThat(html).contains("<code id=\"sha256\">" + digest.group(1) + "</code>");

        // the same command over the same records: the same digest
        CliRunner.Run again = CliRunner.run(args);
        assertThat(again.out()).contains("sha256 " + digest.group(1));
    }

    @Test
    void aRealBrowserRendersItAndPrintsItToPdf() throws Exception {
        assertThat(run.exitCode()).as(run.err()).isZero();
        String browser = browser();
        Assumptions.assumeTrue(
                browser != null,
                "no chromium on this machine: the browser check is skipped (apt-get install chromium; .ci/run does)");
        Path pdf = dir.resolve("report.pdf");
        Path png = dir.resolve("report.png");
        String dom = chromium(browser, "--dump-dom", report.toUri().toString());
        assertThat(dom).contains("id=\"chart-over-time\"", "data-state=\"SUPPRESSED\">1<");
        chromium(
                browser,
                "--print-to-pdf=" + pdf,
                "--no-pdf-header-footer",
                report.toUri().toString());
        chromium(
                browser,
                "--screenshot=" + png,
                "--window-size=1200,1600",
                report.toUri().toString());
        // kept for a look: target/report-it/
        Path kept = Files.createDirectories(Path.of("target", "report-it"));
        for (Path file : List.of(report, pdf, png)) {
            Files.copy(file, kept.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        byte[] pdfBytes = Files.readAllBytes(pdf);
        assertThat(new String(pdfBytes, 0, 5, StandardCharsets.US_ASCII)).isEqualTo("%PDF-");
        assertThat(pdfBytes.length).as("a PDF with pages of text and charts").isGreaterThan(10_000);
        byte[] pngBytes = Files.readAllBytes(png);
        assertThat(pngBytes[1]).as("PNG").isEqualTo((byte) 'P');
        assertThat(pngBytes.length).isGreaterThan(20_000);
    }

    static String browser() {
        for (String candidate : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        return null;
    }

    /** Runs headless chromium over a file; its standard output. */
    String chromium(String browser, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--user-data-dir=" + dir.resolve("chromium-profile")));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command)
                .redirectError(dir.resolve("chromium.err").toFile())
                .start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        assertThat(p.exitValue())
                .as(Files.exists(dir.resolve("chromium.err")) ? Files.readString(dir.resolve("chromium.err")) : "")
                .isZero();
        return new String(out, StandardCharsets.UTF_8);
    }
}

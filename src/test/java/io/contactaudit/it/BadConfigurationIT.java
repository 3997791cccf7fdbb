package io.contactaudit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Bad configuration fails fast, with a one-line cause and a non-zero exit code. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BadConfigurationIT {

    @TempDir
    Path dir;

    @Test
    void missingAzureCredentialsNameTheVariable() throws Exception {
        Jar jar = new Jar(dir, "credentials");
        int code = jar.run(
                Map.of("CONTACT_AUDIT_AZURE_CREDENTIAL", "client-secret", "AZURE_TENANT_ID", ""),
                "collect",
                "--bootstrap-servers",
                TestKafka.bootstrapServers(),
                "--topic-prefix",
                TestKafka.uniquePrefix("creds"));
        assertThat(code).isEqualTo(2);
        assertThat(jar.err().strip())
                .isEqualTo(
                        "contact-audit: error: azure.credential=client-secret needs the environment variable AZURE_TENANT_ID");
    }

    @Test
    void anUnreadableScenarioIsOneLine() throws Exception {
        Path scenario = Files.writeString(dir.resolve("bad.yaml"), "subscriptions: [ {id: x, colour: blue} ]");
        Jar jar = new Jar(dir, "scenario");
        int code = jar.run(
                Map.of(),
                "collect",
                "--bootstrap-servers",
                TestKafka.bootstrapServers(),
                "--topic-prefix",
                TestKafka.uniquePrefix("scenario"),
                "--scenario",
                scenario.toString());
        assertThat(code).isEqualTo(2);
        assertThat(jar.err().strip().lines()).hasSize(1);
        assertThat(jar.err()).contains("cannot read scenario", "colour");
    }

    @Test
    void anInvalidValueIsAUsageError() throws Exception {
        Jar jar = new Jar(dir, "value");
        int code = jar.run(
                Map.of("CONTACT_AUDIT_STALE_AFTER", "three hours"), "evaluate", "--bootstrap-servers", "127.0.0.1:1");
        assertThat(code).isEqualTo(2);
        assertThat(jar.err().strip())
                .isEqualTo(
                        "contact-audit: error: stale.after must be an ISO-8601 duration such as PT15M or PT1H, got 'three hours'");
    }

    @Test
    void noBrokersConfigured() throws Exception {
        Jar jar = new Jar(dir, "nobroker");
        int code = jar.run(Map.of(), "evaluate");
        assertThat(code).isEqualTo(2);
        assertThat(jar.err()).contains("no Kafka brokers configured: give --bootstrap-servers HOST:PORT");
    }
}

package io.contactaudit.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.contactaudit.embedded.EmbeddedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Standard Kafka client security settings pass through the configuration: SASL/SCRAM-SHA-512 against
 * the embedded broker's SASL listener, credentials only in the environment, never printed.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SecureKafkaIT {

    static final String PASSWORD = "scram-s3cret-planted";

    @TempDir
    Path dir;

    static Map<String, String> env(String password) {
        return Map.of(
                "CONTACT_AUDIT_SECURITY_PROTOCOL", "SASL_PLAINTEXT",
                "CONTACT_AUDIT_SASL_MECHANISM", "SCRAM-SHA-512",
                "CONTACT_AUDIT_SASL_JAAS_CONFIG",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required "
                                + "username=\"auditor\" password=\"" + password + "\";",
                "CONTACT_AUDIT_KAFKA_TIMEOUT", "PT10S");
    }

    @Test
    void collectsOverScramAndRefusesAWrongPassword() throws Exception {
        Path scenario = Files.writeString(dir.resolve("tenant.yaml"), """
            tenantId: 11111111-2222-3333-4444-555555555555
            subscriptions:
              - {id: 90000000-0000-0000-0000-000000000001, name: a, contacts: [{emails: [a@contoso.com], alerts: High}]}
            """);
        try (EmbeddedKafka broker =
                EmbeddedKafka.start(dir.resolve("kafka"), 0, new EmbeddedKafka.Scram("auditor", PASSWORD))) {
            Jar ok = new Jar(dir, "ok");
            int code = ok.run(
                    env(PASSWORD),
                    "collect",
                    "--once",
                    "--bootstrap-servers",
                    broker.saslBootstrapServers(),
                    "--scenario",
                    scenario.toString());
            assertThat(code).as(ok.err()).isZero();
            assertThat(ok.out()).contains("1 subscriptions", "published 1, failed 0");
            assertThat(ok.out() + ok.err()).doesNotContain(PASSWORD);

            Jar denied = new Jar(dir, "denied");
            int refused = denied.run(
                    env("wrong-" + PASSWORD),
                    "collect",
                    "--once",
                    "--bootstrap-servers",
                    broker.saslBootstrapServers(),
                    "--scenario",
                    scenario.toString());
            assertThat(refused).isEqualTo(4);
            assertThat(denied.err()).contains("contact-audit: error:");
            assertThat(denied.out() + denied.err()).doesNotContain(PASSWORD);
        }
    }
}

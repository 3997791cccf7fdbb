package io.contactaudit.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.contactaudit.config.ContactAuditConfig;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaSetupTest {

    static ContactAuditConfig config(String... keyValues) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            values.put(keyValues[i], keyValues[i + 1]);
        }
        return ContactAuditConfig.of(values);
    }

    @Test
    void registryCredentialsOverPlainHttpAreWarnedOf() {
        String url = ContactAuditConfig.REGISTRY_URL_CONFIG;
        assertThat(KafkaSetup.warnOfCredentialsInClear(config(url, "http://registry:8080")))
                .as("no credentials")
                .isEmpty();
        assertThat(KafkaSetup.warnOfCredentialsInClear(
                        config(url, "http://registry:8080", "apicurio.registry.auto-register", "false")))
                .as("a registry setting that is no credential")
                .isEmpty();
        assertThat(KafkaSetup.warnOfCredentialsInClear(
                        config(url, "http://registry:8080", "basic.auth.user.info", "u:secret")))
                .hasValueSatisfying(
                        w -> assertThat(w).contains("plain http", "https://").doesNotContain("secret"));
        assertThat(KafkaSetup.warnOfCredentialsInClear(
                        config(url, "http://registry:8080", "apicurio.auth.username", "u")))
                .isPresent();
        assertThat(KafkaSetup.warnOfCredentialsInClear(config(url, "http://u:secret@registry:8080")))
                .hasValueSatisfying(w -> assertThat(w).doesNotContain("secret"));
        assertThat(KafkaSetup.warnOfCredentialsInClear(
                        config(url, "https://registry:8443", "basic.auth.user.info", "u:secret")))
                .isEmpty();
        assertThat(KafkaSetup.warnOfCredentialsInClear(config()))
                .as("no registry")
                .isEmpty();
    }
}

package io.contactaudit.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.contactaudit.config.ConfigException;
import io.contactaudit.config.ContactAuditConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegistryUrlTest {

    @Test
    void theBaseUrlAndEveryApiOfTheSameRegistryNameIt() {
        for (String url : new String[] {
            "http://registry:8080",
            "http://registry:8080/",
            "http://registry:8080/apis/ccompat/v7",
            "http://registry:8080/apis/ccompat/v7/",
            "http://registry:8080/apis/registry/v2",
            "http://registry:8080/apis/registry/v3"
        }) {
            RegistryUrl registry = RegistryUrl.parse(url);
            assertThat(registry.base()).as(url).isEqualTo("http://registry:8080");
            assertThat(registry.ccompat()).as(url).isEqualTo("http://registry:8080/apis/ccompat/v7");
            assertThat(registry.registryV2()).as(url).isEqualTo("http://registry:8080/apis/registry/v2");
        }
        assertThat(RegistryUrl.parse("https://gw.example.com/registry/apis/ccompat/v7")
                        .base())
                .isEqualTo("https://gw.example.com/registry");
    }

    @Test
    void credentialsOverPlainHttpToAnotherHostAreInClear() {
        assertThat(RegistryUrl.parse("http://user:pw@registry:8080").credentialsInClear(false))
                .isTrue();
        assertThat(RegistryUrl.parse("http://registry:8080").credentialsInClear(true))
                .isTrue();
        assertThat(RegistryUrl.parse("http://registry:8080").credentialsInClear(false))
                .as("no credentials")
                .isFalse();
        assertThat(RegistryUrl.parse("https://user:pw@registry:8443").credentialsInClear(true))
                .isFalse();
        for (String local :
                new String[] {"http://u:p@localhost:8080", "http://u:p@127.0.0.1:8080", "http://u:p@[::1]:8080"}) {
            assertThat(RegistryUrl.parse(local).credentialsInClear(true))
                    .as(local)
                    .isFalse();
        }
        assertThat(RegistryUrl.parse("http://u:p@127.registry.example.com:8080").credentialsInClear(true))
                .as("a name, not the loopback address")
                .isTrue();
        assertThat(RegistryUrl.parse("http://user:secret@registry:8080").inClearWarning())
                .contains("http://[redacted]@registry:8080", "https://")
                .doesNotContain("secret");
    }

    @Test
    void anyOtherApiPathOrAnotherSchemeIsRefusedInOneLine() {
        assertThatThrownBy(() -> RegistryUrl.parse("http://registry:8080/apis/ccompat/v7/subjects"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("/apis/ccompat/v7")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> RegistryUrl.parse("registry:8080")).hasMessageContaining("http(s) URL");
    }

    @Test
    void credentialsInTheUrlAreNeverShown() {
        String url = "https://ops:planted-pw@registry:8081/apis/ccompat/v7";
        RegistryUrl registry = RegistryUrl.parse(url);
        assertThat(registry.shown()).isEqualTo("https://[redacted]@registry:8081");
        assertThat(registry.given())
                .as("Confluent's serde gets the URL as given")
                .isEqualTo(url);
        assertThatThrownBy(() -> RegistryUrl.parse("https://ops:planted-pw@registry:8081/apis/x"))
                .hasMessageContaining("https://[redacted]@registry:8081/apis/x")
                .hasMessageNotContaining("planted-pw");
        // passwords that were not percent-encoded: a / or an @ in them, or a space
        for (String typo : new String[] {
            "https://ops:pl/anted@registry:8081",
            "https://ops:pl@nted@registry:8081",
            "https://ops:pl anted@registry:8081"
        }) {
            assertThatThrownBy(() -> RegistryUrl.parse(typo))
                    .as(typo)
                    .hasMessageNotContaining("anted")
                    .hasMessageNotContaining("pl");
        }
        assertThatThrownBy(() -> ContactAuditConfig.of(
                        Map.of(ContactAuditConfig.REGISTRY_URL_CONFIG, "https://ops:planted-pw@r:8081/apis/x")))
                .isInstanceOf(ConfigException.class)
                .hasMessageNotContaining("planted-pw");
        assertThat(ContactAuditConfig.of(Map.of(ContactAuditConfig.REGISTRY_URL_CONFIG, url))
                        .redacted())
                .containsEntry(
                        ContactAuditConfig.REGISTRY_URL_CONFIG, "https://[redacted]@registry:8081/apis/ccompat/v7");
        assertThatThrownBy(() -> AvroSerdes.registry("http://ops:planted-pw@127.0.0.1:1", null, false, Map.of())
                        .awaitRegistry(java.time.Duration.ofSeconds(1)))
                .hasMessageStartingWith("cannot reach the schema registry at http://[redacted]@127.0.0.1:1 within")
                .hasMessageNotContaining("planted-pw");
    }

    @Test
    void theConfigurationRefusesAWrongFormAtLoadAsAUsageError() {
        assertThatThrownBy(() ->
                        ContactAuditConfig.of(Map.of(ContactAuditConfig.REGISTRY_URL_CONFIG, "http://r:8080/apis/v7")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("schema.registry.url: give the registry's base URL");
        assertThat(ContactAuditConfig.of(
                                Map.of(ContactAuditConfig.REGISTRY_URL_CONFIG, "http://r:8080/apis/ccompat/v7"))
                        .registryUrl())
                .isEqualTo("http://r:8080/apis/ccompat/v7");
    }

    @Test
    void theSerdeReachesTheV2ApiWhicheverFormIsConfigured() {
        AvroSerdes avro = AvroSerdes.registry(
                "http://r:8080/apis/ccompat/v7", AvroSerdes.RegistrySerde.APICURIO, false, Map.of());
        assertThat(avro.registryUrl()).isEqualTo("http://r:8080");
    }
}

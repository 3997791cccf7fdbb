package io.contactaudit.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's configuration reference is the one generated from the code: docs cannot drift from it. */
class ConfigReferenceTest {

    @Test
    void readmeCarriesTheGeneratedReference() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        assertThat(readme)
                .as("README.md's configuration table is stale; replace it with:%n%s", ConfigReference.markdown())
                .contains(ConfigReference.markdown());
    }
}

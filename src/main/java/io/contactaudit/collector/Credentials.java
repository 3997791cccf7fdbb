package io.contactaudit.collector;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import java.time.OffsetDateTime;
import reactor.core.publisher.Mono;

/** Credentials the collector is given besides Azure's own (see {@code app/AzureCredentials}). */
public final class Credentials {

    private Credentials() {
    }

    /** A fixed token, for the local fake endpoint of {@code demo} and {@code --scenario} (never sent to Azure). */
    public static TokenCredential fixed(String token) {
        return request -> Mono.just(new AccessToken(token, OffsetDateTime.now().plusHours(1)));
    }
}

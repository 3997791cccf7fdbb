package io.contactaudit.collector;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import java.time.OffsetDateTime;
import reactor.core.publisher.Mono;

/** A credential for a local Resource Manager endpoint; Azure's own credential chain is chosen in app/ ({@code AzureCredentials}). */
public final class Credentials {

    private Credentials() {}

    /** A fixed token, for the local fake endpoint of {@code demo} and {@code --scenario} (never sent to Azure). */
    public static TokenCredential fixed(String token) {
        return request -> Mono.just(new AccessToken(token, OffsetDateTime.now().plusHours(1)));
    }
}

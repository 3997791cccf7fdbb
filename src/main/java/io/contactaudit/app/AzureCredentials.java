package io.contactaudit.app;

import com.azure.core.credential.TokenCredential;
import com.azure.identity.AzureCliCredentialBuilder;
import com.azure.identity.ClientCertificateCredentialBuilder;
import com.azure.identity.ClientSecretCredentialBuilder;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.identity.ManagedIdentityCredentialBuilder;
import io.contactaudit.config.ConfigException;
import java.util.Locale;
import java.util.Map;

/**
 * The Azure credential, chosen by {@code azure.credential}: {@code default} (DefaultAzureCredential: environment,
 * workload identity, managed identity, Azure CLI, ...), {@code client-secret}, {@code client-certificate},
 * {@code managed-identity} or {@code azure-cli}. Secrets come from the standard environment variables
 * (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH), never from files.
 */
public final class AzureCredentials {

    private AzureCredentials() {}

    /** The credential named by {@code kind}, configured from {@code env}. */
    public static TokenCredential of(String kind, Map<String, String> env) {
        String k = kind == null ? "default" : kind.trim().toLowerCase(Locale.ROOT);
        return switch (k) {
            case "default" -> new DefaultAzureCredentialBuilder().build();
            case "client-secret" ->
                new ClientSecretCredentialBuilder()
                        .tenantId(required(env, "AZURE_TENANT_ID", k))
                        .clientId(required(env, "AZURE_CLIENT_ID", k))
                        .clientSecret(required(env, "AZURE_CLIENT_SECRET", k))
                        .build();
            case "client-certificate" ->
                new ClientCertificateCredentialBuilder()
                        .tenantId(required(env, "AZURE_TENANT_ID", k))
                        .clientId(required(env, "AZURE_CLIENT_ID", k))
                        .pemCertificate(required(env, "AZURE_CLIENT_CERTIFICATE_PATH", k))
                        .build();
            case "managed-identity" -> {
                ManagedIdentityCredentialBuilder builder = new ManagedIdentityCredentialBuilder();
                String clientId = env.get("AZURE_CLIENT_ID");
                if (clientId != null && !clientId.isBlank()) {
                    builder.clientId(clientId);
                }
                yield builder.build();
            }
            case "azure-cli" -> new AzureCliCredentialBuilder().build();
            default ->
                throw new ConfigException("azure.credential must be one of default, client-secret, client-certificate, "
                        + "managed-identity, azure-cli; got '" + kind + "'");
        };
    }

    private static String required(Map<String, String> env, String name, String kind) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            throw new ConfigException("azure.credential=" + kind + " needs the environment variable " + name);
        }
        return value;
    }
}

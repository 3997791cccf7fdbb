package io.contactaudit.app;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.identity.AadCredentialBuilderBase;
import com.azure.identity.AzureCliCredentialBuilder;
import com.azure.identity.ClientCertificateCredentialBuilder;
import com.azure.identity.ClientSecretCredentialBuilder;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.identity.ManagedIdentityCredentialBuilder;
import com.azure.identity.WorkloadIdentityCredentialBuilder;
import io.contactaudit.config.ConfigException;
import io.contactaudit.config.TenantsFile;
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
                        .tenantId(required(env, "AZURE_TENANT_ID", "azure.credential=" + k))
                        .clientId(required(env, "AZURE_CLIENT_ID", "azure.credential=" + k))
                        .clientSecret(required(env, "AZURE_CLIENT_SECRET", "azure.credential=" + k))
                        .build();
            case "client-certificate" ->
                new ClientCertificateCredentialBuilder()
                        .tenantId(required(env, "AZURE_TENANT_ID", "azure.credential=" + k))
                        .clientId(required(env, "AZURE_CLIENT_ID", "azure.credential=" + k))
                        .pemCertificate(required(env, "AZURE_CLIENT_CERTIFICATE_PATH", "azure.credential=" + k))
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

    /**
     * The credential of one tenant of the tenants file, for that tenant only: its secret or certificate path read from
     * the environment variable the file names. {@code authorityHost} (null: the SDK's) unless the tenant names its
     * own; {@code http} (null: the SDK's) is the client its token requests go through.
     */
    public static TokenCredential forTenant(
            TenantsFile.Entry tenant, Map<String, String> env, String authorityHost, HttpClient http) {
        String kind = tenant.credentialKind();
        String where = "tenant " + tenant.displayName() + " (" + tenant.tenantId() + "), credential " + kind;
        String authority = tenant.authorityHost() != null ? tenant.authorityHost() : authorityHost;
        return switch (kind) {
            case "client-secret" -> {
                ClientSecretCredentialBuilder b = new ClientSecretCredentialBuilder()
                        .tenantId(tenant.tenantId())
                        .clientId(tenant.clientId())
                        .clientSecret(required(env, tenant.clientSecretEnv(), where));
                yield common(b, authority, http).build();
            }
            case "client-certificate" -> {
                ClientCertificateCredentialBuilder b = new ClientCertificateCredentialBuilder()
                        .tenantId(tenant.tenantId())
                        .clientId(tenant.clientId())
                        .pemCertificate(required(env, tenant.certificatePathEnv(), where));
                yield common(b, authority, http).build();
            }
            case "workload-identity" -> {
                String variable = tenant.tokenFileEnv() == null ? "AZURE_FEDERATED_TOKEN_FILE" : tenant.tokenFileEnv();
                WorkloadIdentityCredentialBuilder b = new WorkloadIdentityCredentialBuilder()
                        .tenantId(tenant.tenantId())
                        .clientId(tenant.clientId())
                        .tokenFilePath(required(env, variable, where));
                yield common(b, authority, http).build();
            }
            case "managed-identity" -> {
                ManagedIdentityCredentialBuilder b = new ManagedIdentityCredentialBuilder();
                if (tenant.clientId() != null && !tenant.clientId().isBlank()) {
                    b.clientId(tenant.clientId());
                }
                yield b.build();
            }
            case "azure-cli" ->
                new AzureCliCredentialBuilder().tenantId(tenant.tenantId()).build();
            default -> {
                DefaultAzureCredentialBuilder b = new DefaultAzureCredentialBuilder().tenantId(tenant.tenantId());
                if (authority != null) {
                    b.authorityHost(authority);
                }
                yield b.build();
            }
        };
    }

    /** The authority and HTTP client of a client-credential flow; instance discovery off for a custom authority. */
    private static <T extends AadCredentialBuilderBase<T>> T common(T builder, String authority, HttpClient http) {
        if (authority != null) {
            builder.authorityHost(authority);
            builder.disableInstanceDiscovery();
        }
        if (http != null) {
            builder.httpClient(http);
        }
        return builder;
    }

    /** The variable {@code name}; else an error that begins with {@code who} (what needs it). */
    private static String required(Map<String, String> env, String name, String who) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            throw new ConfigException(who + " needs the environment variable " + name);
        }
        return value;
    }
}

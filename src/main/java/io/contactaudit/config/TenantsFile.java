package io.contactaudit.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The tenants one collector reads ({@code collector.tenants.file}), each with its own identity. Secrets are never in
 * the file: it names the environment variables that hold them.
 *
 * <pre>
 * tenants:
 *   - id: 72f988bf-86f1-41af-91ab-2d7cd011db47      # the Entra ID tenant (a GUID)
 *     name: Contoso                                 # display name in findings, totals and metrics
 *     credential: client-secret                     # client-secret | client-certificate | workload-identity
 *                                                   # | managed-identity | default | azure-cli
 *     clientId: 00000000-0000-0000-0000-000000000001
 *     clientSecretEnv: CONTOSO_CLIENT_SECRET        # the variable holding the secret (client-secret)
 *     certificatePathEnv: CONTOSO_CERTIFICATE_PATH  # the variable holding the PEM path (client-certificate)
 *     tokenFileEnv: AZURE_FEDERATED_TOKEN_FILE      # workload-identity (that variable by default)
 *     authorityHost: https://login.microsoftonline.us/  # this tenant's authority, else azure.authority.host
 *     include: '^prod-'                             # only subscriptions whose id or name matches
 *     exclude: 'sandbox'                            # not those
 *     readsPerSecond: 10                            # this identity's pace, else collector.tenant.reads.per.second
 * </pre>
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record TenantsFile(List<Entry> tenants) {

    private static final Pattern GUID =
            Pattern.compile("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
    static final List<String> CREDENTIALS = List.of(
            "client-secret", "client-certificate", "workload-identity", "managed-identity", "default", "azure-cli");

    public TenantsFile {
        tenants = tenants == null ? List.of() : List.copyOf(tenants);
    }

    /** One tenant and the identity that reads it. */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record Entry(
            String id,
            String name,
            String credential,
            String clientId,
            String clientSecretEnv,
            String certificatePathEnv,
            String tokenFileEnv,
            String authorityHost,
            String include,
            String exclude,
            Integer readsPerSecond) {

        /** A tenant read with a client secret held in the variable {@code secretEnv}, nothing else set. */
        public static Entry clientSecret(String id, String name, String clientId, String secretEnv) {
            return new Entry(id, name, "client-secret", clientId, secretEnv, null, null, null, null, null, null);
        }

        /** The tenant id, lower case. */
        public String tenantId() {
            return id.trim().toLowerCase(Locale.ROOT);
        }

        /** The display name, else the id. */
        public String displayName() {
            return name == null || name.isBlank() ? tenantId() : name.trim();
        }

        /** The credential kind, {@code default} when not given. */
        public String credentialKind() {
            return credential == null || credential.isBlank()
                    ? "default"
                    : credential.trim().toLowerCase(Locale.ROOT);
        }

        public Pattern includePattern() {
            return include == null || include.isBlank() ? null : Pattern.compile(include);
        }

        public Pattern excludePattern() {
            return exclude == null || exclude.isBlank() ? null : Pattern.compile(exclude);
        }
    }

    /** Reads and checks {@code file}: every problem at once, each naming the tenant, in one error. */
    public static TenantsFile read(Path file) {
        TenantsFile parsed;
        ObjectMapper yaml =
                new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        try {
            parsed = yaml.readValue(Files.readAllBytes(file), TenantsFile.class);
        } catch (NoSuchFileException e) {
            throw new ConfigException("collector.tenants.file: no such file " + file);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null
                    ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr() + ")";
            throw new ConfigException(
                    "collector.tenants.file " + file + " is not a tenants file: " + e.getOriginalMessage() + where);
        } catch (IOException e) {
            throw new ConfigException("collector.tenants.file: cannot read " + file + ": " + e.getMessage());
        }
        if (parsed == null) {
            parsed = new TenantsFile(List.of());
        }
        List<String> problems = parsed.problems();
        if (!problems.isEmpty()) {
            throw new ConfigException("collector.tenants.file " + file + ": " + String.join("; ", problems));
        }
        return parsed;
    }

    /** What is wrong with the tenants, each naming the tenant; empty when nothing. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (tenants.isEmpty()) {
            problems.add("lists no tenants (give at least one under tenants:)");
        }
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < tenants.size(); i++) {
            Entry t = tenants.get(i);
            String which = "tenant " + (i + 1);
            if (t == null || t.id() == null || !GUID.matcher(t.id().trim()).matches()) {
                problems.add(which + ": id must be the tenant's id, a GUID, got '" + (t == null ? null : t.id()) + "'");
                continue;
            }
            which += " (" + t.displayName() + ")";
            if (!ids.add(t.tenantId())) {
                problems.add(which + ": listed twice");
            }
            if (!CREDENTIALS.contains(t.credentialKind())) {
                problems.add(which + ": credential must be one of " + String.join(", ", CREDENTIALS) + ", got '"
                        + t.credential() + "'");
            }
            boolean needsClient = List.of("client-secret", "client-certificate", "workload-identity")
                    .contains(t.credentialKind());
            if (needsClient && (t.clientId() == null || t.clientId().isBlank())) {
                problems.add(which + ": credential " + t.credentialKind() + " needs clientId");
            }
            if ("client-secret".equals(t.credentialKind())
                    && (t.clientSecretEnv() == null || t.clientSecretEnv().isBlank())) {
                problems.add(which + ": credential client-secret needs clientSecretEnv, the environment variable"
                        + " that holds the secret (never the secret itself)");
            }
            if ("client-certificate".equals(t.credentialKind())
                    && (t.certificatePathEnv() == null || t.certificatePathEnv().isBlank())) {
                problems.add(which + ": credential client-certificate needs certificatePathEnv, the environment"
                        + " variable that holds the PEM file's path");
            }
            if (t.authorityHost() != null) {
                try {
                    Validators.httpsUri(which + ": authorityHost", t.authorityHost());
                } catch (ConfigException e) {
                    problems.add(e.getMessage());
                }
            }
            for (String[] p : new String[][] {{"include", t.include()}, {"exclude", t.exclude()}}) {
                if (p[1] != null) {
                    try {
                        Validators.regex().ensureValid(which + ": " + p[0], p[1]);
                    } catch (ConfigException e) {
                        problems.add(e.getMessage());
                    }
                }
            }
            if (t.readsPerSecond() != null && t.readsPerSecond() < 0) {
                problems.add(which + ": readsPerSecond must be 0 (not paced) or more, got " + t.readsPerSecond());
            }
        }
        return problems;
    }
}

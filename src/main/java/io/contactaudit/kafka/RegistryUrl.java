package io.contactaudit.kafka;

import io.contactaudit.Errors;
import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * The one reading of {@code schema.registry.url}, for every command: the registry's base URL
 * ({@code http://registry:8080}), its Confluent-compatible API ({@code .../apis/ccompat/v7}) and its
 * Apicurio v2 API ({@code .../apis/registry/v2}) all name the same registry; any other API path is refused.
 * The built-in serde talks to the Apicurio v2 API, {@code schemas register} and the start-up probe to the
 * Confluent-compatible one; Confluent's own serializer, where a site selects it, gets the URL as given.
 *
 * @param base  the registry's base URL, without a trailing slash
 * @param given the URL as configured, without a trailing slash
 */
public record RegistryUrl(String base, String given) {

    /** API paths that name the registry they are served by. */
    private static final List<String> APIS =
            List.of("/apis/ccompat/v7", "/apis/ccompat/v6", "/apis/registry/v2", "/apis/registry/v3");

    /** The registry's base URL as it may be printed: without its user info. */
    public String shown() {
        return Errors.withoutUserInfo(base);
    }

    /**
     * The registry a configured URL names.
     *
     * @throws IllegalArgumentException in one line, for a URL that is not http(s) or names an API this reads nothing from
     */
    public static RegistryUrl parse(String url) {
        String text = url.trim();
        while (text.endsWith("/")) {
            text = text.substring(0, text.length() - 1);
        }
        URI uri;
        try {
            uri = URI.create(text);
        } catch (IllegalArgumentException e) {
            // not a URL: where its user info ends is anybody's guess (a space in a password), so none of it is shown
            throw new IllegalArgumentException(
                    url.contains("@") ? "not a URL (not shown: it holds an @)" : "not a URL: '" + url + "'");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new IllegalArgumentException(
                    "must be an http(s) URL such as http://registry:8080, got '" + Errors.withoutUserInfo(url) + "'");
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        int apis = path.indexOf("/apis");
        if (apis < 0) {
            return new RegistryUrl(text, text);
        }
        String api = path.substring(apis);
        if (APIS.contains(api)) {
            return new RegistryUrl(text.substring(0, text.length() - api.length()), text);
        }
        throw new IllegalArgumentException(
                "give the registry's base URL (http://registry:8080) or its Confluent-compatible API "
                        + "(http://registry:8080/apis/ccompat/v7), got '" + Errors.withoutUserInfo(url) + "'");
    }

    /** The Confluent-compatible API: subjects, versions, schemas by id. */
    public String ccompat() {
        return base + "/apis/ccompat/v7";
    }

    /** The Apicurio v2 API the built-in serde uses. */
    public String registryV2() {
        return base + "/apis/registry/v2";
    }

    /**
     * Whether credentials sent to this registry cross the network readable: plain {@code http://} to a host other than
     * the loopback, with user info in the URL or, when {@code configured}, credentials set beside it.
     */
    public boolean credentialsInClear(boolean configured) {
        URI uri = URI.create(base);
        if (!"http".equalsIgnoreCase(uri.getScheme()) || !configured && uri.getRawUserInfo() == null) {
            return false;
        }
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        return !host.equals("localhost") && !host.matches("127(\\.\\d{1,3}){3}") && !host.equals("[::1]");
    }

    /** The warning for {@link #credentialsInClear}: what is exposed, and the remedy. */
    public String inClearWarning() {
        return "the schema registry " + shown() + " is reached over plain http with credentials: they cross the "
                + "network readable by anyone on the path (use an https:// URL)";
    }
}

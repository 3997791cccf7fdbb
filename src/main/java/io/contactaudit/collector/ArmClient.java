package io.contactaudit.collector;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpPipelineBuilder;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.http.policy.BearerTokenAuthenticationPolicy;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.core.http.policy.RequestIdPolicy;
import com.azure.core.http.policy.UserAgentPolicy;
import com.azure.core.management.AzureEnvironment;
import com.azure.core.management.profile.AzureProfile;
import com.azure.core.util.Context;
import com.azure.resourcemanager.resources.ResourceManager;
import com.azure.resourcemanager.resources.models.Subscription;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.contactaudit.rule.ResponseBody;
import io.contactaudit.rule.SecurityContactsNormalizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Read-only access to Azure Resource Manager through the Azure SDK's own HTTP pipeline: bearer
 * authentication from a {@link TokenCredential}, {@link RetryAfterPolicy}, per-request timeouts.
 * Never writes and never registers resource providers (so it never calls {@code withSubscription}).
 */
public final class ArmClient {

    private static final HttpHeaderName REMAINING_READS =
            HttpHeaderName.fromString("x-ms-ratelimit-remaining-subscription-reads");

    /** Azure public cloud. */
    public static final URI AZURE_PUBLIC = URI.create("https://management.azure.com/");

    /**
     * @param endpoint       Resource Manager endpoint, e.g. https://management.azure.com/
     * @param scope          OAuth scope of the token, e.g. https://management.azure.com/.default
     * @param requestTimeout per-request timeout (response and read)
     * @param maxRetries     retries of a throttled, unavailable or failed request
     * @param maxRetryDelay  longest wait before one retry, whatever Retry-After asks
     * @param baseRetryDelay first backoff delay when the service does not say how long to wait
     * @param readsBurst     requests this client may send at once (its token bucket's size)
     * @param readsPerSecond requests per second this client sends at most, each attempt counted; 0: not paced
     */
    public record Settings(
            URI endpoint,
            String scope,
            Duration requestTimeout,
            int maxRetries,
            Duration maxRetryDelay,
            Duration baseRetryDelay,
            int readsBurst,
            int readsPerSecond) {
        /** Azure public cloud defaults: 30 s timeout, 4 retries, at most 60 s per wait, not paced. */
        public static Settings defaults() {
            return new Settings(
                    AZURE_PUBLIC,
                    "https://management.azure.com/.default",
                    Duration.ofSeconds(30),
                    4,
                    Duration.ofSeconds(60),
                    Duration.ofMillis(800),
                    200,
                    0);
        }

        public Settings withEndpoint(URI uri) {
            return new Settings(
                    uri, scope, requestTimeout, maxRetries, maxRetryDelay, baseRetryDelay, readsBurst, readsPerSecond);
        }

        public Settings withRequestTimeout(Duration timeout) {
            return new Settings(
                    endpoint, scope, timeout, maxRetries, maxRetryDelay, baseRetryDelay, readsBurst, readsPerSecond);
        }

        public Settings withRetries(int retries, Duration base, Duration max) {
            return new Settings(endpoint, scope, requestTimeout, retries, max, base, readsBurst, readsPerSecond);
        }

        /** Paced at {@code perSecond} with a bucket of {@code burst}; a {@code perSecond} of 0: not paced. */
        public Settings withReads(int burst, int perSecond) {
            return new Settings(
                    endpoint, scope, requestTimeout, maxRetries, maxRetryDelay, baseRetryDelay, burst, perSecond);
        }
    }

    /** One response: status, body text, and the headers support needs. */
    public record Response(int status, String body, String requestId) {

        /** The ARM error of a failed response, {@code code: message}, or {@code HTTP <status>}. */
        public String error() {
            try {
                JsonNode error = ERRORS.readTree(body).path("error");
                if (error.isObject()) {
                    String code = error.path("code").asText("");
                    String message = error.path("message").asText("");
                    return code + (message.isEmpty() ? "" : ": " + message);
                }
            } catch (IOException | RuntimeException notJson) {
                // fall through
            }
            return "HTTP " + status;
        }
    }

    private static final ObjectMapper ERRORS = SecurityContactsNormalizer.boundedMapper();

    /**
     * A subscription as discovered: {@code tenantId} the tenant it belongs to, {@code managedBy} the tenants that
     * manage it through Azure Lighthouse.
     */
    public record DiscoveredSubscription(
            String id, String tenantId, String name, String state, List<String> managedBy) {
        public DiscoveredSubscription {
            managedBy = managedBy == null ? List.of() : List.copyOf(managedBy);
        }

        /** A subscription known by its id only. */
        public static DiscoveredSubscription of(String id, String tenantId) {
            return new DiscoveredSubscription(id, tenantId, null, null, List.of());
        }
    }

    private final Settings settings;
    private final HttpPipeline pipeline;
    private final AzureProfile profile;
    private final ThrottleStats stats = new ThrottleStats();

    /**
     * @param ssl a TLS context to trust (a local endpoint's own certificate), or null for the JDK defaults
     */
    public ArmClient(Settings settings, TokenCredential credential, SSLContext ssl, Clock clock) {
        this.settings = settings;
        java.net.http.HttpClient.Builder jdk = java.net.http.HttpClient.newBuilder();
        if (ssl != null) {
            jdk.sslContext(ssl);
        }
        HttpClient http = new JdkHttpClientBuilder(jdk)
                .connectionTimeout(settings.requestTimeout())
                .responseTimeout(settings.requestTimeout())
                .readTimeout(settings.requestTimeout())
                .build();
        List<HttpPipelinePolicy> policies = new ArrayList<>(List.of(
                new UserAgentPolicy("contact-audit"),
                new RequestIdPolicy(),
                new RetryAfterPolicy(
                        settings.maxRetries(), settings.baseRetryDelay(), settings.maxRetryDelay(), clock, stats)));
        if (settings.readsPerSecond() > 0) {
            policies.add(paced(settings));
        }
        policies.add(new BearerTokenAuthenticationPolicy(credential, settings.scope()));
        this.pipeline = new HttpPipelineBuilder()
                .httpClient(http)
                .policies(policies.toArray(HttpPipelinePolicy[]::new))
                .build();
        Map<String, String> endpoints = new HashMap<>(AzureEnvironment.AZURE.getEndpoints());
        endpoints.put("resourceManagerEndpointUrl", settings.endpoint().toString());
        this.profile = new AzureProfile(null, null, new AzureEnvironment(endpoints));
    }

    /** A policy that takes a token of the client's bucket before each attempt, waiting its turn. */
    private static HttpPipelinePolicy paced(Settings settings) {
        TokenBucket bucket = new TokenBucket(settings.readsBurst(), settings.readsPerSecond());
        return new HttpPipelinePolicy() {
            @Override
            public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
                return Mono.fromCallable(() -> {
                            bucket.take();
                            return true;
                        })
                        .subscribeOn(Schedulers.boundedElastic())
                        .then(Mono.defer(next::process));
            }

            @Override
            public HttpResponse processSync(HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
                try {
                    bucket.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the read pace", e);
                }
                return next.processSync();
            }
        };
    }

    /** Throttling seen by this client. */
    public ThrottleStats stats() {
        return stats;
    }

    /** The endpoint this client talks to. */
    public URI endpoint() {
        return settings.endpoint();
    }

    /** Every subscription the identity can see, following pages. */
    public List<DiscoveredSubscription> subscriptions() {
        List<DiscoveredSubscription> found = new ArrayList<>();
        for (Subscription s :
                ResourceManager.authenticate(pipeline, profile).subscriptions().list()) {
            found.add(new DiscoveredSubscription(
                    s.subscriptionId(),
                    s.innerModel().tenantId(),
                    s.displayName(),
                    s.state() == null ? null : s.state().toString(),
                    s.innerModel().managedByTenants() == null
                            ? List.of()
                            : s.innerModel().managedByTenants().stream()
                                    .map(m -> m.tenantId())
                                    .filter(Objects::nonNull)
                                    .toList()));
        }
        return found;
    }

    /** GET of a path under the endpoint, or of an absolute URL (a nextLink), after retries. */
    public Response get(String pathOrUrl) {
        String url = pathOrUrl.startsWith("https://") || pathOrUrl.startsWith("http://")
                ? pathOrUrl
                : settings.endpoint().resolve(pathOrUrl).toString();
        HttpRequest request = new HttpRequest(HttpMethod.GET, url).setHeader(HttpHeaderName.ACCEPT, "application/json");
        try (HttpResponse response = pipeline.sendSync(request, Context.NONE)) {
            stats.remainingReads(response.getHeaderValue(REMAINING_READS));
            stats.response(response.getStatusCode());
            String body = body(response, url);
            return new Response(
                    response.getStatusCode(), body, response.getHeaderValue(HttpHeaderName.X_MS_REQUEST_ID));
        }
    }

    /**
     * PUT of {@code json} to a path under the endpoint, after retries (a PUT of a whole resource is idempotent): for
     * remediation, with a credential allowed to write.
     */
    public Response put(String path, String json) {
        String url = settings.endpoint().resolve(path).toString();
        HttpRequest request = new HttpRequest(HttpMethod.PUT, url)
                .setHeader(HttpHeaderName.ACCEPT, "application/json")
                .setHeader(HttpHeaderName.CONTENT_TYPE, "application/json")
                .setBody(json);
        try (HttpResponse response = pipeline.sendSync(request, Context.NONE)) {
            stats.response(response.getStatusCode());
            return new Response(
                    response.getStatusCode(),
                    body(response, url),
                    response.getHeaderValue(HttpHeaderName.X_MS_REQUEST_ID));
        }
    }

    /**
     * The body as text, read no further than {@link ResponseBody#MAX_BYTES}: a larger body (by its Content-Length, or
     * as it streams in) or one that is not UTF-8 fails the request with the reason.
     */
    private static String body(HttpResponse response, String url) {
        String refused = "HTTP " + response.getStatusCode() + " response of "
                + response.getRequest().getHttpMethod() + " " + url + " refused: ";
        String length = response.getHeaderValue(HttpHeaderName.CONTENT_LENGTH);
        try {
            if (length != null && Long.parseLong(length.trim()) > ResponseBody.MAX_BYTES) {
                throw ResponseBody.tooLarge();
            }
            if (response.getBodyAsBinaryData() == null) {
                return "";
            }
            // a stream over the connection (the JDK client's synchronous response), not a buffered copy
            try (InputStream in = response.getBodyAsBinaryData().toStream()) {
                return ResponseBody.decode(ResponseBody.read(in));
            }
        } catch (ResponseBody.Rejected e) {
            throw new IllegalStateException(
                    refused + e.getMessage() + (length == null ? "" : " (Content-Length " + length + ")"), e);
        } catch (NumberFormatException e) {
            throw new IllegalStateException(refused + "invalid Content-Length '" + length + "'", e);
        } catch (IOException e) {
            throw new UncheckedIOException(refused + e.getMessage(), e);
        }
    }
}

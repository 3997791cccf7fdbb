package io.contactaudit.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.contactaudit.collector.TokenBucket;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local Azure Resource Manager endpoint over HTTPS (self-signed certificate made at start, trusted
 * only by clients given {@link #clientSslContext()}), serving a {@link Scenario}: subscription discovery
 * with paging, and each subscription's securityContacts in its API generation, with injected faults.
 * The Azure SDK client talks to it exactly as it would to management.azure.com. It also takes PUT and
 * DELETE of a security contact (checked as Resource Manager checks them), changes the scenario it serves, and
 * tells its {@link #onChange listeners} — the way {@link ChangeFeed} publishes what Azure would deliver to an
 * Event Hub. For {@code demo}, {@code run --scenario}, the benchmarks and tests.
 */
public final class FakeArm implements AutoCloseable {

    static {
        // without it, com.sun.net.httpserver delays every response by ~40 ms (Nagle + delayed ACK)
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private static final Logger LOG = LoggerFactory.getLogger(FakeArm.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONTACTS = "/providers/Microsoft.Security/securityContacts";
    private static final Pattern CONTACT = Pattern.compile(
            "^/subscriptions/([^/]+)/providers/microsoft\\.security/securitycontacts/([^/]+)$",
            Pattern.CASE_INSENSITIVE);
    private static final List<String> API_VERSIONS =
            List.of(ContactRenderer.V2017, ContactRenderer.V2020, ContactRenderer.V2023);

    private final HttpsServer server;
    private final ExecutorService executor;
    private final SelfSignedCertificate certificate;
    private final AtomicReference<Scenario> scenario;
    private final HttpClient writer;
    private final Map<String, AtomicInteger> contactRequests = new ConcurrentHashMap<>();
    private final AtomicInteger discoveryRequests = new AtomicInteger();
    private final AtomicInteger remainingReads = new AtomicInteger(11_999);
    private final List<Consumer<ContactChange>> listeners = new CopyOnWriteArrayList<>();
    private final Set<String> readOnly = ConcurrentHashMap.newKeySet();
    private final Map<String, List<Scenario.Fault>> writeFaults = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> writeRequests = new ConcurrentHashMap<>();
    /** Tokens issued by the token endpoint → the tenant each was issued for. */
    private final Map<String, String> issuedTokens = new ConcurrentHashMap<>();

    private final Set<String> authFailures = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicInteger> tokenRequests = new ConcurrentHashMap<>();
    private volatile Limit readLimit;
    private final Map<String, Limit> tenantWideLimits = new ConcurrentHashMap<>();
    private final Map<String, TokenBucket> tenantReads = new ConcurrentHashMap<>();
    private final Map<String, TokenBucket> subscriptionReads = new ConcurrentHashMap<>();
    private final Map<String, TokenBucket> tenantWideReads = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> throttled = new ConcurrentHashMap<>();
    private static final Pattern TOKEN = Pattern.compile("^/([^/]+)/oauth2/v2\\.0/token$");
    private static final String ANY_TENANT = "*";

    /** Resource Manager's read limit: a bucket of {@code capacity} refilled at {@code perSecond}. */
    private record Limit(int capacity, double perSecond) {}

    /**
     * A security contact written or deleted through this endpoint.
     *
     * @param operation     {@code write} or {@code delete}
     * @param correlationId the id Resource Manager gives the request (x-ms-correlation-request-id)
     * @param time          when the change was made
     */
    public record ContactChange(
            String subscriptionId,
            String tenantId,
            String contactName,
            String operation,
            String correlationId,
            Instant time) {

        /** The contact's resource id, as Azure spells it. */
        public String resourceId() {
            return "/subscriptions/" + subscriptionId + CONTACTS + "/" + contactName;
        }
    }

    private FakeArm(Scenario scenario) throws IOException {
        this.scenario = new AtomicReference<>(scenario);
        this.certificate = SelfSignedCertificate.create();
        this.server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        server.setHttpsConfigurator(new HttpsConfigurator(certificate.serverContext()));
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-arm");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        this.writer = HttpClient.newBuilder()
                .sslContext(certificate.clientContext())
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    /** Starts serving {@code scenario} on a free loopback port. */
    public static FakeArm start(Scenario scenario) throws IOException {
        return new FakeArm(scenario);
    }

    /** {@code https://127.0.0.1:PORT/}. */
    public URI endpoint() {
        return URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    /** A TLS context that trusts this endpoint's certificate and nothing else. */
    public SSLContext clientSslContext() {
        return certificate.clientContext();
    }

    /** Serves another scenario from the next request on (the simulated tenant changes between cycles). */
    public void scenario(Scenario replaced) {
        scenario.set(replaced);
    }

    /** The scenario being served. */
    public Scenario scenario() {
        return scenario.get();
    }

    /**
     * Answers PUT and DELETE of {@code subscriptionId}'s contacts with 403 AuthorizationFailed, as Resource Manager does
     * for an identity without Microsoft.Security/securityContacts/write there (the Security Reader role).
     */
    public void denyWrites(String subscriptionId) {
        readOnly.add(subscriptionId.toLowerCase(Locale.ROOT));
    }

    /**
     * Answers the PUTs and DELETEs of a subscription's security contacts with {@code faults}, in order, as the reads of
     * a scenario's subscription are (e.g. 409 Conflict, 429 with Retry-After, 503); then as usual.
     */
    public void failWrites(String subscriptionId, List<Scenario.Fault> faults) {
        writeFaults.put(subscriptionId.toLowerCase(Locale.ROOT), List.copyOf(faults));
        writeRequests.remove(subscriptionId.toLowerCase(Locale.ROOT));
    }

    /** How many PUTs and DELETEs of a subscription's contacts arrived (answered or not). */
    public int writeRequests(String subscriptionId) {
        AtomicInteger n = writeRequests.get(subscriptionId.toLowerCase(Locale.ROOT));
        return n == null ? 0 : n.get();
    }

    /** Calls {@code listener} after each accepted PUT or DELETE of a security contact, on the request's thread. */
    public void onChange(Consumer<ContactChange> listener) {
        listeners.add(listener);
    }

    /**
     * Sets a subscription's security contact through this endpoint's HTTPS API, as a client (Azure CLI, a
     * template) would: a PUT of {@code contact} in {@code apiVersion}. The status Resource Manager answers.
     */
    public int putContact(String subscriptionId, Scenario.Contact contact, String apiVersion)
            throws IOException, InterruptedException {
        String name = contact.name() == null ? "default" : contact.name();
        String body =
                ContactRenderer.contact(subscriptionId, contact, apiVersion).toString();
        return call("PUT", subscriptionId, name, apiVersion, HttpRequest.BodyPublishers.ofString(body));
    }

    /** Deletes a subscription's security contact {@code name} through the HTTPS API; the status answered. */
    public int deleteContact(String subscriptionId, String name, String apiVersion)
            throws IOException, InterruptedException {
        return call("DELETE", subscriptionId, name, apiVersion, HttpRequest.BodyPublishers.noBody());
    }

    private int call(
            String method, String subscriptionId, String name, String apiVersion, HttpRequest.BodyPublisher body)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(endpoint()
                        .resolve("subscriptions/" + subscriptionId + CONTACTS + "/" + name + "?api-version="
                                + apiVersion))
                .header("Authorization", "Bearer demo")
                .header("Content-Type", "application/json")
                .method(method, body)
                .build();
        return writer.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /**
     * Meters reads as Resource Manager documents it: tenant-level reads (the subscription list) in one token bucket
     * per caller (the tenant of its token), subscription-level reads in one bucket per caller and subscription, each of
     * {@code capacity} refilled at {@code perSecond}; a read finding its bucket empty gets 429 with the seconds to wait
     * in Retry-After.
     */
    public void limitReads(int capacity, double perSecond) {
        readLimit = new Limit(capacity, perSecond);
        tenantReads.clear();
        subscriptionReads.clear();
    }

    /**
     * Meters every read of the tokens of {@code tenantId} (listing and subscriptions alike) in one more bucket: a tenant
     * that throttles harder than documented (other tools spending the same identity's budget).
     */
    public void limitTenantReads(String tenantId, int capacity, double perSecond) {
        tenantWideLimits.put(tenantId.toLowerCase(Locale.ROOT), new Limit(capacity, perSecond));
        tenantWideReads.remove(tenantId.toLowerCase(Locale.ROOT));
    }

    /** Refuses to issue tokens for {@code tenantId} (a revoked secret: AADSTS7000215). */
    public void failAuth(String tenantId) {
        authFailures.add(tenantId.toLowerCase(Locale.ROOT));
    }

    /** Issues tokens for {@code tenantId} again. */
    public void restoreAuth(String tenantId) {
        authFailures.remove(tenantId.toLowerCase(Locale.ROOT));
    }

    /** Token requests received for a tenant (refused ones included). */
    public int tokenRequests(String tenantId) {
        AtomicInteger n = tokenRequests.get(tenantId.toLowerCase(Locale.ROOT));
        return n == null ? 0 : n.get();
    }

    /** Reads answered 429 because a read limit ran out, for tokens of {@code tenantId} ({@code *}: other tokens). */
    public int throttledReads(String tenantId) {
        AtomicInteger n = throttled.get(tenantId.toLowerCase(Locale.ROOT));
        return n == null ? 0 : n.get();
    }

    /** Requests received for a subscription's contacts, pages and retries included. */
    public int contactRequests(String subscriptionId) {
        AtomicInteger n = contactRequests.get(subscriptionId.toLowerCase(Locale.ROOT));
        return n == null ? 0 : n.get();
    }

    /** Requests received for the subscription list, pages included. */
    public int discoveryRequests() {
        return discoveryRequests.get();
    }

    /** Forgets request counts, so that faults apply again from the start. */
    public void resetCounts() {
        contactRequests.clear();
        discoveryRequests.set(0);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Scenario current = scenario.get();
            String path = exchange.getRequestURI().getPath();
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            String method = exchange.getRequestMethod();
            // read before any answer: after an answer that left the request body unread, the next request on the same
            // keep-alive connection was, now and then, answered only by the server closing the connection ~30 s later
            byte[] body = exchange.getRequestBody().readNBytes(64 * 1024);
            Matcher tokenPath = TOKEN.matcher(path);
            if ("POST".equals(method) && tokenPath.matches()) {
                token(exchange, tokenPath.group(1).toLowerCase(Locale.ROOT));
                return;
            }
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            if (auth == null || !auth.startsWith("Bearer ")) {
                send(
                        exchange,
                        401,
                        error("AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing."),
                        Map.of());
                return;
            }
            // a token this endpoint issued is scoped to its tenant; any other sees everything
            String caller = issuedTokens.get(auth.substring("Bearer ".length()));
            // reads are metered as they arrive, then take the scenario's latency
            Matcher contact = CONTACT.matcher(path);
            if (("PUT".equals(method) || "DELETE".equals(method)) && contact.matches()) {
                sleep(current.latencyMs());
                write(exchange, contact.group(1).toLowerCase(Locale.ROOT), contact.group(2), query, body);
                return;
            }
            if (!"GET".equals(method)) {
                send(exchange, 405, error("MethodNotAllowed", method + " is not supported on " + path), Map.of());
                return;
            }
            if (path.equals("/subscriptions") || path.equals("/subscriptions/")) {
                discoveryRequests.incrementAndGet();
                if (!throttled(exchange, caller, null)) {
                    sleep(current.latencyMs());
                    send(exchange, 200, discovery(current, query, caller), Map.of());
                }
                return;
            }
            String lower = path.toLowerCase(Locale.ROOT);
            if (lower.startsWith("/subscriptions/") && lower.endsWith(CONTACTS.toLowerCase(Locale.ROOT))) {
                String id = lower.substring("/subscriptions/".length(), lower.length() - CONTACTS.length());
                contacts(exchange, current, id, query, caller);
                return;
            }
            send(exchange, 404, error("NotFound", "no route for " + path), Map.of());
        } catch (RuntimeException e) {
            send(exchange, 500, error("InternalServerError", e.toString()), Map.of());
        }
    }

    private void contacts(HttpExchange exchange, Scenario current, String id, Map<String, String> query, String caller)
            throws IOException {
        Scenario.Subscription sub = byId(current).get(id.toLowerCase(Locale.ROOT));
        if (sub == null) {
            subscriptionNotFound(exchange, id);
            return;
        }
        if (!visible(current, sub, caller)) {
            send(
                    exchange,
                    401,
                    error(
                            "InvalidAuthenticationTokenTenant",
                            "The access token is from the wrong issuer 'https://sts.windows.net/" + caller
                                    + "/'. It must match the tenant 'https://sts.windows.net/"
                                    + sub.tenantOr(current.tenantId()) + "/' associated with this subscription."),
                    Map.of());
            return;
        }
        if (throttled(exchange, caller, id)) {
            return;
        }
        sleep(current.latencyMs());
        int request =
                contactRequests.computeIfAbsent(id, k -> new AtomicInteger()).getAndIncrement();
        sleep(sub.latencyMs());
        Scenario.Fault fault = fault(sub.faults(), request);
        if (fault != null) {
            Map<String, String> headers =
                    fault.retryAfter() == null ? Map.of() : Map.of("Retry-After", fault.retryAfter());
            send(
                    exchange,
                    fault.status(),
                    error(
                            fault.code() == null ? defaultCode(fault.status()) : fault.code(),
                            fault.message() == null ? "injected fault " + fault.status() : fault.message()),
                    headers);
            return;
        }
        if (sub.body() != null) {
            send(exchange, 200, sub.body(), Map.of());
            return;
        }
        String apiVersion = query.getOrDefault("api-version", "2023-12-01-preview");
        send(exchange, 200, ContactRenderer.render(sub, endpoint(), apiVersion, query.get("$skipToken")), Map.of());
    }

    /** A PUT or DELETE of one security contact: checked, applied to the scenario, announced. */
    private void write(HttpExchange exchange, String id, String name, Map<String, String> query, byte[] body)
            throws IOException {
        String apiVersion = query.get("api-version");
        if (apiVersion == null) {
            send(
                    exchange,
                    400,
                    error("MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required."),
                    Map.of());
            return;
        }
        if (!API_VERSIONS.contains(apiVersion)) {
            send(
                    exchange,
                    400,
                    error(
                            "InvalidApiVersionParameter",
                            "The api-version '" + apiVersion + "' is invalid. The supported versions are '"
                                    + String.join(",", API_VERSIONS) + "'."),
                    Map.of());
            return;
        }
        if (!ContactRenderer.V2017.equals(apiVersion) && !"default".equalsIgnoreCase(name)) {
            send(
                    exchange,
                    400,
                    error("InvalidSecurityContactName", "Security contact name must be 'default', got '" + name + "'."),
                    Map.of());
            return;
        }
        boolean delete = "DELETE".equals(exchange.getRequestMethod());
        int write = writeRequests.computeIfAbsent(id, k -> new AtomicInteger()).getAndIncrement();
        Scenario.Fault writeFault = fault(writeFaults.getOrDefault(id, List.of()), write);
        if (writeFault != null) {
            send(
                    exchange,
                    writeFault.status(),
                    error(
                            writeFault.code() == null ? defaultCode(writeFault.status()) : writeFault.code(),
                            writeFault.message() == null
                                    ? "injected fault " + writeFault.status()
                                    : writeFault.message()),
                    writeFault.retryAfter() == null ? Map.of() : Map.of("Retry-After", writeFault.retryAfter()));
            return;
        }
        if (readOnly.contains(id)) {
            send(
                    exchange,
                    403,
                    error(
                            "AuthorizationFailed",
                            "The client does not have authorization to perform action 'Microsoft.Security/securityContacts/"
                                    + (delete ? "delete" : "write") + "' over scope '/subscriptions/" + id
                                    + "' or the scope is invalid."),
                    Map.of());
            return;
        }
        Scenario.Contact written = null;
        if (!delete) {
            try {
                written = ContactRenderer.parse(name, JSON.readTree(body), apiVersion);
            } catch (IllegalArgumentException | IOException e) {
                send(exchange, 400, error("InvalidRequestContent", e.getMessage()), Map.of());
                return;
            }
        }
        Scenario.Contact contact = written;
        boolean[] existed = {false, false}; // {subscription found, contact existed}
        Scenario changed = scenario.updateAndGet(current -> {
            List<Scenario.Subscription> subs = new ArrayList<>();
            for (Scenario.Subscription sub : current.subscriptions()) {
                if (!sub.id().equalsIgnoreCase(id)) {
                    subs.add(sub);
                    continue;
                }
                existed[0] = true;
                List<Scenario.Contact> contacts = new ArrayList<>();
                existed[1] = false;
                for (Scenario.Contact c : sub.contacts()) {
                    String cName = ContactRenderer.name(
                            c, sub.generation() == null ? ContactRenderer.V2023 : sub.generation());
                    if (cName.equalsIgnoreCase(name)) {
                        existed[1] = true;
                    } else {
                        contacts.add(c);
                    }
                }
                if (contact != null) {
                    contacts.add(contact);
                }
                subs.add(sub.withContacts(contacts));
            }
            return new Scenario(
                    current.tenantId(),
                    current.subscriptionPageSize(),
                    current.latencyMs(),
                    subs,
                    current.refusedTenants());
        });
        if (!existed[0]) {
            subscriptionNotFound(exchange, id);
            return;
        }
        String correlationId = UUID.randomUUID().toString();
        ContactChange change = new ContactChange(
                id, changed.tenantId(), name, delete ? "delete" : "write", correlationId, Instant.now());
        for (Consumer<ContactChange> listener : listeners) {
            try {
                listener.accept(change); // the change is made: a listener's failure must not turn it into a 500
            } catch (RuntimeException e) {
                LOG.warn("announcing the {} of {}'s contact failed: {}", change.operation(), id, e.toString());
            }
        }
        Map<String, String> headers = Map.of("x-ms-correlation-request-id", correlationId);
        if (delete) {
            send(exchange, existed[1] ? 200 : 204, "", headers);
        } else {
            send(
                    exchange,
                    existed[1] ? 200 : 201,
                    ContactRenderer.contact(id, contact, apiVersion).toString(),
                    headers);
        }
    }

    private void subscriptionNotFound(HttpExchange exchange, String id) throws IOException {
        send(
                exchange,
                404,
                error("SubscriptionNotFound", "The subscription '" + id + "' could not be found."),
                Map.of());
    }

    private static Scenario.Fault fault(List<Scenario.Fault> faults, int request) {
        int seen = 0;
        for (Scenario.Fault fault : faults) {
            int times = fault.times() == null ? 1 : fault.times();
            if (times < 0 || request < seen + times) {
                return fault;
            }
            seen += times;
        }
        return null;
    }

    private static String defaultCode(int status) {
        return switch (status) {
            case 401 -> "AuthenticationFailed";
            case 403 -> "AuthorizationFailed";
            case 404 -> "SubscriptionNotFound";
            case 429 -> "TooManyRequests";
            case 503 -> "ServiceUnavailable";
            default -> "InternalServerError";
        };
    }

    /** The scenario's subscriptions by lower-case id, made once per scenario (an estate of 50,000 is read by id). */
    private Map<String, Scenario.Subscription> byId(Scenario current) {
        return index(current).ids();
    }

    /** The scenario's index, made once per scenario. */
    private Index index(Scenario current) {
        Index index = this.index;
        if (index == null || index.scenario() != current) {
            Map<String, Scenario.Subscription> ids = new HashMap<>();
            current.subscriptions().forEach(s -> ids.putIfAbsent(s.id().toLowerCase(Locale.ROOT), s));
            index = new Index(current, ids, new ConcurrentHashMap<>());
            this.index = index;
        }
        return index;
    }

    /** A scenario's subscriptions by lower-case id, and those each tenant's tokens see (filled as asked). */
    private record Index(
            Scenario scenario,
            Map<String, Scenario.Subscription> ids,
            Map<String, List<Scenario.Subscription>> visible) {}

    private volatile Index index;

    /** Whether a token of {@code caller} (null: any tenant) may read {@code sub}: its own tenant's, or delegated. */
    private static boolean visible(Scenario current, Scenario.Subscription sub, String caller) {
        return caller == null
                || caller.equalsIgnoreCase(sub.tenantOr(current.tenantId()))
                || sub.managedBy().stream().anyMatch(caller::equalsIgnoreCase);
    }

    /**
     * Takes a read from the caller's buckets: the tenant-wide one when its tenant has one, then the tenant-level one
     * (the subscription list, {@code subscription} null) or the subscription's; when one is empty, answers 429 with
     * Retry-After, as Resource Manager does, and says so.
     */
    private boolean throttled(HttpExchange exchange, String caller, String subscription) throws IOException {
        String tenant = caller == null ? ANY_TENANT : caller;
        long wait = 0;
        Limit wide = tenantWideLimits.get(tenant);
        if (wide != null) {
            wait = tenantWideReads
                    .computeIfAbsent(tenant, t -> new TokenBucket(wide.capacity(), wide.perSecond()))
                    .tryTake();
        }
        Limit limit = readLimit;
        if (wait == 0 && limit != null) {
            TokenBucket bucket = subscription == null
                    ? tenantReads.computeIfAbsent(tenant, t -> new TokenBucket(limit.capacity(), limit.perSecond()))
                    : subscriptionReads.computeIfAbsent(
                            tenant + "/" + subscription, s -> new TokenBucket(limit.capacity(), limit.perSecond()));
            wait = bucket.tryTake();
        }
        if (wait == 0) {
            return false;
        }
        throttled.computeIfAbsent(tenant, t -> new AtomicInteger()).incrementAndGet();
        send(
                exchange,
                429,
                error(
                        "TooManyRequests",
                        "The request is being throttled as the limit has been reached for operation type - Read."),
                Map.of("Retry-After", String.valueOf(Math.max(1, (wait + 999_999_999) / 1_000_000_000))));
        return true;
    }

    /**
     * The token endpoint of Microsoft Entra ID, as azure-identity's client credential flow calls it (its authority
     * host pointed here): a bearer token scoped to the tenant, or 401 invalid_client for a tenant told to
     * {@link #failAuth fail}.
     */
    private void token(HttpExchange exchange, String tenant) throws IOException {
        tokenRequests.computeIfAbsent(tenant, t -> new AtomicInteger()).incrementAndGet();
        ObjectNode body = JSON.createObjectNode();
        if (authFailures.contains(tenant)
                || scenario.get().refusedTenants().stream().anyMatch(tenant::equalsIgnoreCase)) {
            body.put("error", "invalid_client")
                    .put(
                            "error_description",
                            "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request"
                                    + " is the client secret value, not the client secret ID, for a secret added to"
                                    + " app in tenant '" + tenant + "'.")
                    .putArray("error_codes")
                    .add(7000215);
            send(exchange, 401, body.toString(), Map.of());
            return;
        }
        String token = "fake." + tenant + "." + UUID.randomUUID();
        issuedTokens.put(token, tenant);
        body.put("token_type", "Bearer")
                .put("expires_in", 3599)
                .put("ext_expires_in", 3599)
                .put("access_token", token);
        send(exchange, 200, body.toString(), Map.of());
    }

    private String discovery(Scenario current, Map<String, String> query, String caller) {
        int size = current.subscriptionPageSize() == null ? 100 : Math.max(1, current.subscriptionPageSize());
        int from = Integer.parseInt(query.getOrDefault("$skiptoken", "0"));
        List<Scenario.Subscription> all = caller == null
                ? current.subscriptions()
                : index(current)
                        .visible()
                        .computeIfAbsent(
                                caller,
                                c -> current.subscriptions().stream()
                                        .filter(s -> visible(current, s, c))
                                        .toList());
        ObjectNode page = JSON.createObjectNode();
        ArrayNode value = page.putArray("value");
        for (int i = from; i < Math.min(all.size(), from + size); i++) {
            Scenario.Subscription s = all.get(i);
            ObjectNode sub = value.addObject();
            sub.put("id", "/subscriptions/" + s.id());
            sub.put("authorizationSource", "RoleBased");
            sub.put("subscriptionId", s.id());
            sub.put("tenantId", s.tenantOr(current.tenantId()));
            ArrayNode managing = sub.putArray("managedByTenants");
            s.managedBy().forEach(m -> managing.addObject().put("tenantId", m));
            sub.put("displayName", s.name() == null ? s.id() : s.name());
            sub.put("state", s.state() == null ? "Enabled" : s.state());
            sub.putObject("subscriptionPolicies")
                    .put("locationPlacementId", "Public_2014-09-01")
                    .put("quotaId", "PayAsYouGo_2014-09-01")
                    .put("spendingLimit", "Off");
        }
        if (from + size < all.size()) {
            page.put("nextLink", endpoint() + "subscriptions?api-version=2022-12-01&$skiptoken=" + (from + size));
        }
        return page.toString();
    }

    static String error(String code, String message) {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("error").put("code", code).put("message", message);
        return body.toString();
    }

    private void send(HttpExchange exchange, int status, String body, Map<String, String> headers) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.getResponseHeaders().set("x-ms-request-id", UUID.randomUUID().toString());
        exchange.getResponseHeaders()
                .set(
                        "x-ms-ratelimit-remaining-subscription-reads",
                        String.valueOf(Math.max(0, remainingReads.getAndDecrement())));
        headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> values = new HashMap<>();
        if (raw == null) {
            return values;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            values.put(key, value);
        }
        return values;
    }

    private static void sleep(Integer millis) {
        if (millis != null && millis > 0) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

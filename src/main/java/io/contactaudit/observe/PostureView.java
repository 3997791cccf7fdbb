package io.contactaudit.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.contactaudit.Errors;
import io.contactaudit.Html;
import io.contactaudit.TenantLabel;
import io.contactaudit.evaluate.EvaluateTopology;
import io.contactaudit.kafka.Topics;
import io.contactaudit.replay.AvroJson;
import io.contactaudit.schema.DriftEvent;
import io.contactaudit.schema.PostureState;
import io.contactaudit.schema.Verdict;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The live posture, from the evaluator's own state (Kafka Streams interactive queries of the posture store):
 * <ul>
 *   <li>{@code GET /posture[?tenant=T][&verdict=PASS|FAIL|ERROR][&stale=true][&suppressed=true]}: every
 *       subscription's current state as JSON; with several evaluators, each asks the others (their
 *       {@code application.server}, the address of their HTTP endpoints) for theirs, and says which it could not
 *       reach;</li>
 *   <li>{@code GET /}: a page on top of it, rendered on the server (no script): totals, the failing and stale
 *       subscriptions, the latest drift events.</li>
 * </ul>
 */
public final class PostureView {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int LATEST_DRIFT = 20;

    private final KafkaStreams streams;
    private final Topics topics;
    private final Map<String, Object> clientProperties;
    private final HostInfo self;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    /**
     * @param self this instance's {@code application.server} (null when it has none: then only local state is read)
     */
    public PostureView(KafkaStreams streams, Topics topics, Map<String, Object> clientProperties, HostInfo self) {
        this.streams = streams;
        this.topics = topics;
        this.clientProperties = clientProperties;
        this.self = self;
    }

    /** What a query asks for. */
    record Filter(String tenant, Verdict verdict, Boolean stale, Boolean suppressed) {
        static Filter parse(Map<String, String> query) {
            String verdict = query.get("verdict");
            Verdict v = null;
            if (verdict != null) {
                v = Verdict.valueOf(verdict.trim().toUpperCase(Locale.ROOT));
            }
            return new Filter(
                    query.get("tenant"),
                    v,
                    query.containsKey("stale") ? Boolean.valueOf(query.get("stale")) : null,
                    query.containsKey("suppressed") ? Boolean.valueOf(query.get("suppressed")) : null);
        }

        boolean test(PostureState p) {
            // by id or display name, any case (as replay --tenant)
            return (tenant == null
                            || tenant.trim().equalsIgnoreCase(p.getTenantId())
                            || tenant.trim().equalsIgnoreCase(p.getTenantName()))
                    && (verdict == null || verdict == p.getVerdict())
                    && (stale == null || stale == p.getStale())
                    && (suppressed == null || suppressed == p.getSuppressed());
        }

        String query() {
            List<String> parts = new ArrayList<>();
            if (tenant != null) {
                parts.add("tenant=" + URLEncoder.encode(tenant, StandardCharsets.UTF_8));
            }
            if (verdict != null) {
                parts.add("verdict=" + verdict);
            }
            if (stale != null) {
                parts.add("stale=" + stale);
            }
            if (suppressed != null) {
                parts.add("suppressed=" + suppressed);
            }
            return String.join("&", parts);
        }
    }

    /** {@code GET /posture}. */
    public void handleJson(HttpExchange exchange) throws IOException {
        Map<String, String> query = query(exchange.getRequestURI());
        Filter filter;
        try {
            filter = Filter.parse(query);
        } catch (IllegalArgumentException e) {
            ObservabilityServer.send(
                    exchange, 400, "application/json", "{\"error\":\"verdict must be PASS, FAIL or ERROR\"}\n");
            return;
        }
        ObjectNode answer;
        try {
            answer = "true".equals(query.get("local")) ? local(filter) : all(filter);
        } catch (InvalidStateStoreException e) {
            ObservabilityServer.send(
                    exchange,
                    503,
                    "application/json",
                    JSON.createObjectNode()
                                    .put("error", "the evaluator's state is not queryable now: " + e.getMessage())
                                    .toString()
                            + "\n");
            return;
        }
        ObservabilityServer.send(exchange, 200, "application/json", answer.toString() + "\n");
    }

    /** {@code GET /}. */
    public void handlePage(HttpExchange exchange) throws IOException {
        if (!"/".equals(exchange.getRequestURI().getPath())) {
            ObservabilityServer.send(exchange, 404, "text/plain", "not found\n");
            return;
        }
        String page;
        try {
            page = page(all(Filter.parse(Map.of())));
        } catch (InvalidStateStoreException e) {
            ObservabilityServer.send(
                    exchange,
                    503,
                    "text/plain",
                    "the evaluator's state is not queryable now: " + e.getMessage() + "\n");
            return;
        }
        ObservabilityServer.send(exchange, 200, "text/html; charset=utf-8", page);
    }

    /** The postures this instance holds that {@code filter} selects. */
    ObjectNode local(Filter filter) {
        ReadOnlyKeyValueStore<String, byte[]> store = streams.store(
                StoreQueryParameters.fromNameAndType(EvaluateTopology.STORE, QueryableStoreTypes.keyValueStore()));
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode subs = answer.putArray("subscriptions");
        try (KeyValueIterator<String, byte[]> all = store.all()) {
            while (all.hasNext()) {
                KeyValue<String, byte[]> entry = all.next();
                PostureState p = topics.posture()
                        .value()
                        .deserializer()
                        .deserialize(topics.posture().name(), entry.value);
                if (filter.test(p)) {
                    subs.add(AvroJson.of(p));
                }
            }
        }
        answer.put("count", subs.size());
        answer.putArray("instances").add(self == null ? "local" : self.host() + ":" + self.port());
        answer.putArray("unreachable");
        return answer;
    }

    /** The postures of every instance that {@code filter} selects. */
    ObjectNode all(Filter filter) {
        ObjectNode answer = local(filter);
        if (self == null) {
            return answer;
        }
        ArrayNode subs = (ArrayNode) answer.get("subscriptions");
        ArrayNode instances = (ArrayNode) answer.get("instances");
        ArrayNode unreachable = (ArrayNode) answer.get("unreachable");
        for (StreamsMetadata other : streams.metadataForAllStreamsClients()) {
            HostInfo host = other.hostInfo();
            if (host.equals(self) || !other.stateStoreNames().contains(EvaluateTopology.STORE)) {
                continue;
            }
            String q = filter.query();
            URI uri = URI.create(
                    "http://" + host.host() + ":" + host.port() + "/posture?local=true" + (q.isEmpty() ? "" : "&" + q));
            try {
                HttpResponse<String> response = http.send(
                        HttpRequest.newBuilder(uri)
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    unreachable.add(host.host() + ":" + host.port() + ": HTTP " + response.statusCode());
                    continue;
                }
                JsonNode theirs = JSON.readTree(response.body());
                theirs.path("subscriptions").forEach(subs::add);
                instances.add(host.host() + ":" + host.port());
            } catch (IOException e) {
                unreachable.add(host.host() + ":" + host.port() + ": " + Errors.messages(e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                unreachable.add(host.host() + ":" + host.port() + ": interrupted");
            }
        }
        answer.put("count", subs.size());
        return answer;
    }

    /** The latest drift events, newest first: the tail of each partition of the drift topic. */
    List<DriftEvent> latestDrift() {
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "contact-audit-posture-view-" + UUID.randomUUID());
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        List<ConsumerRecord<String, byte[]>> tail = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topics.drift().name(), Duration.ofSeconds(5));
            if (infos == null || infos.isEmpty()) {
                return List.of();
            }
            List<TopicPartition> partitions = infos.stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(5));
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions, Duration.ofSeconds(5));
            for (TopicPartition tp : partitions) {
                consumer.seek(tp, Math.max(begin.get(tp), end.get(tp) - LATEST_DRIFT));
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (System.nanoTime() < deadline
                    && partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                consumer.poll(Duration.ofMillis(200)).forEach(tail::add);
            }
        }
        return tail.stream()
                .filter(r -> r.value() != null)
                .sorted(Comparator.comparingLong((ConsumerRecord<String, byte[]> r) -> r.timestamp())
                        .reversed())
                .limit(LATEST_DRIFT)
                .map(r -> {
                    try {
                        return topics.drift().value().deserializer().deserialize(r.topic(), r.value());
                    } catch (RuntimeException e) {
                        return null;
                    }
                })
                .filter(d -> d != null)
                .toList();
    }

    /** A posture's tenant as the page names it: {@code name (id)}, else the id, else nothing. */
    private static String tenant(JsonNode p) {
        String id = p.path("tenantId").asText("");
        String name = p.path("tenantName").asText("");
        return TenantLabel.of(id, name);
    }

    private String page(ObjectNode answer) {
        Map<String, Integer> totals = new LinkedHashMap<>();
        for (String k : List.of("PASS", "FAIL", "FAIL suppressed", "ERROR", "STALE")) {
            totals.put(k, 0);
        }
        List<JsonNode> attention = new ArrayList<>();
        Map<Verdict, Integer> verdicts = new EnumMap<>(Verdict.class);
        Map<String, Map<String, Integer>> byTenant = new TreeMap<>(); // by id
        Map<String, String> tenantNames = new HashMap<>();
        for (JsonNode p : answer.get("subscriptions")) {
            String verdict = p.path("verdict").asText();
            verdicts.merge(Verdict.valueOf(verdict), 1, Integer::sum);
            String state = p.path("stale").asBoolean()
                    ? "STALE"
                    : p.path("suppressed").asBoolean() ? "FAIL suppressed" : verdict;
            totals.merge(state, 1, Integer::sum);
            String tenantId = p.path("tenantId").asText("").toLowerCase(Locale.ROOT);
            if (!tenantId.isEmpty()) {
                byTenant.computeIfAbsent(tenantId, t -> new LinkedHashMap<>()).merge(state, 1, Integer::sum);
                if (!p.path("tenantName").asText("").isEmpty()) {
                    tenantNames.put(tenantId, tenant(p));
                }
            }
            if (!state.equals("PASS")) {
                attention.add(p);
            }
        }
        attention.sort(Comparator.comparing((JsonNode p) -> p.path("suppressed").asBoolean())
                .thenComparing(p -> p.path("subscriptionId").asText()));
        StringBuilder h = new StringBuilder();
        h.append(
                        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"30\">")
                .append("<title>contact-audit: live posture</title><style>")
                .append(
                        "body{font:14px/1.45 system-ui,Arial,sans-serif;margin:1.5em auto;max-width:1100px;padding:0 1em}")
                .append(
                        "table{border-collapse:collapse;width:100%;font-size:12.5px}th,td{border:1px solid #ddd;padding:3px 6px;text-align:left}")
                .append(
                        "th{background:#f3f3f3}.t{display:flex;gap:1em}.t div{border:1px solid #ddd;border-radius:6px;padding:.3em .8em}.t b{display:block;font-size:1.5em}")
                .append("</style></head><body><h1>Security contacts: live posture</h1><p>")
                .append(answer.get("count").asInt())
                .append(" subscriptions, from the evaluators' state (")
                .append(esc(String.join(", ", texts(answer.get("instances")))))
                .append("); this page reloads every 30 s. JSON: <a href=\"/posture\">/posture</a>.</p>");
        if (!answer.get("unreachable").isEmpty()) {
            h.append("<p><b>Incomplete</b>: not reachable: ")
                    .append(esc(String.join("; ", texts(answer.get("unreachable")))))
                    .append("</p>");
        }
        h.append("<div class=\"t\" id=\"totals\">");
        totals.forEach((k, v) -> h.append("<div>")
                .append(esc(k))
                .append("<b data-state=\"")
                .append(esc(k))
                .append("\">")
                .append(v)
                .append("</b></div>"));
        h.append("</div>");
        if (!byTenant.isEmpty()) {
            h.append("<h2>By tenant</h2><table id=\"tenants\"><tr><th>tenant</th>");
            totals.keySet().forEach(k -> h.append("<th>").append(esc(k)).append("</th>"));
            h.append("</tr>");
            byTenant.forEach((tenant, counts) -> {
                h.append("<tr><td>")
                        .append(esc(tenantNames.getOrDefault(tenant, tenant)))
                        .append("</td>");
                totals.keySet()
                        .forEach(k -> h.append("<td>")
                                .append(counts.getOrDefault(k, 0))
                                .append("</td>"));
                h.append("</tr>");
            });
            h.append("</table>");
        }
        h.append("<h2>Failing, suppressed, unreadable and stale</h2><table><tr><th>subscription</th><th>tenant</th>")
                .append("<th>state</th><th>since</th><th>reasons</th><th>configuration</th></tr>");
        for (JsonNode p : attention) {
            String state = p.path("stale").asBoolean()
                    ? p.path("verdict").asText() + " STALE"
                    : p.path("suppressed").asBoolean()
                            ? "FAIL suppressed"
                            : p.path("verdict").asText();
            List<String> reasons = new ArrayList<>();
            p.path("reasons").forEach(r -> reasons.add(r.path("code").asText()));
            h.append("<tr><td>")
                    .append(esc(p.path("subscriptionId").asText()))
                    .append("</td><td>")
                    .append(esc(tenant(p)))
                    .append("</td><td>")
                    .append(esc(state))
                    .append("</td><td>")
                    .append(esc(p.path("since").asText()))
                    .append("</td><td>")
                    .append(esc(String.join(", ", reasons)))
                    .append("</td><td>")
                    .append(esc(p.path("summary").asText()))
                    .append("</td></tr>");
        }
        h.append("</table><h2>Latest drift</h2><table><tr><th>detected</th><th>subscription</th><th>kind</th>")
                .append("<th>severity</th><th>before → after</th></tr>");
        for (DriftEvent d : latestDrift()) {
            h.append("<tr><td>")
                    .append(esc(d.getDetectedAt().toString()))
                    .append("</td><td>")
                    .append(esc(d.getSubscriptionId()))
                    .append("</td><td>")
                    .append(d.getKind())
                    .append("</td><td>")
                    .append(d.getSeverity())
                    .append("</td><td>")
                    .append(d.getPreviousVerdict())
                    .append(" → ")
                    .append(d.getCurrentVerdict())
                    .append("</td></tr>");
        }
        h.append("</table></body></html>\n");
        return h.toString();
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    static Map<String, String> query(URI uri) {
        Map<String, String> q = new HashMap<>();
        String raw = uri.getRawQuery();
        if (raw == null) {
            return q;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            q.put(key, value);
        }
        return q;
    }

    private static String esc(String text) {
        return Html.escape(text);
    }
}

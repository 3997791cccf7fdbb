package io.contactaudit.rule;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.contactaudit.schema.NormalizedContact;
import io.contactaudit.schema.NotificationSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads securityContacts list-response bodies of all three API generations as JSON trees, never bound to
 * one shape: a bare array or {@code {"value": [...]}}, {@code emails} as a string or an array, enum values
 * in any case, unknown fields and source types anywhere, {@code nextLink}. The generation is detected per
 * contact from its properties, never from the api-version requested.
 */
public final class SecurityContactsNormalizer {

    static final String ALERT = "Alert";
    static final String ON = "On";
    static final String OFF = "Off";
    private static final List<String> SOURCE_TYPES = List.of(ALERT, "AttackPath");
    private static final List<String> LEVELS = List.of("Critical", "High", "Medium", "Low");
    private static final List<String> STATES = List.of(ON, OFF);
    private static final List<String> ROLES = List.of("Owner", "AccountAdmin", "ServiceAdmin", "Contributor");
    private static final Pattern SUBSCRIPTION = Pattern.compile("/subscriptions/([^/]+)", Pattern.CASE_INSENSITIVE);
    private static final ObjectMapper JSON = boundedMapper();

    private SecurityContactsNormalizer() {}

    /**
     * A mapper for response bodies: {@link ResponseBody}'s limits on size, nesting, strings, numbers and tokens,
     * set explicitly; a repeated field name is an error (it is ambiguous: which of two {@code isEnabled} counts?);
     * nothing may follow the body.
     */
    public static ObjectMapper boundedMapper() {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(ResponseBody.CONSTRAINTS)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        return new ObjectMapper(factory).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    /**
     * A list read from one or more pages.
     *
     * @param contacts the contacts of all pages, in order
     * @param nextLink the last page's non-empty {@code nextLink}, or null when the list is complete
     * @param problems why a page could not be read as a list (unparseable, ARM error, unknown shape)
     */
    public record ParsedList(List<Contact> contacts, String nextLink, List<Problem> problems) {

        /** The subscription id taken from the first contact id that names one, lower case; else null. */
        public String subscriptionId() {
            for (Contact contact : contacts) {
                String id = contact.normalized().getId();
                if (id != null) {
                    Matcher m = SUBSCRIPTION.matcher(id);
                    if (m.find()) {
                        return m.group(1).toLowerCase(Locale.ROOT);
                    }
                }
            }
            return null;
        }

        /** The normalised contacts, in order. */
        public List<NormalizedContact> normalized() {
            return contacts.stream().map(Contact::normalized).toList();
        }
    }

    /**
     * A page that is not a list of contacts.
     *
     * @param code    UNPARSEABLE_BODY, ARM_ERROR or UNEXPECTED_SHAPE
     * @param message human text
     * @param seen    where and what
     */
    public record Problem(ReasonCode code, String message, Seen seen) {}

    /** Reads one response body. */
    public static ParsedList parse(String body) {
        return parse(List.of(body));
    }

    /** Reads the pages of one list response, in the order they were fetched. */
    public static ParsedList parse(List<String> pages) {
        List<Contact> contacts = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        String nextLink = null;
        if (pages.isEmpty()) {
            problems.add(new Problem(ReasonCode.UNPARSEABLE_BODY, "no response body", new Seen("$", null)));
        }
        for (int p = 0; p < pages.size(); p++) {
            String root = pages.size() == 1 ? "$" : "page" + (p + 1) + ":$";
            nextLink = null;
            JsonNode body;
            try {
                body = readTree(pages.get(p));
            } catch (StreamConstraintsException e) {
                problems.add(new Problem(
                        ReasonCode.BODY_TOO_LARGE,
                        "the response body exceeds a limit of the parser: " + e.getOriginalMessage() + where(e),
                        new Seen(root, null)));
                continue;
            } catch (JsonProcessingException e) {
                problems.add(new Problem(
                        ReasonCode.UNPARSEABLE_BODY,
                        "the response body is not valid JSON: " + e.getOriginalMessage() + where(e),
                        new Seen(root, null)));
                continue;
            }
            JsonNode items;
            String itemsPath;
            if (body.isArray()) {
                items = body;
                itemsPath = root;
            } else if (body.isObject() && body.path("value").isArray()) {
                items = body.get("value");
                itemsPath = root + ".value";
                JsonNode link = body.get("nextLink");
                if (link != null && link.isTextual() && !link.asText().isBlank()) {
                    nextLink = link.asText();
                }
            } else {
                problems.add(shapeProblem(body, root));
                continue;
            }
            if (contacts.size() + items.size() > ResponseBody.MAX_CONTACTS) {
                problems.add(new Problem(
                        ReasonCode.BODY_TOO_LARGE,
                        "the list holds more than " + ResponseBody.MAX_CONTACTS
                                + " contacts (" + items.size() + " on this page"
                                + (contacts.isEmpty() ? "" : ", " + contacts.size() + " before it")
                                + "); the page is not read",
                        new Seen(itemsPath, null)));
                continue;
            }
            for (int i = 0; i < items.size(); i++) {
                contacts.add(contact(items.get(i), itemsPath + "[" + i + "]", contacts.size() + 1));
            }
        }
        return new ParsedList(List.copyOf(contacts), nextLink, List.copyOf(problems));
    }

    private static String where(JsonProcessingException e) {
        return e.getLocation() == null
                ? ""
                : " (line " + e.getLocation().getLineNr() + ", column "
                        + e.getLocation().getColumnNr() + ")";
    }

    private static JsonNode readTree(String text) throws JsonProcessingException {
        String body = text == null ? "" : text;
        if (body.startsWith("\uFEFF")) {
            body = body.substring(1);
        }
        JsonNode node = JSON.readTree(body);
        if (node == null || node.isMissingNode()) {
            throw new EmptyBodyException();
        }
        return node;
    }

    private static final class EmptyBodyException extends JsonProcessingException {
        EmptyBodyException() {
            super("empty body");
        }
    }

    private static Problem shapeProblem(JsonNode body, String root) {
        JsonNode error = body.path("error");
        if (error.isObject()) {
            String code = error.path("code").asText("");
            String message = error.path("message").asText("");
            return new Problem(
                    ReasonCode.ARM_ERROR,
                    "the response is an ARM error, not a list of contacts: " + code
                            + (message.isEmpty() ? "" : ": " + message),
                    new Seen(root + ".error", error.toString()));
        }
        String what = body.isObject()
                ? (body.has("value")
                        ? "an object whose \"value\" is not an array"
                        : "an object without a \"value\" array"
                                + (body.has("properties")
                                        ? " (a single contact? the rule needs the list response)"
                                        : "")
                                + (body.has("responses")
                                        ? " (an API example file? evaluate its responses.200.body)"
                                        : ""))
                : "a JSON " + body.getNodeType().toString().toLowerCase(Locale.ROOT);
        return new Problem(
                ReasonCode.UNEXPECTED_SHAPE,
                "the response body is " + what + ", expected an array of contacts or {\"value\": [...]}",
                new Seen(root, abbreviate(body.toString())));
    }

    private static Contact contact(JsonNode c, String path, int position) {
        String name = c.isObject() ? text(c.get("name")) : null;
        String id = c.isObject() ? text(c.get("id")) : null;
        String label = name != null && !name.isBlank() ? name : "#" + position;
        JsonNode p = c.isObject() ? c.get("properties") : null;
        NormalizedContact.Builder normalized =
                NormalizedContact.newBuilder().setName(name).setId(id);
        if (p == null || !p.isObject()) {
            String why = !c.isObject()
                    ? "the contact is not a JSON object"
                    : p == null
                            ? "the contact has no \"properties\""
                            : "the contact's \"properties\" is not a JSON object";
            return new Contact(
                    label,
                    path,
                    why,
                    null,
                    null,
                    false,
                    List.of(),
                    null,
                    Contact.AlertSetting.ABSENT,
                    null,
                    null,
                    null,
                    null,
                    false,
                    normalized.build());
        }
        String pp = path + ".properties";

        JsonNode enabledNode = p.get("isEnabled");
        Boolean isEnabled = bool(enabledNode);
        Seen isEnabledSeen = new Seen(pp + ".isEnabled", json(enabledNode));
        JsonNode sourcesNode = p.get("notificationsSources");
        boolean latest = enabledNode != null || sourcesNode != null;

        List<Contact.Source> sources = new ArrayList<>();
        List<NotificationSource> normalizedSources = new ArrayList<>();
        JsonNode sourceList = sourcesNode != null && sourcesNode.isObject()
                ? JSON.createArrayNode().add(sourcesNode)
                : sourcesNode;
        if (sourceList != null && sourceList.isArray()) {
            for (int i = 0; i < sourceList.size(); i++) {
                JsonNode s = sourceList.get(i);
                String sp = pp + ".notificationsSources" + (sourcesNode.isArray() ? "[" + i + "]" : "");
                String type = canonical(text(s.get("sourceType")), SOURCE_TYPES);
                String severity = canonical(text(s.get("minimalSeverity")), LEVELS);
                String risk = canonical(text(s.get("minimalRiskLevel")), LEVELS);
                sources.add(new Contact.Source(
                        sp, type, severity, new Seen(sp + ".minimalSeverity", json(s.get("minimalSeverity")))));
                normalizedSources.add(new NotificationSource(type, severity, risk));
            }
        }

        JsonNode alerts = p.get("alertNotifications");
        Contact.AlertSetting setting = Contact.AlertSetting.ABSENT;
        String alertState = null;
        Seen alertStateSeen = null;
        String alertSeverity = null;
        Seen alertSeveritySeen = null;
        if (alerts != null && alerts.isTextual()) {
            setting = Contact.AlertSetting.STRING;
            alertState = canonical(alerts.asText(), STATES);
            alertStateSeen = new Seen(pp + ".alertNotifications", json(alerts));
        } else if (alerts != null && alerts.isObject()) {
            setting = Contact.AlertSetting.OBJECT;
            alertState = canonical(text(alerts.get("state")), STATES);
            alertStateSeen = new Seen(pp + ".alertNotifications.state", json(alerts.get("state")));
            alertSeverity = canonical(text(alerts.get("minimalSeverity")), LEVELS);
            alertSeveritySeen =
                    new Seen(pp + ".alertNotifications.minimalSeverity", json(alerts.get("minimalSeverity")));
        }

        List<String> emails = new ArrayList<>();
        addEmails(p.get("emails"), emails);
        addEmails(p.get("email"), emails);
        String alertsToAdmins = canonical(text(p.get("alertsToAdmins")), STATES);
        JsonNode byRole = p.path("notificationsByRole");
        String roleState = byRole.isObject() ? canonical(text(byRole.get("state")), STATES) : null;
        List<String> roles = new ArrayList<>();
        JsonNode roleNodes = byRole.path("roles");
        if (roleNodes.isArray()) {
            roleNodes.forEach(r -> {
                String role = canonical(text(r), ROLES);
                if (role != null && !role.isBlank()) {
                    roles.add(role);
                }
            });
        }
        boolean hasRecipients =
                !emails.isEmpty() || (ON.equals(roleState) && !roles.isEmpty()) || ON.equals(alertsToAdmins);

        String generation = latest
                ? "2023-12-01-preview"
                : setting == Contact.AlertSetting.OBJECT || p.has("notificationsByRole") || p.has("emails")
                        ? "2020-01-01-preview"
                        : setting == Contact.AlertSetting.STRING || p.has("email") || p.has("alertsToAdmins")
                                ? "2017-08-01-preview"
                                : "unknown";

        normalized
                .setApiGeneration(generation)
                .setIsEnabled(isEnabled)
                .setAlertNotificationsState(alertState)
                .setAlertMinimalSeverity(alertSeverity)
                .setNotificationSources(normalizedSources)
                .setEmails(emails)
                .setPhone(text(p.get("phone")))
                .setAlertsToAdmins(alertsToAdmins)
                .setRoleNotificationsState(roleState)
                .setRoles(roles);
        return new Contact(
                label,
                path,
                null,
                isEnabled,
                isEnabledSeen,
                latest,
                List.copyOf(sources),
                new Seen(pp + ".notificationsSources", json(sourcesNode)),
                setting,
                alertState,
                alertStateSeen,
                alertSeverity,
                alertSeveritySeen,
                hasRecipients,
                normalized.build());
    }

    private static void addEmails(JsonNode node, List<String> into) {
        if (node == null) {
            return;
        }
        if (node.isArray()) {
            node.forEach(n -> addEmails(n, into));
        } else if (node.isTextual()) {
            String text = node.asText(); // addresses separated by ; or , (trimmed, empty ones dropped)
            int start = 0;
            for (int i = 0; i <= text.length(); i++) {
                if (i == text.length() || text.charAt(i) == ';' || text.charAt(i) == ',') {
                    String address = text.substring(start, i).trim();
                    if (!address.isEmpty()) {
                        into.add(address);
                    }
                    start = i + 1;
                }
            }
        }
    }

    /** isEnabled: a JSON boolean, or the strings "true"/"false" in any case; anything else is null. */
    private static Boolean bool(JsonNode node) {
        if (node == null) {
            return null;
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isTextual()) {
            String t = node.asText().trim();
            if (same(t, "true")) {
                return Boolean.TRUE;
            }
            if (same(t, "false")) {
                return Boolean.FALSE;
            }
        }
        return null;
    }

    /** The text of a scalar node; null for absent, null or structured nodes. */
    private static String text(JsonNode node) {
        return node == null || node.isNull() || node.isContainerNode() ? null : node.asText();
    }

    /**
     * Whether two values are equal but for the case of ASCII letters. Enum values arrive in any case, but only
     * ASCII case: {@link String#equalsIgnoreCase} would also take look-alikes, such as High spelt with a
     * dotless or a dotted capital i (U+0131, U+0130), or false with a long s (U+017F).
     */
    static boolean same(String a, String b) {
        if (a == null || b == null || a.length() != b.length()) {
            return false;
        }
        for (int i = 0; i < a.length(); i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y && !(isAsciiLetter(x) && (x ^ 0x20) == y)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAsciiLetter(char c) {
        return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z';
    }

    /** The known spelling that matches {@code value} case-insensitively, else {@code value} as received. */
    static String canonical(String value, List<String> known) {
        if (value == null) {
            return null;
        }
        for (String k : known) {
            if (same(k, value)) {
                return k;
            }
        }
        return value;
    }

    /** A value as JSON, as {@link JsonNode#toString} writes it (a string, a boolean or null without a generator). */
    static String json(JsonNode node) {
        if (node == null) {
            return null;
        }
        String json = node.isTextual()
                ? '"' + new String(JsonStringEncoder.getInstance().quoteAsString(node.textValue())) + '"'
                : node.isBoolean() || node.isNull() ? node.asText() : node.toString();
        return abbreviate(json);
    }

    private static String abbreviate(String text) {
        return text.length() <= 300 ? text : text.substring(0, 297) + "...";
    }
}

package io.contactaudit.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders a scenario subscription's contacts as the securityContacts list response of its API generation:
 * the one renderer of response bodies, for {@link FakeArm}, the benchmarks and the tests.
 */
public final class ContactRenderer {

    public static final String V2017 = "2017-08-01-preview";
    public static final String V2020 = "2020-01-01-preview";
    public static final String V2023 = "2023-12-01-preview";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ContactRenderer() {}

    /** The whole list response of {@code subscription} (every contact on one page) in {@code generation}. */
    public static String body(String subscription, String generation, Scenario.Contact... contacts) {
        return render(
                new Scenario.Subscription(
                        subscription, null, null, generation, List.of(contacts), null, null, null, null),
                URI.create("https://127.0.0.1/"),
                generation,
                null);
    }

    /**
     * One page of the list response.
     *
     * @param endpoint   base of the next page's link
     * @param skipToken  the page's token (the index of its first contact), or null for the first page
     */
    public static String render(Scenario.Subscription sub, URI endpoint, String apiVersion, String skipToken) {
        String generation = sub.generation() == null ? V2023 : sub.generation();
        List<Scenario.Contact> contacts = sub.contacts();
        ArrayNode items = JSON.createArrayNode();
        int size = sub.contactsPageSize() == null ? Integer.MAX_VALUE : Math.max(1, sub.contactsPageSize());
        int from = skipToken == null ? 0 : Integer.parseInt(skipToken);
        for (int i = from; i < Math.min(contacts.size(), from + (long) size); i++) {
            items.add(contact(sub.id(), contacts.get(i), generation));
        }
        boolean more = from + (long) size < contacts.size();
        if (V2020.equals(generation) && sub.contactsPageSize() == null) {
            return items.toString(); // the 2020-01-01-preview list is a bare array
        }
        ObjectNode page = JSON.createObjectNode();
        page.set("value", items);
        if (more) {
            page.put(
                    "nextLink",
                    endpoint + "subscriptions/" + sub.id()
                            + "/providers/Microsoft.Security/securityContacts?api-version=" + apiVersion
                            + "&$skipToken=" + (from + size));
        }
        return page.toString();
    }

    /** One security contact resource as {@code generation} returns it (also what a PUT of it sends). */
    static ObjectNode contact(String subscription, Scenario.Contact c, String generation) {
        String name = name(c, generation);
        ObjectNode contact = JSON.createObjectNode();
        contact.put("id", "/subscriptions/" + subscription + "/providers/Microsoft.Security/securityContacts/" + name);
        contact.put("name", name);
        contact.put("type", "Microsoft.Security/securityContacts");
        ObjectNode p = contact.putObject("properties");
        boolean enabled = c.enabled() == null || c.enabled();
        boolean alertsOn = c.alerts() != null && !"Off".equalsIgnoreCase(c.alerts());
        switch (generation) {
            case V2017 -> {
                p.put("email", c.emails().isEmpty() ? "" : c.emails().get(0));
                if (c.phone() != null) {
                    p.put("phone", c.phone());
                }
                if (c.alerts() != null) {
                    p.put("alertNotifications", enabled && alertsOn ? "On" : "Off");
                }
                p.put("alertsToAdmins", c.roles().isEmpty() ? "Off" : "On");
            }
            case V2020 -> {
                p.put("emails", String.join(";", c.emails()));
                if (c.phone() != null) {
                    p.put("phone", c.phone());
                }
                if (c.alerts() != null) {
                    p.putObject("alertNotifications")
                            .put("state", enabled && alertsOn ? "On" : "Off")
                            .put("minimalSeverity", alertsOn ? c.alerts() : "High");
                }
                roles(p, c);
            }
            default -> {
                p.put("isEnabled", enabled);
                p.put("emails", String.join(";", c.emails()));
                if (c.phone() != null) {
                    p.put("phone", c.phone());
                }
                roles(p, c);
                ArrayNode sources = p.putArray("notificationsSources");
                sources.addObject().put("sourceType", "AttackPath").put("minimalRiskLevel", "Critical");
                if (alertsOn) {
                    sources.addObject().put("sourceType", "Alert").put("minimalSeverity", c.alerts());
                }
            }
        }
        return contact;
    }

    private static void roles(ObjectNode p, Scenario.Contact c) {
        ObjectNode byRole = p.putObject("notificationsByRole");
        byRole.put("state", c.roles().isEmpty() ? "Off" : "On");
        ArrayNode roles = byRole.putArray("roles");
        c.roles().forEach(roles::add);
    }

    /** The name a contact is served under: its own, or the generation's usual one. */
    static String name(Scenario.Contact c, String generation) {
        return c.name() == null ? (V2017.equals(generation) ? "default1" : "default") : c.name();
    }

    /**
     * The contact a PUT of {@code resource} in {@code generation} sets, the inverse of {@link #contact}; checked as
     * Resource Manager checks it.
     *
     * @throws IllegalArgumentException with the message Resource Manager would answer
     */
    static Scenario.Contact parse(String name, JsonNode resource, String generation) {
        if (resource == null
                || !resource.isObject()
                || !resource.path("properties").isObject()) {
            throw new IllegalArgumentException(
                    "The request content was invalid: a securityContacts body needs" + " an object 'properties'.");
        }
        JsonNode p = resource.get("properties");
        List<String> foreign = switch (generation) {
            case V2017 -> List.of("emails", "isEnabled", "notificationsSources", "notificationsByRole");
            case V2020 -> List.of("email", "isEnabled", "notificationsSources", "alertsToAdmins");
            default -> List.of("email", "alertNotifications", "alertsToAdmins");
        };
        for (String field : foreign) {
            if (p.has(field)) {
                throw new IllegalArgumentException("The request content was invalid: '" + field
                        + "' is not a property of a security contact in api-version " + generation + ".");
            }
        }
        String phone = text(p, "phone");
        return switch (generation) {
            case V2017 -> {
                String email = text(p, "email");
                String alerts = text(p, "alertNotifications");
                yield new Scenario.Contact(
                        name,
                        true,
                        email == null || email.isBlank()
                                ? List.of()
                                : List.of(emails(email).get(0)),
                        alerts == null ? null : onOff(alerts, "alertNotifications") ? "High" : "Off",
                        "On".equalsIgnoreCase(text(p, "alertsToAdmins")) ? List.of("Owner") : List.of(),
                        phone);
            }
            case V2020 -> {
                JsonNode alerts = p.get("alertNotifications");
                String severity = null;
                if (alerts != null && alerts.isObject()) {
                    String state = text(alerts, "state");
                    severity = state == null || onOff(state, "alertNotifications.state")
                            ? severity(text(alerts, "minimalSeverity"))
                            : "Off";
                }
                yield new Scenario.Contact(name, true, emails(text(p, "emails")), severity, roles(p), phone);
            }
            default -> {
                String severity = "Off";
                JsonNode sources = p.path("notificationsSources");
                for (JsonNode source : sources.isArray() ? sources : JSON.createArrayNode()) {
                    if ("Alert".equalsIgnoreCase(text(source, "sourceType"))) {
                        severity = severity(text(source, "minimalSeverity"));
                    }
                }
                JsonNode enabled = p.get("isEnabled");
                yield new Scenario.Contact(
                        name,
                        enabled == null || enabled.asBoolean(true),
                        emails(text(p, "emails")),
                        severity,
                        roles(p),
                        phone);
            }
        };
    }

    private static List<String> emails(String emails) {
        if (emails == null || emails.isBlank()) {
            return List.of();
        }
        List<String> addresses = new ArrayList<>();
        for (String address : emails.split(";")) {
            String trimmed = address.trim();
            if (!trimmed.matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+")) {
                throw new IllegalArgumentException("Invalid email address: '" + trimmed + "'.");
            }
            addresses.add(trimmed);
        }
        return addresses;
    }

    private static String severity(String severity) {
        for (String known : List.of("High", "Medium", "Low")) {
            if (known.equalsIgnoreCase(severity)) {
                return known;
            }
        }
        throw new IllegalArgumentException(
                "Invalid minimalSeverity '" + severity + "': one of High, Medium, Low is expected.");
    }

    private static boolean onOff(String state, String field) {
        if (!"On".equalsIgnoreCase(state) && !"Off".equalsIgnoreCase(state)) {
            throw new IllegalArgumentException("Invalid " + field + " '" + state + "': On or Off is expected.");
        }
        return "On".equalsIgnoreCase(state);
    }

    private static List<String> roles(JsonNode p) {
        JsonNode byRole = p.path("notificationsByRole");
        List<String> roles = new ArrayList<>();
        if ("On".equalsIgnoreCase(text(byRole, "state")) || text(byRole, "state") == null) {
            byRole.path("roles").forEach(r -> roles.add(r.asText()));
        }
        return roles;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}

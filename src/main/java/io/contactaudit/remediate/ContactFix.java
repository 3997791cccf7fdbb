package io.contactaudit.remediate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.contactaudit.evaluate.ContactChanges;
import io.contactaudit.rule.HighSeverityAlertEmailRule;
import io.contactaudit.rule.Profile;
import io.contactaudit.rule.RuleResult;
import io.contactaudit.rule.SecurityContactsNormalizer;
import io.contactaudit.schema.CollectionStatus;
import io.contactaudit.schema.SecurityContactSnapshot;
import io.contactaudit.schema.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What to write to make one subscription's security contact send e-mails about High-severity alerts: the smallest
 * change to the contact it already has, in the API generation that contact uses, that the rule passes.
 *
 * <ul>
 *   <li><b>Merge, never drop</b>: e-mails, roles, phone and other notification sources are kept; the configured
 *       recipients are added only where the contact has none. A severity that already covers High is kept.</li>
 *   <li>2023-12-01-preview: {@code isEnabled} true and an {@code Alert} source with {@code minimalSeverity};
 *       2020-01-01-preview: {@code alertNotifications {state: On, minimalSeverity}}; both under the name
 *       {@code default}, the only one those versions accept. A 2017-08-01-preview contact keeps its version and its
 *       name (that version's names are free) and gets {@code alertNotifications: "On"}. One generation per body.</li>
 *   <li>Not touched: a subscription that passes, and one whose contacts could not be read or judged (ERROR).</li>
 * </ul>
 */
public final class ContactFix {

    /** What to do about one subscription. */
    public enum Action {
        /** Write {@link Plan#body()} to {@link Plan#path()}. */
        FIX,
        /** It passes already. */
        NONE,
        /** It is not touched; {@link Plan#reason()} says why. */
        SKIP,
        /** It is under an active exception and not touched; {@link Plan#reason()} names the exception. */
        EXCEPTED
    }

    /**
     * The plan for one subscription.
     *
     * @param apiVersion the version the body is written in (that of the contact it changes)
     * @param path       {@code /subscriptions/{id}/providers/Microsoft.Security/securityContacts/{name}?api-version=...}
     * @param body       the PUT body (JSON), for {@link Action#FIX}
     * @param before     the contacts as read, in one line
     * @param after      the contact as written, in one line
     * @param reason     why nothing is written, for {@link Action#NONE} and {@link Action#SKIP}
     */
    public record Plan(
            String subscriptionId,
            Action action,
            String apiVersion,
            String path,
            String body,
            String before,
            String after,
            String reason) {}

    static final String V2017 = "2017-08-01-preview";
    static final String V2020 = "2020-01-01-preview";
    static final String V2023 = "2023-12-01-preview";
    private static final ObjectMapper JSON = SecurityContactsNormalizer.boundedMapper();

    private ContactFix() {}

    /**
     * The plan for {@code snapshot}'s subscription.
     *
     * @param severity   the minimal severity to set where the contact's does not cover High (High, Medium or Low)
     * @param recipients e-mail addresses to add to a contact that has none
     */
    public static Plan plan(
            SecurityContactSnapshot snapshot, Profile profile, String severity, List<String> recipients) {
        String sub = snapshot.getSubscriptionId();
        if (snapshot.getStatus() != CollectionStatus.OK) {
            return skip(
                    sub,
                    "",
                    "its contacts could not be read (" + snapshot.getStatus() + ": " + snapshot.getErrorMessage()
                            + "); nothing is written without knowing what is there");
        }
        RuleResult now = HighSeverityAlertEmailRule.evaluate(snapshot, profile);
        String before = ContactChanges.summary(now.contacts());
        if (now.verdict() == Verdict.PASS) {
            return new Plan(sub, Action.NONE, null, null, null, before, before, "passes already");
        }
        if (now.verdict() == Verdict.ERROR) {
            return skip(sub, before, "its contacts cannot be judged (" + String.join(", ", now.reasonCodes()) + ")");
        }
        ObjectNode existing = chosen(snapshot.getRawBodies());
        ObjectNode properties = existing == null || !existing.path("properties").isObject()
                ? JSON.createObjectNode()
                : ((ObjectNode) existing.get("properties")).deepCopy();
        String generation = generation(properties);
        String name = V2017.equals(generation) && existing != null && existing.hasNonNull("name")
                ? existing.get("name").asText()
                : "default";
        String severityError = fix(properties, generation, profile, severity, recipients);
        if (severityError != null) {
            return skip(sub, before, severityError);
        }
        ObjectNode body = JSON.createObjectNode();
        body.set("properties", properties);
        ObjectNode resource = body.deepCopy().put("name", name);
        RuleResult after = HighSeverityAlertEmailRule.evaluate(
                JSON.createObjectNode()
                        .set("value", JSON.createArrayNode().add(resource))
                        .toString(),
                profile);
        if (after.verdict() != Verdict.PASS) {
            return skip(
                    sub,
                    before,
                    "the merged contact would not pass (" + String.join(", ", after.reasonCodes())
                            + "); nothing is written");
        }
        String path = "/subscriptions/" + sub + "/providers/Microsoft.Security/securityContacts/" + name
                + "?api-version=" + generation;
        return new Plan(
                sub,
                Action.FIX,
                generation,
                path,
                body.toString(),
                before,
                ContactChanges.summary(after.contacts()),
                null);
    }

    private static Plan skip(String sub, String before, String reason) {
        return new Plan(sub, Action.SKIP, null, null, null, before, before, reason);
    }

    /** The contact to change: the one named {@code default}, else the first; null when there is none. */
    private static ObjectNode chosen(List<String> pages) {
        List<ObjectNode> contacts = new ArrayList<>();
        for (String page : pages) {
            try {
                JsonNode root = JSON.readTree(page);
                JsonNode items = root != null && root.isArray() ? root : root == null ? null : root.get("value");
                if (items != null && items.isArray()) {
                    items.forEach(item -> {
                        if (item.isObject()) {
                            contacts.add((ObjectNode) item);
                        }
                    });
                }
            } catch (Exception e) {
                return null; // judged FAIL, so parseable; a page that is not is left alone by the caller's rule check
            }
        }
        return contacts.stream()
                .filter(c -> "default".equalsIgnoreCase(c.path("name").asText()))
                .findFirst()
                .orElse(contacts.isEmpty() ? null : contacts.get(0));
    }

    /** The generation of a contact's properties, by their shape (never by the version it was read with). */
    static String generation(ObjectNode p) {
        if (p.has("isEnabled") || p.has("notificationsSources")) {
            return V2023;
        }
        if (p.path("alertNotifications").isObject()) {
            return V2020;
        }
        if (p.has("email") || p.path("alertNotifications").isTextual() || p.has("alertsToAdmins")) {
            return V2017;
        }
        return p.isEmpty() ? V2023 : V2020;
    }

    /** Changes {@code p} in place; an error message when it cannot be fixed. */
    private static String fix(
            ObjectNode p, String generation, Profile profile, String severity, List<String> recipients) {
        String emailField = V2017.equals(generation) ? "email" : "emails";
        JsonNode emails = p.get(emailField);
        boolean noEmails = emails == null
                || emails.isNull()
                || (emails.isTextual() && emails.asText().isBlank())
                || (emails.isArray() && emails.isEmpty());
        if (noEmails) {
            if (recipients.isEmpty()) {
                return "the contact has no e-mail recipients, and none are configured to add (--recipients)";
            }
            p.put(emailField, V2017.equals(generation) ? recipients.get(0) : String.join(";", recipients));
        }
        switch (generation) {
            case V2017 -> p.put("alertNotifications", "On");
            case V2020 -> {
                ObjectNode alerts = p.path("alertNotifications").isObject()
                        ? (ObjectNode) p.get("alertNotifications")
                        : p.putObject("alertNotifications");
                String current = alerts.path("minimalSeverity").asText(null);
                alerts.put("state", "On");
                alerts.put("minimalSeverity", covers(current, profile) ? current : severity);
            }
            default -> {
                p.put("isEnabled", true);
                ArrayNode sources = p.path("notificationsSources").isArray()
                        ? (ArrayNode) p.get("notificationsSources")
                        : p.putArray("notificationsSources");
                ObjectNode alert = null;
                for (JsonNode source : sources) {
                    if (source.isObject()
                            && "Alert"
                                    .equalsIgnoreCase(source.path("sourceType").asText())) {
                        alert = (ObjectNode) source;
                    }
                }
                if (alert == null) {
                    alert = sources.addObject().put("sourceType", "Alert");
                }
                String current = alert.path("minimalSeverity").asText(null);
                alert.put("minimalSeverity", covers(current, profile) ? current : severity);
            }
        }
        return null;
    }

    /** Whether a minimal severity delivers High-severity alert mails under {@code profile}. */
    private static boolean covers(String severity, Profile profile) {
        if (severity == null) {
            return false;
        }
        String s = severity.toLowerCase(Locale.ROOT);
        return profile == Profile.STRICT ? s.equals("high") : s.equals("high") || s.equals("medium") || s.equals("low");
    }
}

package io.contactaudit.evaluate;

import io.contactaudit.schema.FieldChange;
import io.contactaudit.schema.NormalizedContact;
import io.contactaudit.schema.NotificationSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Field-level before/after of the normalised configuration that matters for the control and its
 * recipients: per contact, isEnabled, alert state and minimal severity, notification sources, e-mail
 * recipients, role notifications; contacts added and removed. Phone numbers and names of unknown fields
 * are not compared.
 */
public final class ContactChanges {

    private ContactChanges() {}

    /** The changes from {@code before} to {@code after}, in path order. */
    public static List<FieldChange> between(List<NormalizedContact> before, List<NormalizedContact> after) {
        Map<String, Map<String, String>> old = byContact(before);
        Map<String, Map<String, String>> now = byContact(after);
        TreeSet<String> keys = new TreeSet<>(old.keySet());
        keys.addAll(now.keySet());
        List<FieldChange> changes = new ArrayList<>();
        for (String key : keys) {
            Map<String, String> o = old.get(key);
            Map<String, String> n = now.get(key);
            String path = "contacts[" + key + "]";
            if (o == null || n == null) {
                changes.add(new FieldChange(path, o == null ? null : summary(o), n == null ? null : summary(n)));
                continue;
            }
            TreeSet<String> fields = new TreeSet<>(o.keySet());
            fields.addAll(n.keySet());
            for (String field : fields) {
                String b = o.get(field);
                String a = n.get(field);
                if (!Objects.equals(b, a)) {
                    changes.add(new FieldChange(path + "." + field, b, a));
                }
            }
        }
        return changes;
    }

    /** One line per configuration: {@code default: enabled, Alert>=Medium, 2 e-mails, roles Owner}. */
    public static String summary(List<NormalizedContact> contacts) {
        if (contacts.isEmpty()) {
            return "no contacts";
        }
        List<String> parts = new ArrayList<>();
        byContact(contacts).forEach((key, fields) -> parts.add(key + ": " + summary(fields)));
        return String.join("; ", parts);
    }

    private static String summary(Map<String, String> fields) {
        List<String> parts = new ArrayList<>();
        String enabled = fields.get("isEnabled");
        if (enabled != null) {
            parts.add("true".equals(enabled) ? "enabled" : "disabled");
        }
        String state = fields.get("alertNotifications.state");
        if (state != null) {
            String severity = fields.get("alertNotifications.minimalSeverity");
            parts.add("alerts " + state + (severity == null || !"On".equals(state) ? "" : ">=" + severity));
        }
        fields.forEach((k, v) -> {
            if (k.startsWith("notificationSources[") && k.endsWith(".minimalSeverity")) {
                parts.add(k.substring("notificationSources[".length(), k.indexOf(']')) + ">=" + v);
            }
        });
        String emails = fields.get("emails");
        int count = emails == null || emails.isEmpty() ? 0 : emails.split(";").length;
        parts.add(count + (count == 1 ? " e-mail" : " e-mails"));
        String roles = fields.get("notificationsByRole.roles");
        if ("On".equals(fields.get("notificationsByRole.state")) && roles != null && !roles.isEmpty()) {
            parts.add("roles " + roles);
        }
        if ("On".equals(fields.get("alertsToAdmins"))) {
            parts.add("admins");
        }
        return String.join(", ", parts);
    }

    /** Contacts keyed by name (or id, or position), each flattened to path → value. */
    static Map<String, Map<String, String>> byContact(List<NormalizedContact> contacts) {
        Map<String, Map<String, String>> result = new LinkedHashMap<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < contacts.size(); i++) {
            NormalizedContact c = contacts.get(i);
            String key = c.getName() != null && !c.getName().isBlank()
                    ? c.getName()
                    : c.getId() != null ? c.getId() : "#" + (i + 1);
            int n = seen.merge(key, 1, Integer::sum);
            result.put(n == 1 ? key : key + "#" + n, flatten(c));
        }
        return result;
    }

    private static Map<String, String> flatten(NormalizedContact c) {
        Map<String, String> fields = new TreeMap<>();
        put(
                fields,
                "isEnabled",
                c.getIsEnabled() == null ? null : c.getIsEnabled().toString());
        put(fields, "alertNotifications.state", c.getAlertNotificationsState());
        put(fields, "alertNotifications.minimalSeverity", c.getAlertMinimalSeverity());
        Map<String, Integer> types = new HashMap<>();
        for (NotificationSource s : c.getNotificationSources()) {
            String type = s.getSourceType() == null ? "?" : s.getSourceType();
            int n = types.merge(type, 1, Integer::sum);
            String path = "notificationSources[" + (n == 1 ? type : type + "#" + n) + "]";
            put(fields, path + ".minimalSeverity", s.getMinimalSeverity());
            put(fields, path + ".minimalRiskLevel", s.getMinimalRiskLevel());
            if (s.getMinimalSeverity() == null && s.getMinimalRiskLevel() == null) {
                put(fields, path, "present");
            }
        }
        put(fields, "emails", String.join(";", new TreeSet<>(c.getEmails())));
        put(fields, "notificationsByRole.state", c.getRoleNotificationsState());
        put(fields, "notificationsByRole.roles", String.join(",", new TreeSet<>(c.getRoles())));
        put(fields, "alertsToAdmins", c.getAlertsToAdmins());
        return fields;
    }

    private static void put(Map<String, String> fields, String path, String value) {
        if (value != null) {
            fields.put(path, value);
        }
    }
}

package io.contactaudit.config;

import java.util.Map;

/** The configuration reference, generated from {@link ContactAuditConfig#DEFINITIONS}; the README carries it verbatim. */
public final class ConfigReference {

    private ConfigReference() {
    }

    /** A Markdown table: key, environment variable, default, meaning. */
    public static String markdown() {
        StringBuilder table = new StringBuilder("| key | environment | default | meaning |\n|---|---|---|---|\n");
        for (Map.Entry<String, String[]> e : ContactAuditConfig.DEFINITIONS.entrySet()) {
            String key = e.getKey();
            String env = ContactAuditConfig.ENV_PREFIX + key.toUpperCase(java.util.Locale.ROOT).replace('.', '_');
            String def = e.getValue()[0] == null ? "" : "`" + e.getValue()[0] + "`";
            table.append("| `").append(key).append("` | `").append(env).append("` | ").append(def).append(" | ")
                    .append(e.getValue()[1].replace("|", "\\|")).append(" |\n");
        }
        return table.toString();
    }
}

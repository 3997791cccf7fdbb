package io.contactaudit.config;

import org.apache.kafka.common.config.ConfigDef;

/** The configuration reference, generated from {@link ContactAuditConfig#DEFINITION}; the README carries it verbatim. */
public final class ConfigReference {

    private ConfigReference() {}

    /** A Markdown table: key, environment variable, default, meaning. */
    public static String markdown() {
        StringBuilder table = new StringBuilder("| key | environment | default | meaning |\n|---|---|---|---|\n");
        for (ConfigDef.ConfigKey key :
                ContactAuditConfig.DEFINITION.configKeys().values()) {
            String def = key.defaultValue == null ? "" : "`" + key.defaultValue + "`";
            table.append("| `")
                    .append(key.name)
                    .append("` | `")
                    .append(ContactAuditConfig.environmentVariable(key.name))
                    .append("` | ")
                    .append(def)
                    .append(" | ")
                    .append(key.documentation.replace("|", "\\|"))
                    .append(" |\n");
        }
        return table.toString();
    }
}

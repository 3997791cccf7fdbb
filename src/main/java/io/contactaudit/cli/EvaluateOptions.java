package io.contactaudit.cli;

import io.contactaudit.config.ContactAuditConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options of the commands that evaluate ({@code evaluate}, {@code run}). */
public final class EvaluateOptions {

    @Option(names = "--profile", paramLabel = "default|strict", description = "Rule profile (default: default).")
    String profile;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "Local state directory (default: data/streams).")
    String stateDir;

    @Option(
            names = "--stale-after",
            paramLabel = "DURATION",
            description =
                    "Flag a subscription STALE after this long without a snapshot (default: 3 x collection.interval).")
    String staleAfter;

    Map<String, String> flags() {
        Map<String, String> flags = new LinkedHashMap<>();
        flags.put(ContactAuditConfig.PROFILE_CONFIG, profile);
        flags.put(ContactAuditConfig.STATE_DIR_CONFIG, stateDir);
        flags.put(ContactAuditConfig.STALE_AFTER_CONFIG, staleAfter);
        return flags;
    }
}

package io.contactaudit.cyclefixture.b;

import io.contactaudit.config.ContactAuditConfig;
import io.contactaudit.cyclefixture.a.First;

/** The other half of a package cycle, and a forbidden dependency on the configuration, for {@code ArchitectureTest}. */
public final class Second {

    First other() {
        return null;
    }

    ContactAuditConfig config() {
        return null;
    }
}

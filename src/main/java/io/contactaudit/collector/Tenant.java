package io.contactaudit.collector;

import io.contactaudit.TenantLabel;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A tenant one identity of the collector reads: its id and display name, and which of its subscriptions to read
 * (include/exclude on id or display name). {@link #ANY} is the single identity of a collector without a tenants file:
 * whatever tenant it belongs to, named by the subscriptions it lists.
 */
public record Tenant(String id, String name, Pattern include, Pattern exclude) {

    public Tenant {
        id = id == null ? null : id.trim().toLowerCase(Locale.ROOT);
    }

    /** The single identity's tenant, not named: each subscription's tenant is the one its listing says. */
    public static final Tenant ANY = new Tenant(null, null, null, null);

    /** How the run summary and the logs name it. */
    public String label() {
        return id == null ? "the identity's tenant" : TenantLabel.of(id, name);
    }
}

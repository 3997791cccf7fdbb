package io.contactaudit.evaluate;

import io.contactaudit.schema.PostureState;
import io.contactaudit.schema.SecurityContactSnapshot;

/**
 * Whose subscription it is and through whom it was read: the tenant it belongs to, the tenant's display name, and
 * the tenant whose identity read it (its own, or a managing tenant through Azure Lighthouse). Each snapshot that
 * names its tenant states all three; one that does not (an explicit subscription list) keeps what the posture knew.
 */
record Tenancy(String tenantId, String tenantName, String readThroughTenantId) {

    static final Tenancy NONE = new Tenancy(null, null, null);

    /** The snapshot's, when it names its tenant; else the posture's. */
    static Tenancy of(SecurityContactSnapshot snapshot, PostureState previous) {
        return of(snapshot, of(previous));
    }

    /** The snapshot's, when it names its tenant; else {@code known}. */
    static Tenancy of(SecurityContactSnapshot snapshot, Tenancy known) {
        Tenancy named = named(snapshot.getTenantId(), snapshot.getTenantName(), snapshot.getReadThroughTenantId());
        return named == null ? known : named;
    }

    /** What a snapshot with these fields states: null when it names no tenant. */
    static Tenancy named(String tenantId, String tenantName, String readThroughTenantId) {
        return tenantId == null ? null : new Tenancy(tenantId, tenantName, readThroughTenantId);
    }

    /** The posture's (none without one). */
    static Tenancy of(PostureState state) {
        return state == null
                ? NONE
                : new Tenancy(state.getTenantId(), state.getTenantName(), state.getReadThroughTenantId());
    }
}

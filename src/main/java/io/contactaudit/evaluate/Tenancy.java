package io.contactaudit.evaluate;

import io.contactaudit.schema.PostureState;

/**
 * Whose subscription it is and through whom it was read: the tenant it belongs to, the tenant's display name, and
 * the tenant whose identity read it (its own, or a managing tenant through Azure Lighthouse). Each snapshot that
 * names its tenant states all three; one that does not (an explicit subscription list) keeps what the posture knew.
 */
record Tenancy(String tenantId, String tenantName, String readThroughTenantId) {

    static final Tenancy NONE = new Tenancy(null, null, null);

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

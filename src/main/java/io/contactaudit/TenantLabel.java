package io.contactaudit;

/** How every output names a tenant: {@code name (id)}, or the id alone when it has no other name. */
public final class TenantLabel {

    private TenantLabel() {}

    /** {@code name (id)}; the id when the name is missing, blank or the id itself; the name when there is no id. */
    public static String of(String id, String name) {
        if (id == null) {
            return name;
        }
        return name == null || name.isBlank() || name.equalsIgnoreCase(id) ? id : name + " (" + id + ")";
    }
}

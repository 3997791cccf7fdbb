package io.contactaudit;

/** The version of this build, from the jar manifest; {@code dev} when run from classes. */
public final class ProductVersion {

    private ProductVersion() {}

    public static String get() {
        String version = ProductVersion.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}

package dev.outpost.hub.gateway;

/** The hub's build version, from the jar manifest ("dev" when run from classes). */
public final class HubVersion {
    private HubVersion() {
    }

    public static String current() {
        String version = HubVersion.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}

package dev.outpost.agent.config;

/** The agent's build version, from the jar manifest ("dev" when run from classes). */
public final class AgentVersion {
    private AgentVersion() {
    }

    public static String current() {
        String version = AgentVersion.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}

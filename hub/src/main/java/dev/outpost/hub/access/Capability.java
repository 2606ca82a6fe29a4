package dev.outpost.hub.access;

import java.util.Arrays;
import java.util.Optional;

/**
 * What a REST operation does, as its {@code x-outpost-capability} in the API description names it; a
 * {@link Role} holds a set of these.
 */
public enum Capability {
    /** Read tenants (names and ids). */
    READ_TENANTS("read-tenants"),
    /** Read environments, agents, join tokens (never their secrets), releases, deployments, operations. */
    READ("read"),
    /** Read usage. */
    READ_USAGE("read-usage"),
    /** Read logs and metrics. */
    READ_TELEMETRY("read-telemetry"),
    /** Create and change deployments and their operations. */
    DEPLOY("deploy"),
    /** Create environments, issue and revoke join tokens, revoke agents. */
    ENVIRONMENTS("environments"),
    /** Create tenants. */
    ONBOARD("onboard"),
    /** Create, publish and retire releases and packages. */
    PUBLISH("publish"),
    /** Read the audit log (a tenant role: its tenant's entries). */
    READ_AUDIT("read-audit"),
    /** Verify the whole audit log's hash chain. */
    VERIFY_AUDIT("verify-audit"),
    /** Issue, list and revoke API tokens. */
    MANAGE_TOKENS("manage-tokens");

    private final String name;

    Capability(String name) {
        this.name = name;
    }

    /** The name used in the API description and docs, e.g. "read-usage". */
    public String json() {
        return name;
    }

    /** The capability named {@code name} in the API description, if there is one. */
    public static Optional<Capability> named(String name) {
        return Arrays.stream(values()).filter(c -> c.name.equals(name)).findFirst();
    }
}

package dev.outpost.hub.access;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * What an API token may do. Vendor roles see every tenant; tenant roles see their own tenant only,
 * and another tenant's objects look as if they did not exist.
 */
public enum Role {
    /** The vendor's administrator: everything. */
    ADMIN("admin", true, EnumSet.allOf(Capability.class)),
    /** Runs the fleet: onboards customers, publishes releases, deploys and rolls out. */
    OPERATOR("operator", true, EnumSet.of(Capability.READ_TENANTS, Capability.READ, Capability.READ_USAGE,
            Capability.READ_TELEMETRY, Capability.DEPLOY, Capability.ENVIRONMENTS, Capability.ONBOARD,
            Capability.PUBLISH)),
    /** Reads everything, logs, metrics and the audit log among it; changes nothing. */
    SRE("sre", true, EnumSet.of(Capability.READ_TENANTS, Capability.READ, Capability.READ_USAGE,
            Capability.READ_TELEMETRY, Capability.READ_AUDIT, Capability.VERIFY_AUDIT)),
    /** Reads tenants and usage, for invoicing. */
    BILLING("billing", true, EnumSet.of(Capability.READ_TENANTS, Capability.READ_USAGE)),
    /** A customer's administrator: self-serve within the tenant (environments, agents, deployments). */
    TENANT_ADMIN("tenant-admin", false, EnumSet.of(Capability.READ_TENANTS, Capability.READ, Capability.READ_USAGE,
            Capability.READ_TELEMETRY, Capability.READ_AUDIT, Capability.DEPLOY, Capability.ENVIRONMENTS)),
    /** Reads the tenant's objects, usage, logs, metrics and audit entries; changes nothing. */
    TENANT_VIEWER("tenant-viewer", false, EnumSet.of(Capability.READ_TENANTS, Capability.READ, Capability.READ_USAGE,
            Capability.READ_TELEMETRY, Capability.READ_AUDIT));

    /** The stored role of tenant tokens issued before roles existed: they keep what they could do. */
    private static final String LEGACY_TENANT = "tenant";

    private final String name;
    private final boolean vendor;
    private final Set<Capability> capabilities;

    Role(String name, boolean vendor, Set<Capability> capabilities) {
        this.name = name;
        this.vendor = vendor;
        this.capabilities = capabilities;
    }

    /** The name in requests, responses and the database, e.g. "tenant-viewer". */
    public String json() {
        return name;
    }

    /** Whether the role belongs to the vendor (sees every tenant) rather than to one tenant. */
    public boolean vendor() {
        return vendor;
    }

    public boolean may(Capability capability) {
        return capabilities.contains(capability);
    }

    /** The role named {@code name}, if there is one. */
    public static Optional<Role> named(String name) {
        return Arrays.stream(values()).filter(r -> r.name.equals(name)).findFirst();
    }

    /** The role of a stored token; an unknown value is a broken row, refused rather than guessed. */
    public static Role stored(String value) {
        if (LEGACY_TENANT.equals(value)) {
            return TENANT_ADMIN;
        }
        return named(value).orElseThrow(() -> new IllegalStateException("unknown stored token role " + value));
    }
}

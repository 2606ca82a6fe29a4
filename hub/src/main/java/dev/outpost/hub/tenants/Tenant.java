package dev.outpost.hub.tenants;

import java.time.Instant;

/** A customer of the vendor; owns environments and deployments. */
public record Tenant(String id, String name, Instant createdAt) {
}

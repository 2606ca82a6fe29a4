package dev.outpost.hub.releases;

import com.fasterxml.jackson.annotation.JsonValue;
import io.micronaut.core.annotation.Nullable;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable, versioned package of a service from the vendor's catalogue: a manifests template
 * (kind {@code manifests}) or an uploaded service package (kind {@code package}, with
 * {@link #packageSummary()}). Only its {@link #lifecycle()} changes after publishing.
 */
public record Release(
        String id, String serviceName, String version, String manifests, Map<String, String> defaultParameters,
        Instant createdAt, Kind kind, @Nullable ReleasePackage packageSummary, Lifecycle lifecycle) {

    public Release {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(lifecycle, "lifecycle");
        if ((kind == Kind.PACKAGE) != (packageSummary != null)) {
            throw new IllegalArgumentException("a package release has a package summary, a manifests release none");
        }
    }

    /** A manifests release, active: what {@code POST /api/v1/releases} publishes. */
    public Release(String id, String serviceName, String version, String manifests,
                   Map<String, String> defaultParameters, Instant createdAt) {
        this(id, serviceName, version, manifests, defaultParameters, createdAt, Kind.MANIFESTS, null, Lifecycle.ACTIVE);
    }

    /** Whether this release is an uploaded service package (its archive is in the catalogue). */
    public boolean isPackage() {
        return kind == Kind.PACKAGE;
    }

    /** The release as it travels in an ApplyDeployment command. */
    public dev.outpost.protocol.v1.Release toProto() {
        return dev.outpost.protocol.v1.Release.newBuilder().setReleaseId(id).setServiceName(serviceName)
                .setVersion(version).setManifests(manifests).build();
    }

    /** What a release is made of. */
    public enum Kind {
        MANIFESTS, PACKAGE;

        @JsonValue
        public String json() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Whether a release may be used: see {@link ReleaseService#requireDeployable}. */
    public enum Status {
        /** Deployable. */
        ACTIVE,
        /** No new deployments; existing ones may still be updated and deleted. Reversible. */
        DEPRECATED,
        /** Refused for new deployments and for updates; existing ones may only be deleted. Final. */
        YANKED;

        @JsonValue
        public String json() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The status written as the API and the database write it ("deprecated"); empty if unknown. */
        public static java.util.Optional<Status> parse(String text) {
            for (Status status : values()) {
                if (status.json().equals(text)) {
                    return java.util.Optional.of(status);
                }
            }
            return java.util.Optional.empty();
        }
    }

    /**
     * A release's status, why it was set (null for active, and for a deprecation without a reason), and
     * when (null while it has never changed).
     */
    public record Lifecycle(Status status, @Nullable String reason, @Nullable Instant changedAt) {
        /** A release as published. */
        public static final Lifecycle ACTIVE = new Lifecycle(Status.ACTIVE, null, null);

        public Lifecycle {
            Objects.requireNonNull(status, "status");
        }
    }
}

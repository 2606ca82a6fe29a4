package dev.outpost.hub.releases;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A release as the REST API shows it: the fields of a manifests release as before, its kind and status,
 * and for a package what was read from it (never the archive itself: see {@code GET .../archive}).
 */
public record ReleaseView(
        String id, String serviceName, String version, String kind, String status, String statusReason,
        Instant statusChangedAt, String manifests, Map<String, String> defaultParameters, Instant createdAt,
        @JsonProperty("package") PackageView packageView) {

    /**
     * What a package offers: {@code parameters} is its JSON Schema as written in {@code outpost.yaml}
     * (secret ones carry {@code secret: true} and are listed in {@code secretParameters}).
     */
    public record PackageView(
            String description, List<String> plans, String defaultPlan, JsonNode parameters,
            Set<String> secretParameters, String archiveSha256, long archiveBytes) {
    }

    /** The view of {@code release}; {@code mapper} reads a package's stored manifest JSON. */
    public static ReleaseView of(Release release, ObjectMapper mapper) {
        ReleasePackage pkg = release.packageSummary();
        return new ReleaseView(release.id(), release.serviceName(), release.version(), release.kind().json(),
                release.lifecycle().status().json(), release.lifecycle().reason(), release.lifecycle().changedAt(),
                release.manifests(), release.defaultParameters(), release.createdAt(),
                pkg == null ? null : packageView(pkg, mapper));
    }

    private static PackageView packageView(ReleasePackage pkg, ObjectMapper mapper) {
        JsonNode manifest = read(pkg.manifestJson(), mapper);
        JsonNode description = manifest.path("description");
        JsonNode parameters = manifest.path("parameters");
        return new PackageView(description.isTextual() ? description.asText() : null, pkg.plans(), pkg.defaultPlan(),
                parameters.isObject() ? parameters : mapper.createObjectNode(), pkg.secretParameters(),
                pkg.archiveSha256(), pkg.archiveBytes());
    }

    private static JsonNode read(String json, ObjectMapper mapper) {
        try {
            return mapper.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("stored manifest JSON cannot be read", e);
        }
    }
}

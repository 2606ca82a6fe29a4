package dev.outpost.hub.releases;

import java.time.Instant;
import java.util.Map;

/** An immutable, versioned package of a service from the vendor's catalogue. */
public record Release(
        String id, String serviceName, String version, String manifests, Map<String, String> defaultParameters,
        Instant createdAt) {

    /** The release as it travels in an ApplyDeployment command. */
    public dev.outpost.protocol.v1.Release toProto() {
        return dev.outpost.protocol.v1.Release.newBuilder().setReleaseId(id).setServiceName(serviceName)
                .setVersion(version).setManifests(manifests).build();
    }
}

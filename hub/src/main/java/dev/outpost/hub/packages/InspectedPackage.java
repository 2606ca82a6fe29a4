package dev.outpost.hub.packages;

import java.util.List;
import java.util.Set;

/**
 * A package that passed every check at upload, as the catalogue stores it.
 *
 * @param service          the service name from {@code outpost.yaml}
 * @param version          its semantic version
 * @param archive          the package as a gzip'ed tar (what was uploaded, or the directory packed)
 * @param manifestJson     {@code outpost.yaml} as JSON, for listing and for the REST API
 * @param plans            the plan names, in the order the package lists them
 * @param defaultPlan      the plan a deployment gets when it names none (the first one)
 * @param secretParameters the parameters marked {@code secret: true}: generated once per deployment by the hub
 */
public record InspectedPackage(
        String service,
        String version,
        byte[] archive,
        String manifestJson,
        List<String> plans,
        String defaultPlan,
        Set<String> secretParameters) {
}

package dev.outpost.hub.packages.manifest;

import java.util.List;
import java.util.Map;

/**
 * A package's {@code outpost.yaml}, parsed and checked (docs/packages.md describes every key).
 *
 * @param service            the service name, a DNS label
 * @param version            semantic version
 * @param description        free text, may be empty
 * @param parameters         the parameters' JSON Schema (draft 2020-12), as plain JSON values
 * @param plans              the plans in the order written; the first is the default
 * @param clusterScopedKinds kinds the package may create cluster-wide
 * @param components         the components in the order written
 * @param document           the whole file as plain JSON values, for listing and the REST API
 */
public record PackageManifest(
        String service,
        String version,
        String description,
        Map<String, Object> parameters,
        Map<String, PlanSpec> plans,
        List<String> clusterScopedKinds,
        List<ComponentSpec> components,
        Map<String, Object> document) {

    /** The plan a deployment gets when it names none. */
    public String defaultPlan() {
        return plans.keySet().iterator().next();
    }
}

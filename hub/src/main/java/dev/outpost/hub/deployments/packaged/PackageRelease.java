package dev.outpost.hub.deployments.packaged;

import java.util.Set;

/**
 * A release of kind package, as deploying it needs it.
 *
 * @param releaseId        the release
 * @param archive          the package as stored by the catalogue (gzip'ed tar)
 * @param defaultPlan      the plan a deployment gets when it names none
 * @param secretParameters the parameters the hub generates once per deployment
 */
public record PackageRelease(String releaseId, byte[] archive, String defaultPlan, Set<String> secretParameters) {
}

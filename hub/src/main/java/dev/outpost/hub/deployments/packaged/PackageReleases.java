package dev.outpost.hub.deployments.packaged;

import java.util.Optional;

/** Tells package releases from manifests releases, and gives what deploying a package needs. */
public interface PackageReleases {

    /** The release as a package; empty when it is a manifests release (or unknown). */
    Optional<PackageRelease> find(String releaseId);
}

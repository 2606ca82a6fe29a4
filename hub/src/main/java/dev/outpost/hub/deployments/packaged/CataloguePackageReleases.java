package dev.outpost.hub.deployments.packaged;

import jakarta.inject.Singleton;
import java.util.Optional;

/**
 * {@link PackageReleases} on the release catalogue.
 *
 * <p>Until the catalogue stores package releases (branch pkg-catalogue: {@code ReleaseService.archive}),
 * every release is a manifests release.
 */
@Singleton
public class CataloguePackageReleases implements PackageReleases {

    @Override
    public Optional<PackageRelease> find(String releaseId) {
        return Optional.empty();
    }
}

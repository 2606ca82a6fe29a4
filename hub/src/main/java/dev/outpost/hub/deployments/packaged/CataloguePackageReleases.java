package dev.outpost.hub.deployments.packaged;

import dev.outpost.hub.releases.Release;
import dev.outpost.hub.releases.ReleaseService;
import jakarta.inject.Singleton;
import java.util.Optional;

/** {@link PackageReleases} on the release catalogue. */
@Singleton
public class CataloguePackageReleases implements PackageReleases {
    private final ReleaseService releases;

    public CataloguePackageReleases(ReleaseService releases) {
        this.releases = releases;
    }

    @Override
    public Optional<PackageRelease> find(String releaseId) {
        // The archive query answers empty for a manifests release or an unknown id, without reading more.
        return releases.archive(releaseId).map(archive -> {
            Release release = releases.get(releaseId);
            return new PackageRelease(release.id(), archive, release.packageSummary().defaultPlan(),
                    release.packageSummary().secretParameters());
        });
    }
}

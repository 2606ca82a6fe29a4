package dev.outpost.hub.releases;

import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the catalogue read from a package archive when it was published, so that listing and planning
 * never unpack it again. The archive itself is fetched on its own ({@link ReleaseService#archive}).
 *
 * @param manifestJson     {@code outpost.yaml} as JSON
 * @param plans            the plan names, in the package's order
 * @param defaultPlan      the plan a deployment gets when it names none
 * @param secretParameters the parameters the hub generates per deployment ({@code secret: true})
 * @param archiveSha256    hex SHA-256 of the archive: a byte-identical upload is a retry
 * @param archiveBytes     the archive's size
 */
public record ReleasePackage(
        String manifestJson, List<String> plans, String defaultPlan, Set<String> secretParameters,
        String archiveSha256, long archiveBytes) {

    public ReleasePackage {
        plans = List.copyOf(plans);
        secretParameters = Collections.unmodifiableSortedSet(new TreeSet<>(secretParameters)); // listed sorted
    }
}

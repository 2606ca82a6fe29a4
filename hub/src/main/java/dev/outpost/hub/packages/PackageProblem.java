package dev.outpost.hub.packages;

/**
 * One thing wrong with an uploaded package: {@code file} is the path inside the package (e.g.
 * {@code outpost.yaml}, {@code charts/redis/templates/statefulset.yaml}) or {@code ""} for the archive
 * itself, {@code problem} says what is wrong in words the vendor can act on.
 */
public record PackageProblem(String file, String problem) {
}

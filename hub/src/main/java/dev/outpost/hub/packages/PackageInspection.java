package dev.outpost.hub.packages;

/** Checks an uploaded package archive before the catalogue stores it. */
public interface PackageInspection {

    /**
     * Unpacks and validates {@code archive} (a gzip'ed tar with {@code outpost.yaml} at its root, or
     * below one top-level directory): manifest schema, parameter JSON Schema, charts lint and render
     * with every plan's defaults, {@code dependsOn}, cluster-scoped kinds. Pure apart from temporary
     * files it removes; stores nothing.
     *
     * @throws PackageRejectedException listing every problem, each naming its file
     */
    InspectedPackage inspect(byte[] archive) throws PackageRejectedException;
}

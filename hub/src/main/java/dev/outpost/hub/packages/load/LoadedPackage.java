package dev.outpost.hub.packages.load;

import dev.outpost.hub.packages.manifest.PackageManifest;
import dev.outpost.hub.packages.parameters.ParameterSchema;
import java.nio.file.Path;

/**
 * A package unpacked into a temporary directory, with its manifest parsed.
 *
 * @param root     the directory holding outpost.yaml
 * @param manifest the parsed manifest
 * @param schema   the parameters' schema; null when it is invalid (inspection goes on to report the rest)
 */
public record LoadedPackage(Path root, PackageManifest manifest, ParameterSchema schema) {
}

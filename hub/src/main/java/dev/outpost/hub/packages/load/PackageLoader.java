package dev.outpost.hub.packages.load;

import dev.outpost.hub.packages.PackageProblem;
import dev.outpost.hub.packages.PackageRejectedException;
import dev.outpost.hub.packages.archive.ArchiveLimits;
import dev.outpost.hub.packages.archive.SafeUnpacker;
import dev.outpost.hub.packages.archive.UnpackedArchive;
import dev.outpost.hub.packages.manifest.ManifestException;
import dev.outpost.hub.packages.manifest.ManifestParser;
import dev.outpost.hub.packages.manifest.PackageManifest;
import dev.outpost.hub.packages.parameters.InvalidSchemaException;
import dev.outpost.hub.packages.parameters.ParameterSchema;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Unpacks an archive into a directory and reads its manifest and parameter schema. */
public final class PackageLoader {
    private static final String MANIFEST = SafeUnpacker.MANIFEST;

    private PackageLoader() {
    }

    /**
     * The package in {@code archive}, unpacked under {@code directory}. With {@code schemaProblems}
     * non-null, an invalid schema is added there (and the package comes back without one); otherwise it
     * is refused like any other problem.
     *
     * @throws PackageRejectedException when the archive or the manifest is unusable
     */
    public static LoadedPackage load(byte[] archive, Path directory, List<PackageProblem> schemaProblems)
            throws PackageRejectedException {
        UnpackedArchive unpacked = SafeUnpacker.unpack(archive, directory, ArchiveLimits.DEFAULT);
        if (!unpacked.ok()) {
            throw new PackageRejectedException(unpacked.problems());
        }
        PackageManifest manifest = manifest(unpacked.root());
        ParameterSchema schema = null;
        try {
            schema = ParameterSchema.of(manifest.parameters());
        } catch (InvalidSchemaException e) {
            List<PackageProblem> problems = e.problems().stream().map(p -> new PackageProblem(MANIFEST, p)).toList();
            if (schemaProblems == null) {
                throw new PackageRejectedException(problems);
            }
            schemaProblems.addAll(problems);
        }
        return new LoadedPackage(unpacked.root(), manifest, schema);
    }

    private static PackageManifest manifest(Path root) throws PackageRejectedException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(
                    Files.readAllBytes(root.resolve(MANIFEST)))).toString();
        } catch (CharacterCodingException e) {
            throw new PackageRejectedException(List.of(new PackageProblem(MANIFEST, "is not UTF-8 text")));
        } catch (IOException e) {
            throw new PackageRejectedException(List.of(new PackageProblem(MANIFEST, "cannot be read: " + e.getMessage())));
        }
        try {
            return ManifestParser.parse(text);
        } catch (ManifestException e) {
            List<PackageProblem> problems = new ArrayList<>();
            e.problems().forEach(p -> problems.add(new PackageProblem(MANIFEST, p)));
            throw new PackageRejectedException(problems);
        }
    }
}

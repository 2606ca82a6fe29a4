package dev.outpost.hub.examples;

import dev.outpost.hub.packages.archive.PackageArchiver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The example packages of {@code examples/} for tests: where they are, and the redis 1.1.0 package
 * built from 1.0.0 plus {@code examples/redis-upgrade-1.1.0/} (docs/examples.md, "Upgrading").
 */
public final class ExamplePackages {

    /**
     * Parameters with which redis becomes Ready on the kwok test cluster: replication with 2 replicas
     * and no PersistentVolumeClaims (nothing provisions volumes there, so a claim would stay Pending).
     */
    public static final Map<String, Object> REDIS_ON_KWOK =
            Map.of("architecture", "replication", "replicas", 2, "persistence", false);

    /** The label (key=value) the GPU example's pods select: a kwok node given it plays the GPU pool. */
    public static final String GPU_POOL_NODE_LABEL = "outpost.dev/node-pool=gpu-pool";

    /** The version the upgrade overlay turns {@code examples/redis} into. */
    public static final String REDIS_UPGRADE_VERSION = "1.1.0";

    private ExamplePackages() {
    }

    /** {@code examples/} of the repository the test runs in (found upwards from the working directory). */
    public static Path examplesDir() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path examples = dir.resolve("examples");
            if (Files.isDirectory(examples.resolve("redis"))) {
                return examples;
            }
        }
        throw new IllegalStateException("no examples/redis above " + Path.of("").toAbsolutePath());
    }

    /** The redis 1.0.0 package directory. */
    public static Path redis() {
        return examplesDir().resolve("redis");
    }

    /** The GPU seed example's package directory. */
    public static Path gpuInference() {
        return examplesDir().resolve("gpu-inference");
    }

    /**
     * Builds the redis 1.1.0 package directory under {@code workDir} and returns it: a copy of 1.0.0,
     * the overlay's files over it, and the top-level {@code version:} of {@code outpost.yaml} and
     * {@code chart/Chart.yaml} set to 1.1.0.
     */
    public static Path redis110(Path workDir) {
        Path target = workDir.resolve("redis-" + REDIS_UPGRADE_VERSION);
        copyTree(redis(), target);
        copyTree(examplesDir().resolve("redis-upgrade-" + REDIS_UPGRADE_VERSION).resolve("chart"), target.resolve("chart"));
        setVersion(target.resolve("outpost.yaml"));
        setVersion(target.resolve("chart/Chart.yaml"));
        return target;
    }

    /** The package directory as the deterministic {@code .tgz} the hub's catalogue takes (P1's packer). */
    public static byte[] pack(Path packageDir) {
        try {
            return PackageArchiver.pack(packageDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The redis 1.0.0 archive. */
    public static byte[] redisArchive() {
        return pack(redis());
    }

    /** The redis 1.1.0 archive, built under {@code workDir}. */
    public static byte[] redis110Archive(Path workDir) {
        return pack(redis110(workDir));
    }

    /** The GPU seed example's archive. */
    public static byte[] gpuInferenceArchive() {
        return pack(gpuInference());
    }

    /** Copies every file under {@code from} to the same relative path under {@code to}, replacing. */
    static void copyTree(Path from, Path to) {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                Path copy = to.resolve(from.relativize(file).toString());
                Files.createDirectories(copy.getParent());
                Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // Only the unindented line: Chart.yaml's dependencies have their own (indented) version lines.
    private static void setVersion(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            long changed = lines.stream().filter(line -> line.startsWith("version: ")).count();
            if (changed != 1) {
                throw new IllegalStateException(file + ": expected one top-level version line, found " + changed);
            }
            List<String> bumped = lines.stream()
                    .map(line -> line.startsWith("version: ") ? "version: " + REDIS_UPGRADE_VERSION : line)
                    .toList();
            Files.write(file, bumped, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

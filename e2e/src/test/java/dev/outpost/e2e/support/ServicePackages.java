package dev.outpost.e2e.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The example service packages as a vendor would pack them ({@code tar czf}, docs/examples.md), for
 * {@code POST /api/v1/packages}. Packed with the system's tar so that e2e needs no hub test classes.
 */
public final class ServicePackages {
    private static final Duration TAR_TIMEOUT = Duration.ofSeconds(60);

    private ServicePackages() {
    }

    /** {@code examples/redis} (1.0.0). */
    public static byte[] redis() {
        return pack(ProjectPaths.root().resolve("examples/redis"));
    }

    /** {@code examples/gpu-inference} (1.0.0). */
    public static byte[] gpuInference() {
        return pack(ProjectPaths.root().resolve("examples/gpu-inference"));
    }

    /**
     * redis 1.1.0: 1.0.0 with the {@code examples/redis-upgrade-1.1.0} overlay over it and both
     * versions set to 1.1.0, built under {@code work} (the overlay's README says how).
     */
    public static byte[] redis110(Path work) {
        Path dir = work.resolve("redis-1.1.0");
        copyTree(ProjectPaths.root().resolve("examples/redis"), dir);
        copyTree(ProjectPaths.root().resolve("examples/redis-upgrade-1.1.0/chart"), dir.resolve("chart"));
        for (Path file : List.of(dir.resolve("outpost.yaml"), dir.resolve("chart/Chart.yaml"))) {
            rewrite(file, "(?m)^version: 1\\.0\\.0$", "version: 1.1.0");
        }
        return pack(dir);
    }

    /** A package directory of this module's test resources, {@code packages/<name>}. */
    public static byte[] testPackage(String name) {
        return pack(ProjectPaths.root().resolve("e2e/src/test/resources/packages").resolve(name));
    }

    /**
     * A package of the hub's own validation tests, {@code hub/src/test/resources/packages/<name>} (the
     * refused ones: broken-chart, cyclic, …), so that the hub's ITs and e2e refuse the very same packages.
     */
    public static byte[] hubTestPackage(String name) {
        return pack(ProjectPaths.root().resolve("hub/src/test/resources/packages").resolve(name));
    }

    /** The directory's contents as a gzipped tar, as {@code tar czf - -C dir .} writes it. */
    public static byte[] pack(Path dir) {
        try {
            Path archive = Files.createTempFile("outpost-package", ".tgz");
            try {
                Process tar = new ProcessBuilder("tar", "czf", archive.toString(), "-C", dir.toString(), ".")
                        .redirectErrorStream(true).start();
                if (!tar.waitFor(TAR_TIMEOUT.toSeconds(), TimeUnit.SECONDS) || tar.exitValue() != 0) {
                    tar.destroyForcibly();
                    throw new IllegalStateException("tar of " + dir + " failed: "
                            + new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                }
                return Files.readAllBytes(archive);
            } finally {
                Files.deleteIfExists(archive);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void copyTree(Path from, Path to) {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : files.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void rewrite(Path file, String regex, String replacement) {
        try {
            Files.writeString(file, Files.readString(file).replaceAll(regex, replacement));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

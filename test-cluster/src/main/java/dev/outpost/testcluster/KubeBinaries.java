package dev.outpost.testcluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds the etcd, Kubernetes and kwok binaries that {@code e2e/cluster/build.sh} builds. */
public final class KubeBinaries {

    /** System property naming the folder of binaries; wins over every other source. */
    public static final String BIN_PROPERTY = "outpost.kube.bin";
    /** Environment variable naming the folder of binaries. */
    public static final String BIN_ENV = "OUTPOST_KUBE_BIN";
    /** Environment variable naming build.sh's cache folder (binaries in its {@code bin}). */
    public static final String CACHE_ENV = "OUTPOST_KUBE_CACHE";
    /** Environment variable naming the repository root (failsafe sets it). */
    public static final String ROOT_ENV = "OUTPOST_PROJECT_ROOT";

    private static final String BUILD_SCRIPT = "e2e/cluster/build.sh";

    private final Path dir;

    private KubeBinaries(Path dir) {
        this.dir = dir;
    }

    /** Binaries in the given folder. */
    public static KubeBinaries in(Path dir) {
        return new KubeBinaries(dir.toAbsolutePath().normalize());
    }

    /** Binaries in the folder the property, the environment or the repository layout points at. */
    public static KubeBinaries locate() {
        return in(resolveDir());
    }

    /** The folder the binaries are looked up in. */
    public Path dir() {
        return dir;
    }

    /** The executable {@code name}, or an exception telling how to build it. */
    public Path require(String name) {
        Path binary = dir.resolve(name);
        if (!Files.isRegularFile(binary) || !Files.isExecutable(binary)) {
            throw new IllegalStateException(name + " not found in " + dir + ": run " + BUILD_SCRIPT);
        }
        return binary;
    }

    static Path resolveDir() {
        String property = System.getProperty(BIN_PROPERTY);
        if (notBlank(property)) {
            return Path.of(property);
        }
        String binEnv = System.getenv(BIN_ENV);
        if (notBlank(binEnv)) {
            return Path.of(binEnv);
        }
        String cacheEnv = System.getenv(CACHE_ENV);
        if (notBlank(cacheEnv)) {
            return Path.of(cacheEnv, "bin");
        }
        Path root = projectRoot().orElseThrow(() -> new IllegalStateException(
                "cannot find the Outpost repository (no " + BUILD_SCRIPT + " above " + Path.of("").toAbsolutePath()
                        + "): set -D" + BIN_PROPERTY + " or " + BIN_ENV + " to the folder holding the binaries"));
        return root.resolve("e2e/cluster/.cache/bin");
    }

    /** The repository root: {@code OUTPOST_PROJECT_ROOT}, else the nearest folder above cwd holding build.sh. */
    static Optional<Path> projectRoot() {
        String rootEnv = System.getenv(ROOT_ENV);
        if (notBlank(rootEnv) && Files.isRegularFile(Path.of(rootEnv, BUILD_SCRIPT))) {
            return Optional.of(Path.of(rootEnv));
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve(BUILD_SCRIPT))) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }
}

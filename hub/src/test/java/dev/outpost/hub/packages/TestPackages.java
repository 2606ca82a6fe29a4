package dev.outpost.hub.packages;

import dev.outpost.hub.packages.archive.PackageArchiver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** The small test packages under src/test/resources/packages, packed as the catalogue would receive them. */
public final class TestPackages {
    private TestPackages() {
    }

    /** The directory of test package {@code name}. */
    public static Path directory(String name) {
        URL url = TestPackages.class.getResource("/packages/" + name + "/outpost.yaml");
        if (url == null) {
            throw new IllegalArgumentException("no test package " + name);
        }
        try {
            return Path.of(url.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Test package {@code name} as a deterministic .tgz. */
    public static byte[] archive(String name) {
        try {
            return PackageArchiver.pack(directory(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

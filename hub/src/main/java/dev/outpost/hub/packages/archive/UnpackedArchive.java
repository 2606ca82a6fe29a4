package dev.outpost.hub.packages.archive;

import dev.outpost.hub.packages.PackageProblem;
import java.nio.file.Path;
import java.util.List;

/**
 * The outcome of unpacking a package archive.
 *
 * @param root     the directory holding {@code outpost.yaml}; null when there are problems
 * @param problems every entry refused and why, naming the entry as the archive writes it
 */
public record UnpackedArchive(Path root, List<PackageProblem> problems) {
    public UnpackedArchive {
        problems = List.copyOf(problems);
    }

    /** True when the archive unpacked cleanly and has an {@code outpost.yaml}. */
    public boolean ok() {
        return root != null && problems.isEmpty();
    }
}

package dev.outpost.hub.packages;

import java.util.List;

/** An uploaded package was refused; carries every problem found, not just the first. */
public final class PackageRejectedException extends Exception {

    private final List<PackageProblem> problems;

    public PackageRejectedException(List<PackageProblem> problems) {
        super(problems.isEmpty() ? "package refused" : problems.getFirst().file() + ": " + problems.getFirst().problem());
        this.problems = List.copyOf(problems);
    }

    /** Every problem found, in the order the checks ran. */
    public List<PackageProblem> problems() {
        return problems;
    }
}

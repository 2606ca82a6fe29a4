package dev.outpost.hub.releases;

import dev.outpost.hub.packages.PackageProblem;
import java.util.ArrayList;
import java.util.List;

/** 422: an uploaded package was refused; every problem names its file. Nothing was stored. */
public final class PackageRefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    /** Problems listed in one answer at most, so a package with thousands of bad files gets a bounded one. */
    static final int MAX_PROBLEMS_LISTED = 100;
    private final transient List<PackageProblem> problems;

    public PackageRefusedException(List<PackageProblem> problems) {
        super(summary(problems), null, false, false); // expected: no stack trace
        this.problems = bounded(problems);
    }

    /** The problems to show, at most {@link #MAX_PROBLEMS_LISTED} and a last one counting the rest. */
    public List<PackageProblem> problems() {
        return problems;
    }

    private static String summary(List<PackageProblem> problems) {
        if (problems.size() == 1) {
            PackageProblem only = problems.getFirst();
            return "the package was refused: " + (only.file().isEmpty() ? "" : only.file() + ": ") + only.problem();
        }
        return "the package was refused: " + problems.size() + " problems (each is listed in problems)";
    }

    private static List<PackageProblem> bounded(List<PackageProblem> problems) {
        if (problems.size() <= MAX_PROBLEMS_LISTED) {
            return List.copyOf(problems);
        }
        List<PackageProblem> shown = new ArrayList<>(problems.subList(0, MAX_PROBLEMS_LISTED));
        shown.add(new PackageProblem("", (problems.size() - MAX_PROBLEMS_LISTED) + " more problems (only the first "
                + MAX_PROBLEMS_LISTED + " are listed)"));
        return List.copyOf(shown);
    }
}

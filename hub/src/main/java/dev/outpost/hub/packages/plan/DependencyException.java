package dev.outpost.hub.packages.plan;

import java.util.List;

/** Components' {@code dependsOn} name unknown components or form a cycle. */
public final class DependencyException extends Exception {
    private final List<String> problems;

    public DependencyException(List<String> problems) {
        super(String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    /** Every problem, each starting with its key path. */
    public List<String> problems() {
        return problems;
    }
}

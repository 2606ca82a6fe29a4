package dev.outpost.hub.packages.render;

import java.util.List;

/** Values whose expressions cannot be resolved; each problem names the component and the key. */
public final class TemplatingException extends Exception {
    private final List<String> problems;

    public TemplatingException(List<String> problems) {
        super(String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    /** Every problem, e.g. {@code component redis, values key replica.replicaCount: unknown reference plan.replicaz}. */
    public List<String> problems() {
        return problems;
    }
}

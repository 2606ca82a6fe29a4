package dev.outpost.hub.packages.parameters;

import java.util.List;

/** A package's {@code parameters} is not a usable JSON Schema; each problem starts with its key path. */
public final class InvalidSchemaException extends Exception {
    private final List<String> problems;

    public InvalidSchemaException(List<String> problems) {
        super(String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    /** Every problem found. */
    public List<String> problems() {
        return problems;
    }
}

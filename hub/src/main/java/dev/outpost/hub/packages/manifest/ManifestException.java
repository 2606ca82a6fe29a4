package dev.outpost.hub.packages.manifest;

import java.util.List;

/** {@code outpost.yaml} is not a valid manifest; each problem starts with the key path it is about. */
public final class ManifestException extends Exception {
    private final List<String> problems;

    public ManifestException(List<String> problems) {
        super(String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    /** Every problem, e.g. {@code components[1].chart.valuez: unknown key}. */
    public List<String> problems() {
        return problems;
    }
}

package dev.outpost.hub.packages.manifest;

/**
 * A component's health gate.
 *
 * @param timeoutSeconds how long the gate may take
 * @param check          what is checked; null for infrastructure without a gate (the provider reports readiness)
 */
public record GateSpec(int timeoutSeconds, Check check) {
    /** Timeout of a gate that names none. */
    public static final int DEFAULT_TIMEOUT_SECONDS = 300;
    /** Longest timeout a gate may ask for (one hour). */
    public static final int MAX_TIMEOUT_SECONDS = 3600;

    /** What a gate checks. */
    public sealed interface Check {
    }

    /** Every Deployment, StatefulSet and DaemonSet of the step ready, every Job complete. */
    public record WorkloadsReady() implements Check {
    }

    /** The named Job of the step completed successfully. */
    public record JobSucceeded(String name) implements Check {
    }

    /** An HTTP GET from the agent answered 2xx. */
    public record Http(String url) implements Check {
    }
}

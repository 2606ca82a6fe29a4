package dev.outpost.agent.model;

/** Whether a workload is available, and in words what it is still waiting for. */
public record Readiness(boolean ready, String detail) {

    static Readiness ready(String detail) {
        return new Readiness(true, detail);
    }

    static Readiness waiting(String detail) {
        return new Readiness(false, detail);
    }
}

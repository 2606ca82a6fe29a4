package dev.outpost.agent.deploy;

import java.util.concurrent.Callable;

/** One named, reported unit of a command, e.g. "apply ConfigMap/redis-config". */
interface PipelineStep {

    /** What the step is called in progress reports. */
    String name();

    /**
     * Does the work. A thrown exception fails the step with its message (for cluster errors, the API
     * server's words).
     *
     * @return a short note for the step's message when it succeeds (may be empty)
     */
    String run(StepNotes notes) throws Exception;

    /** A step that just runs {@code work} and needs no notes. */
    static PipelineStep named(String name, Callable<String> work) {
        return new PipelineStep() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String run(StepNotes notes) throws Exception {
                return work.call();
            }
        };
    }

    /** Lets a long-running step say what it is waiting for. */
    @FunctionalInterface
    interface StepNotes {
        void note(String message);
    }
}

package dev.outpost.agent.deploy;

/** The health check after a plan step's work; throws when the step is not healthy in time, saying what was not. */
interface StepGate {

    /** @return a short note of what passed, e.g. "StatefulSet/redis: 2/2 replicas available" */
    String check(PipelineStep.StepNotes notes) throws Exception;

    /** The gate of a step that needs none. */
    StepGate NONE = notes -> "";
}

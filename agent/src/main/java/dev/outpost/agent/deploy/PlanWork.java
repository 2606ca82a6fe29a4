package dev.outpost.agent.deploy;

import dev.outpost.agent.plan.StepRecord;

/** What one step of a plan does, from its work to its gate; throws to fail the step, with the reason. */
interface PlanWork {

    /** @return a short note for the step's message, e.g. "3 objects applied; StatefulSet/redis: 1/1 replicas available" */
    String run(PipelineStep.StepNotes notes) throws Exception;

    /** What the agent records when the step succeeded, so an unchanged step is not redone next time. */
    default StepRecord record(String name, String inputHash) {
        return new StepRecord(name, inputHash, "", "");
    }
}

package dev.outpost.hub.deployments.lifecycle;

import dev.outpost.hub.deployments.Deployment;
import dev.outpost.hub.deployments.Operation;
import dev.outpost.protocol.FieldLimits;
import java.util.Optional;

/**
 * The one place that says how an operation moves (pending → running → succeeded | failed) and what
 * each move means for its deployment. Pure: the stores only write what it decides, and guard their
 * updates with the state it started from so that two replicas cannot both move one operation.
 */
public final class OperationLifecycle {
    private OperationLifecycle() {
    }

    /** How an operation ends, and what its deployment becomes. */
    public record Ending(Operation.Status status, String failureReason, String failedStep,
                         Deployment.Status deploymentStatus, String statusReason, boolean applied) {

        /** Whether the deployment now runs what the operation's command applies (a create or update succeeded). */
        public boolean recordsRevision() {
            return applied;
        }
    }

    /**
     * The operation's state after {@code event}.
     *
     * @throws IllegalTransitionException once the operation has finished: nothing moves it again
     */
    public static Operation.Status next(Operation.Status from, OperationEvent event) {
        if (from == Operation.Status.SUCCEEDED || from == Operation.Status.FAILED) {
            throw new IllegalTransitionException(from, event);
        }
        return switch (event) {
            case PROGRESS -> Operation.Status.RUNNING;
            case SUCCEEDED -> Operation.Status.SUCCEEDED;
            case FAILED, CANCELLED, TIMED_OUT, REFUSED, UNPLANNABLE -> Operation.Status.FAILED;
        };
    }

    /** The deployment's status while an operation of {@code type} waits for its agent. */
    public static Deployment.Status statusOnStart(Operation.Type type) {
        return type == Operation.Type.DELETE ? Deployment.Status.DELETING : Deployment.Status.PENDING;
    }

    /** The deployment's status once the agent works on an operation of {@code type}; a delete stays deleting. */
    public static Optional<Deployment.Status> statusWhileRunning(Operation.Type type) {
        return type == Operation.Type.DELETE ? Optional.empty() : Optional.of(Deployment.Status.PROGRESSING);
    }

    /** The end of {@code op} on the agent's successful result. */
    public static Ending succeeded(Operation op) {
        next(op.status(), OperationEvent.SUCCEEDED);
        boolean delete = op.type() == Operation.Type.DELETE;
        return new Ending(Operation.Status.SUCCEEDED, null, null,
                delete ? Deployment.Status.DELETED : Deployment.Status.READY, null, !delete);
    }

    /**
     * The end of {@code op} on the agent's failed result: its reason (one is made up if the agent gave
     * none) and, for a plan, the step that failed; the deployment's reason names that step.
     */
    public static Ending failed(Operation op, String agentReason, String failedStep) {
        next(op.status(), OperationEvent.FAILED);
        String reason = StepReports.cut(agentReason == null || agentReason.isBlank()
                ? "the agent reported failure without a reason" : agentReason, FieldLimits.FAILURE_REASON_CHARS);
        String step = failedStep == null || failedStep.isBlank() ? null
                : StepReports.cut(failedStep, FieldLimits.STEP_NAME_CHARS);
        String why = step == null || reason.startsWith("step " + step) ? reason : "step " + step + " failed: " + reason;
        String statusReason = op.type() == Operation.Type.DELETE ? "delete failed: " + why : why;
        return new Ending(Operation.Status.FAILED, reason, step, Deployment.Status.FAILED, statusReason, false);
    }

    /** The end of {@code op} when a caller cancels it ({@code reason} says who). */
    public static Ending cancelled(Operation op, String reason) {
        return endedByHub(op, OperationEvent.CANCELLED, reason);
    }

    /** The end of {@code op} when its agent sent no result in time ({@code reason} says what was waited for). */
    public static Ending timedOut(Operation op, String reason) {
        return endedByHub(op, OperationEvent.TIMED_OUT, reason);
    }

    /** The end of {@code op} when the agent's result did not answer the command: nothing of it counts. */
    public static Ending refused(Operation op, String mismatch) {
        next(op.status(), OperationEvent.REFUSED);
        String reason = "the agent's result does not match the command: " + mismatch;
        return new Ending(Operation.Status.FAILED, reason, null, Deployment.Status.FAILED, reason, false);
    }

    /**
     * The end of {@code op} when its command could not be built (the package does not render for these
     * inputs, the agent is too old for a plan): nothing was sent, so nothing in the cluster changed.
     */
    public static Ending unplannable(Operation op, String reason) {
        next(op.status(), OperationEvent.UNPLANNABLE);
        return new Ending(Operation.Status.FAILED, reason, null, Deployment.Status.FAILED, reason, false);
    }

    private static Ending endedByHub(Operation op, OperationEvent event, String reason) {
        next(op.status(), event);
        String what = op.type() == Operation.Type.DELETE ? "deleted" : "applied";
        // The agent may have done part of the work: the deployment says so, and what makes it whole.
        String statusReason = op.type().json() + " operation " + op.id() + " " + reason + ": the cluster may be partly "
                + what + "; the next change applies the whole release again";
        return new Ending(Operation.Status.FAILED, reason, null, Deployment.Status.FAILED, statusReason, false);
    }
}

package dev.outpost.agent.plan;

import dev.outpost.agent.model.ObjectRef;
import dev.outpost.agent.model.Readiness;
import dev.outpost.agent.model.WorkloadReadiness;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * When the objects of a plan step count as healthy for its gate: Deployments and StatefulSets as
 * {@link WorkloadReadiness} says, DaemonSets when every scheduled pod is updated and available, Jobs
 * when they completed. A Job that failed is not "not ready yet" but a failure, with its reason.
 */
public final class GateReadiness {
    private GateReadiness() {
    }

    /** Whether a WorkloadsReady gate waits for objects of this kind. */
    public static boolean isWorkload(ObjectRef ref) {
        return WorkloadReadiness.isWaitedFor(ref) || isDaemonSet(ref) || isJob(ref);
    }

    public static boolean isJob(ObjectRef ref) {
        return "batch".equals(ref.group()) && "Job".equals(ref.kind());
    }

    /** The readiness of a live workload (see {@link #isWorkload}). */
    public static Readiness of(GenericKubernetesResource live) {
        ObjectRef ref = ObjectRef.of(live);
        if (isDaemonSet(ref)) {
            return daemonSet(live);
        }
        if (isJob(ref)) {
            return job(live).readiness();
        }
        return WorkloadReadiness.of(live);
    }

    /** A Job's outcome so far: still running, complete, or failed with the reason its condition gives. */
    public static JobOutcome job(GenericKubernetesResource live) {
        Optional<Map<?, ?>> failed = condition(live, "Failed");
        if (failed.isPresent()) {
            return new JobOutcome(JobOutcome.State.FAILED, reasonOf(failed.get()));
        }
        long succeeded = number(live, "status", "succeeded", 0);
        long completions = number(live, "spec", "completions", 1);
        if (condition(live, "Complete").isPresent() || succeeded >= completions) {
            return new JobOutcome(JobOutcome.State.COMPLETE, succeeded + "/" + completions + " completions");
        }
        return new JobOutcome(JobOutcome.State.RUNNING, succeeded + "/" + completions + " completions, "
                + number(live, "status", "active", 0) + " pods active");
    }

    /** What a Job has come to. */
    public record JobOutcome(State state, String detail) {
        public enum State { RUNNING, COMPLETE, FAILED }

        Readiness readiness() {
            return new Readiness(state == State.COMPLETE, state == State.FAILED ? "failed: " + detail : detail);
        }
    }

    private static Readiness daemonSet(GenericKubernetesResource live) {
        long generation = live.getMetadata().getGeneration() == null ? 0 : live.getMetadata().getGeneration();
        long observed = number(live, "status", "observedGeneration", -1);
        if (observed < generation) {
            return new Readiness(false, "controller has not seen generation " + generation + " yet");
        }
        long wanted = number(live, "status", "desiredNumberScheduled", 0);
        long updated = number(live, "status", "updatedNumberScheduled", 0);
        long available = number(live, "status", "numberAvailable", 0);
        String counts = available + "/" + wanted + " pods available, " + updated + "/" + wanted + " updated";
        return new Readiness(available >= wanted && updated >= wanted, counts);
    }

    private static boolean isDaemonSet(ObjectRef ref) {
        return "apps".equals(ref.group()) && "DaemonSet".equals(ref.kind());
    }

    private static Optional<Map<?, ?>> condition(GenericKubernetesResource live, String type) {
        Object conditions = live.get("status", "conditions");
        if (!(conditions instanceof List<?> list)) {
            return Optional.empty();
        }
        for (Object item : list) {
            if (item instanceof Map<?, ?> map && type.equals(map.get("type")) && "True".equals(map.get("status"))) {
                return Optional.of(map);
            }
        }
        return Optional.empty();
    }

    private static String reasonOf(Map<?, ?> condition) {
        Object reason = condition.get("reason");
        Object message = condition.get("message");
        String text = reason == null ? "" : reason.toString();
        if (message != null && !message.toString().isBlank()) {
            text = text.isEmpty() ? message.toString() : text + ": " + message;
        }
        return text.isEmpty() ? "the Job failed" : text;
    }

    private static long number(GenericKubernetesResource live, String section, String field, long absent) {
        Object value = live.get(section, field);
        return value instanceof Number n ? n.longValue() : absent;
    }
}

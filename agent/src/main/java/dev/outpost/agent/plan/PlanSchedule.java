package dev.outpost.agent.plan;

import dev.outpost.agent.model.PlanException;
import dev.outpost.protocol.v1.Step;
import dev.outpost.protocol.v1.StepState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The order and state of a plan's steps, and the rule that keeps a failure from spreading: a step
 * runs only when every step it depends on has succeeded, and a failed step makes every step that
 * depends on it, directly or not, SKIPPED.
 *
 * <p>Steps run one at a time, in a topological order of {@code depends_on} that keeps the plan's own
 * order wherever the dependencies allow. A step that does not depend on the failed one still runs
 * after a failure: it needs nothing that broke, and running it gets the deployment as close to the
 * plan as it can be. Pure: it only keeps state; the caller does the work.
 */
public final class PlanSchedule {
    private final List<ScheduledStep> order;
    private final Map<String, ScheduledStep> byName = new LinkedHashMap<>();
    private final Map<String, Step> states = new LinkedHashMap<>();
    private String failedStep;

    private PlanSchedule(List<ScheduledStep> order) {
        this.order = order;
        for (ScheduledStep step : order) {
            byName.put(step.name(), step);
            states.put(step.name(), Step.newBuilder().setName(step.name()).setState(StepState.STEP_STATE_PENDING).build());
        }
    }

    /**
     * The schedule of {@code steps}, all PENDING.
     *
     * @throws PlanException for a step without a name, a name used twice, a dependency on a step the
     *     plan does not have, or steps that depend on each other in a cycle
     */
    public static PlanSchedule of(List<ScheduledStep> steps) {
        Map<String, ScheduledStep> byName = new LinkedHashMap<>();
        for (ScheduledStep step : steps) {
            if (step.name() == null || step.name().isBlank()) {
                throw new PlanException("the plan has a step without a name");
            }
            if (byName.putIfAbsent(step.name(), step) != null) {
                throw new PlanException("the plan has two steps named `" + step.name() + "`");
            }
        }
        for (ScheduledStep step : steps) {
            for (String dependency : step.dependsOn()) {
                if (!byName.containsKey(dependency)) {
                    throw new PlanException("step `" + step.name() + "` depends on `" + dependency
                            + "`, which the plan does not have");
                }
            }
        }
        return new PlanSchedule(topologicalOrder(steps, byName));
    }

    /** Step names in the order they run. */
    public List<String> order() {
        return order.stream().map(ScheduledStep::name).toList();
    }

    /** The next step to run: the first PENDING one in order (its dependencies have all succeeded). */
    public Optional<String> next() {
        return order.stream().map(ScheduledStep::name)
                .filter(name -> states.get(name).getState() == StepState.STEP_STATE_PENDING).findFirst();
    }

    /** The step has started. */
    public void start(String name) {
        set(name, StepState.STEP_STATE_RUNNING, "");
    }

    /**
     * What a running step is doing or waiting for; no change of state.
     *
     * @return whether the message changed (only then is it worth reporting)
     */
    public boolean note(String name, String message) {
        String before = step(name).getMessage();
        set(name, state(name), message);
        return !before.equals(step(name).getMessage());
    }

    /** The step succeeded; {@code message} says how (may be empty). */
    public void succeed(String name, String message) {
        set(name, StepState.STEP_STATE_SUCCEEDED, message);
    }

    /** The step failed with {@code reason}; every step depending on it, directly or not, becomes SKIPPED. */
    public void fail(String name, String reason) {
        set(name, StepState.STEP_STATE_FAILED, reason);
        if (failedStep == null) {
            failedStep = name;
        }
        for (ScheduledStep step : order) {
            // in topological order every dependency is settled before its dependents are looked at
            if (state(step.name()) != StepState.STEP_STATE_PENDING) {
                continue;
            }
            step.dependsOn().stream().filter(this::brokeOrSkipped).findFirst().ifPresent(cause ->
                    set(step.name(), StepState.STEP_STATE_SKIPPED, "depends on `" + cause + "`"));
        }
    }

    /** Marks every step not yet run SKIPPED with {@code reason} (the command stops, e.g. on shutdown). */
    public void skipRemaining(String reason) {
        for (ScheduledStep step : order) {
            if (state(step.name()) == StepState.STEP_STATE_PENDING) {
                set(step.name(), StepState.STEP_STATE_SKIPPED, reason);
            }
        }
    }

    public StepState state(String name) {
        return step(name).getState();
    }

    /** Every step with its state and message, in run order: what CommandProgress and CommandResult carry. */
    public List<Step> steps() {
        return List.copyOf(states.values());
    }

    /** The first step that failed, if any did. */
    public Optional<String> failedStep() {
        return Optional.ofNullable(failedStep);
    }

    /** Whether every step succeeded. */
    public boolean succeeded() {
        return states.values().stream().allMatch(step -> step.getState() == StepState.STEP_STATE_SUCCEEDED);
    }

    /**
     * The failure in words an operator can act on, e.g. "step `gpu-pool` failed: quota exceeded …;
     * skipped: `inference` (depends on `gpu-pool`)"; empty when no step failed.
     */
    public Optional<String> failureReason() {
        if (failedStep == null) {
            return Optional.empty();
        }
        StringBuilder reason = new StringBuilder();
        for (Step step : states.values()) {
            if (step.getState() == StepState.STEP_STATE_FAILED) {
                reason.append(reason.isEmpty() ? "" : "; ").append("step `").append(step.getName())
                        .append("` failed: ").append(step.getMessage());
            }
        }
        List<String> skipped = states.values().stream()
                .filter(step -> step.getState() == StepState.STEP_STATE_SKIPPED)
                .map(step -> "`" + step.getName() + "`" + (step.getMessage().isEmpty() ? "" : " (" + step.getMessage() + ")"))
                .toList();
        if (!skipped.isEmpty()) {
            reason.append("; skipped: ").append(String.join(", ", skipped));
        }
        return Optional.of(reason.toString());
    }

    private boolean brokeOrSkipped(String name) {
        StepState state = state(name);
        return state == StepState.STEP_STATE_FAILED || state == StepState.STEP_STATE_SKIPPED;
    }

    private Step step(String name) {
        Step step = states.get(name);
        if (step == null) {
            throw new IllegalArgumentException("no step " + name);
        }
        return step;
    }

    private void set(String name, StepState state, String message) {
        states.put(name, step(name).toBuilder().setState(state).setMessage(message == null ? "" : message).build());
    }

    /** Kahn's algorithm, always taking the earliest ready step in plan order. */
    private static List<ScheduledStep> topologicalOrder(List<ScheduledStep> steps, Map<String, ScheduledStep> byName) {
        List<ScheduledStep> ordered = new ArrayList<>();
        Set<String> placed = new LinkedHashSet<>();
        List<ScheduledStep> remaining = new ArrayList<>(steps);
        while (!remaining.isEmpty()) {
            Optional<ScheduledStep> ready = remaining.stream()
                    .filter(step -> placed.containsAll(step.dependsOn())).findFirst();
            if (ready.isEmpty()) {
                throw new PlanException("steps " + cycle(remaining, byName) + " depend on each other in a cycle");
            }
            ordered.add(ready.get());
            placed.add(ready.get().name());
            remaining.remove(ready.get());
        }
        return ordered;
    }

    /** One cycle among steps that could not be placed, as "`a` → `b` → `a`". */
    private static String cycle(List<ScheduledStep> unplaced, Map<String, ScheduledStep> byName) {
        Set<String> stuck = new LinkedHashSet<>();
        unplaced.forEach(step -> stuck.add(step.name()));
        List<String> path = new ArrayList<>();
        String current = unplaced.getFirst().name();
        // every unplaced step depends on another unplaced one, so walking those dependencies must repeat
        while (!path.contains(current)) {
            path.add(current);
            current = byName.get(current).dependsOn().stream().filter(stuck::contains).findFirst().orElseThrow();
        }
        List<String> loop = new ArrayList<>(path.subList(path.indexOf(current), path.size()));
        loop.add(current);
        return String.join(" → ", loop.stream().map(name -> "`" + name + "`").toList());
    }
}

package dev.outpost.agent.deploy;

import dev.outpost.protocol.v1.AppliedDeployment;
import dev.outpost.protocol.v1.Command;
import dev.outpost.protocol.v1.CommandResult;
import dev.outpost.protocol.v1.Outcome;
import dev.outpost.protocol.v1.Step;
import dev.outpost.protocol.v1.StepState;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A deployment executor that records what it ran; commands can be held until released. */
public final class FakeDeploymentExecutor implements DeploymentExecutor {
    /** "start c1" / "end c1", in the order they happened. */
    public final List<String> log = new CopyOnWriteArrayList<>();
    private final Map<String, Error> failures = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> executions = new ConcurrentHashMap<>();
    private final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger maxRunning = new AtomicInteger();
    private final List<AppliedDeployment> applied = new CopyOnWriteArrayList<>();

    /** The next execution of this command waits until {@link #release}. */
    public void hold(String commandId) {
        gates.put(commandId, new CountDownLatch(1));
    }

    public void release(String commandId) {
        gates.get(commandId).countDown();
    }

    /** Makes the command's execution throw {@code failure} instead of returning a result. */
    public void breakWith(String commandId, Error failure) {
        failures.put(commandId, failure);
    }

    public int executions(String commandId) {
        return executions.getOrDefault(commandId, new AtomicInteger()).get();
    }

    public int maxRunning() {
        return maxRunning.get();
    }

    public void setApplied(List<AppliedDeployment> deployments) {
        applied.clear();
        applied.addAll(deployments);
    }

    @Override
    public CommandResult execute(Command command, ProgressListener progress) {
        String id = command.getCommandId();
        executions.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
        log.add("start " + id);
        Error failure = failures.get(id);
        if (failure != null) {
            throw failure;
        }
        maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
        Step step = Step.newBuilder().setName("apply " + command.getDeploymentId()).setState(StepState.STEP_STATE_RUNNING).build();
        progress.onSteps(List.of(step));
        try {
            CountDownLatch gate = gates.get(id);
            if (gate != null && !gate.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("held command " + id + " was never released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            running.decrementAndGet();
            log.add("end " + id);
        }
        return CommandResult.newBuilder()
                .setCommandId(id)
                .setOutcome(Outcome.OUTCOME_SUCCEEDED)
                .addSteps(step.toBuilder().setState(StepState.STEP_STATE_SUCCEEDED))
                .setApplied(AppliedDeployment.newBuilder().setDeploymentId(command.getDeploymentId())
                        .setGeneration(command.getGeneration()))
                .build();
    }

    @Override
    public List<AppliedDeployment> applied() {
        return List.copyOf(applied);
    }
}

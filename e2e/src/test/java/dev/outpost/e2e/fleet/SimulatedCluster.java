package dev.outpost.e2e.fleet;

import dev.outpost.protocol.release.ReleaseRendering;
import dev.outpost.protocol.release.TemplateException;
import dev.outpost.protocol.v1.AppliedDeployment;
import dev.outpost.protocol.v1.Command;
import dev.outpost.protocol.v1.CommandResult;
import dev.outpost.protocol.v1.Outcome;
import dev.outpost.protocol.v1.Step;
import dev.outpost.protocol.v1.StepState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A simulator of the Kubernetes cluster behind one simulated agent: nothing is applied anywhere, the
 * "cluster" is a map of deployment id to what was last applied. An apply takes {@code applyLatency}
 * (on a shared scheduler, no thread of its own) and fails with probability {@code failureRate}.
 *
 * <p>Like the real agent it renders the release with the command's parameters (the same
 * {@code ReleaseRendering} both sides use) so that it reports the content hash an honest agent
 * reports, and it keeps a record of finished command ids so that a command the hub re-sends after a
 * reconnect is answered with the earlier result without being applied again.
 */
public final class SimulatedCluster {
    /** How the simulated cluster behaves; shared by every agent of a fleet. */
    public record Behaviour(Duration applyLatency, double failureRate) {
        public static final Behaviour INSTANT = new Behaviour(Duration.ZERO, 0);

        public Behaviour {
            if (failureRate < 0 || failureRate > 1 || applyLatency.isNegative()) {
                throw new IllegalArgumentException("need 0 <= failureRate <= 1 and a latency >= 0");
            }
        }
    }

    private final Behaviour behaviour;
    private final ScheduledExecutorService scheduler;
    private final Map<String, AppliedDeployment> applied = new ConcurrentHashMap<>();
    private final Map<String, CommandResult> finished = new ConcurrentHashMap<>();

    public SimulatedCluster(Behaviour behaviour, ScheduledExecutorService scheduler) {
        this.behaviour = behaviour;
        this.scheduler = scheduler;
    }

    /** What this cluster runs, for Hello.applied. */
    public List<AppliedDeployment> applied() {
        return new ArrayList<>(applied.values());
    }

    /** The result of a command already carried out, if it was. */
    public CommandResult finished(String commandId) {
        return finished.get(commandId);
    }

    /** Carries out {@code command} after the configured latency; the result names the command. */
    public CompletableFuture<CommandResult> execute(Command command) {
        CommandResult earlier = finished.get(command.getCommandId());
        if (earlier != null) {
            return CompletableFuture.completedFuture(earlier);
        }
        CompletableFuture<CommandResult> result = new CompletableFuture<>();
        Runnable work = () -> {
            try {
                CommandResult done = finished.computeIfAbsent(command.getCommandId(), id -> carryOut(command));
                result.complete(done);
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        };
        long latency = behaviour.applyLatency().toMillis();
        if (latency == 0) {
            scheduler.execute(work);
        } else {
            scheduler.schedule(work, latency, TimeUnit.MILLISECONDS);
        }
        return result;
    }

    private CommandResult carryOut(Command command) {
        String step = command.hasDelete() ? "delete" : "apply";
        CommandResult.Builder result = CommandResult.newBuilder().setCommandId(command.getCommandId());
        if (behaviour.failureRate() > 0 && ThreadLocalRandom.current().nextDouble() < behaviour.failureRate()) {
            return result.setOutcome(Outcome.OUTCOME_FAILED).setFailedStep(step)
                    .setFailureReason("simulated failure (the fleet simulator's failure rate)")
                    .addSteps(step(step, StepState.STEP_STATE_FAILED, "simulated failure")).build();
        }
        if (command.hasDelete()) {
            applied.remove(command.getDeploymentId());
            return result.setOutcome(Outcome.OUTCOME_SUCCEEDED)
                    .addSteps(step(step, StepState.STEP_STATE_SUCCEEDED, "deleted (simulated)")).build();
        }
        String hash;
        try {
            hash = ReleaseRendering.contentHash(command.getDeploymentId(), command.getApply());
        } catch (TemplateException e) {
            return result.setOutcome(Outcome.OUTCOME_FAILED).setFailedStep("render").setFailureReason(e.getMessage())
                    .addSteps(step("render", StepState.STEP_STATE_FAILED, e.getMessage())).build();
        }
        AppliedDeployment deployment = AppliedDeployment.newBuilder().setDeploymentId(command.getDeploymentId())
                .setGeneration(command.getGeneration()).setContentHash(hash).build();
        applied.put(command.getDeploymentId(), deployment);
        return result.setOutcome(Outcome.OUTCOME_SUCCEEDED).setApplied(deployment)
                .addSteps(step(step, StepState.STEP_STATE_SUCCEEDED, "applied (simulated)")).build();
    }

    static Step step(String name, StepState state, String message) {
        return Step.newBuilder().setName(name).setState(state).setMessage(message).build();
    }
}

package dev.outpost.agent.deploy;

import dev.outpost.agent.model.DesiredState;
import dev.outpost.agent.model.Inventory;
import dev.outpost.agent.model.ObjectRef;
import dev.outpost.agent.model.PlanException;
import dev.outpost.agent.plan.DeploymentSteps;
import dev.outpost.agent.plan.PlanSchedule;
import dev.outpost.agent.plan.RenderedYaml;
import dev.outpost.agent.plan.ScheduledStep;
import dev.outpost.protocol.GrpcLimits;
import dev.outpost.protocol.PlanStepNames;
import dev.outpost.protocol.release.ContentHash;
import dev.outpost.protocol.release.PlanContentHash;
import dev.outpost.protocol.v1.AppliedDeployment;
import dev.outpost.protocol.v1.ApplyDeployment;
import dev.outpost.protocol.v1.Command;
import dev.outpost.protocol.v1.CommandResult;
import dev.outpost.protocol.v1.HealthGate;
import dev.outpost.protocol.v1.NamespaceMode;
import dev.outpost.protocol.v1.Outcome;
import dev.outpost.protocol.v1.PlanStep;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One apply command with a package plan (revision 2), as a pipeline: check the plan → schedule its
 * steps → prepare every objects step (inflate, parse, check) before anything reaches the cluster →
 * preflight (what the package needs from the cluster) → run the steps in order, each its work then
 * its gate, a failure skipping what depends on it → prune and record → the result. The reported steps
 * are the plan's own names, plus "preflight" first, "namespace" next for a per-deployment namespace,
 * and "prune" last.
 */
final class PlanRun {
    static final String PREFLIGHT_STEP = PlanStepNames.PREFLIGHT;
    static final String NAMESPACE_STEP = PlanStepNames.NAMESPACE;
    static final String PRUNE_STEP = PlanStepNames.PRUNE;
    /** Longest a step's gate (or its infrastructure) may take, whatever the plan asks: a stuck command must end. */
    static final Duration MAX_STEP_TIMEOUT = Duration.ofHours(6);
    /** Most steps' preparation problems preflight names; the rest are counted. */
    private static final int MAX_PROBLEMS_NAMED = 5;
    private static final Logger LOG = LoggerFactory.getLogger(PlanRun.class);

    private final Command command;
    private final ApplyDeployment apply;
    private final PlanContext context;
    private final ProgressListener progress;
    private final Duration defaultTimeout;
    private final String logContext;
    private final boolean ownNamespace;
    private DeploymentSteps records;

    PlanRun(Command command, PlanContext context, ProgressListener progress, Duration defaultTimeout) {
        this.command = command;
        this.apply = command.getApply();
        this.context = context;
        this.progress = progress;
        this.defaultTimeout = defaultTimeout;
        this.logContext = "deployment " + command.getDeploymentId() + " command " + command.getCommandId();
        this.ownNamespace = apply.getNamespaceMode() == NamespaceMode.NAMESPACE_MODE_PER_DEPLOYMENT;
    }

    /** Runs the plan to the end; never throws for a failed step (that is a failed result naming it). */
    CommandResult run() {
        checkPlan();
        PlanSchedule schedule = schedule();
        records = context.records().load(command.getDeploymentId());
        Optional<Map<String, PlanWork>> works = prepare(schedule);
        report(schedule);
        if (works.isEmpty()) {
            return result(schedule);
        }
        for (Optional<String> next = schedule.next(); next.isPresent(); next = schedule.next()) {
            // fabric8 may wrap an interrupt in its own exception: the flag is what tells the agent is stopping
            if (!runStep(schedule, next.get(), works.get().get(next.get())) || Thread.currentThread().isInterrupted()) {
                schedule.skipRemaining("not run: the agent is shutting down");
                report(schedule);
                break;
            }
        }
        return result(schedule);
    }

    private void checkPlan() {
        if (apply.getPlan().getStepsCount() > GrpcLimits.MAX_PLAN_STEPS) {
            throw new PlanException("the plan has " + apply.getPlan().getStepsCount() + " steps, more than the "
                    + GrpcLimits.MAX_PLAN_STEPS + " allowed");
        }
        for (PlanStep step : apply.getPlan().getStepsList()) {
            if (PlanStepNames.RESERVED.contains(step.getName())) {
                throw new PlanException("the plan names a step `" + step.getName() + "`, a name the agent keeps for its own step");
            }
            if (step.getWorkCase() == PlanStep.WorkCase.WORK_NOT_SET) {
                throw new PlanException("step `" + step.getName() + "` has neither objects nor infrastructure");
            }
        }
        Inventory previous = context.inventories().load(command.getDeploymentId());
        if (previous.hasApplied() && command.getGeneration() < previous.generation()) {
            throw new PlanException("generation " + command.getGeneration() + " is older than generation "
                    + previous.generation() + ", which is applied already");
        }
    }

    /** The plan's steps behind "preflight" and "namespace" (when the agent makes it), before "prune", which needs them all. */
    private PlanSchedule schedule() {
        List<ScheduledStep> steps = new ArrayList<>();
        List<String> all = new ArrayList<>();
        steps.add(new ScheduledStep(PREFLIGHT_STEP, List.of()));
        all.add(PREFLIGHT_STEP);
        if (ownNamespace) {
            steps.add(new ScheduledStep(NAMESPACE_STEP, List.of(PREFLIGHT_STEP)));
            all.add(NAMESPACE_STEP);
        }
        for (PlanStep step : apply.getPlan().getStepsList()) {
            List<String> dependsOn = new ArrayList<>(step.getDependsOnList());
            dependsOn.add(PREFLIGHT_STEP);
            if (ownNamespace) {
                dependsOn.add(NAMESPACE_STEP);
            }
            steps.add(new ScheduledStep(step.getName(), dependsOn));
            all.add(step.getName());
        }
        steps.add(new ScheduledStep(PRUNE_STEP, all));
        return PlanSchedule.of(steps);
    }

    /**
     * The work of every step: objects inflated, parsed and checked (kinds served, namespaces allowed),
     * gates checked, before anything reaches the cluster. When a step cannot be carried out, preflight
     * fails naming every such step and everything else is skipped (empty result): a broken plan
     * applies nothing at all.
     */
    private Optional<Map<String, PlanWork>> prepare(PlanSchedule schedule) {
        Map<String, PlanWork> works = new LinkedHashMap<>();
        String id = command.getDeploymentId();
        String namespace = apply.getNamespace();
        if (ownNamespace && context.namespaces().isEmpty()) {
            return failPreflight(schedule, List.of("the deployment asks for a namespace of its own, but this agent does"
                    + " not create namespaces (start it with --namespace-mode per-deployment)"));
        }
        context.namespaces().filter(provisioner -> ownNamespace).ifPresent(provisioner ->
                works.put(NAMESPACE_STEP, new NamespaceWork(provisioner, namespace, id, apply.getPlan())));
        Map<String, String> owners = new HashMap<>();
        List<ObjectRef> wanted = new ArrayList<>();
        List<GenericKubernetesResource> objects = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (PlanStep step : apply.getPlan().getStepsList()) {
            try {
                Duration timeout = timeout(step.getGate());
                if (step.getWorkCase() == PlanStep.WorkCase.OBJECTS) {
                    DesiredState desired = desired(step);
                    checkNoOtherStepHas(desired, step.getName(), owners);
                    wanted.addAll(desired.refs());
                    objects.addAll(desired.objects());
                    works.put(step.getName(), new ObjectsWork(desired, context, gate(step, desired.refs(), timeout),
                            () -> unchanged(step)));
                } else {
                    works.put(step.getName(), new InfrastructureWork(step.getInfrastructure(), context, id, timeout,
                            gate(step, List.of(), timeout), () -> unchanged(step)));
                }
            } catch (PlanException e) {
                LOG.warn("{}: step '{}' cannot be carried out: {}", logContext, step.getName(), e.getMessage());
                problems.add("step `" + step.getName() + "`: " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            return failPreflight(schedule, problems);
        }
        boolean firstApply = !context.inventories().load(id).hasApplied();
        works.put(PREFLIGHT_STEP, new PreflightWork(context.preflight(), objects, namespace, ownNamespace,
                apply.getPlan(), firstApply));
        // the deployment's content hash for Hello and the result: the one the hub computes from the plan it sent
        works.put(PRUNE_STEP, new PruneWork(context, id, command.getGeneration(), PlanContentHash.of(apply.getPlan()),
                namespace, wanted));
        return Optional.of(works);
    }

    /** Preflight fails with the problems found while preparing; every other step is skipped. */
    private Optional<Map<String, PlanWork>> failPreflight(PlanSchedule schedule, List<String> problems) {
        String named = String.join("; ", problems.subList(0, Math.min(problems.size(), MAX_PROBLEMS_NAMED)));
        int more = problems.size() - MAX_PROBLEMS_NAMED;
        schedule.fail(PREFLIGHT_STEP, more > 0 ? named + "; and " + more + " more steps" : named);
        return Optional.empty();
    }

    private DesiredState desired(PlanStep step) {
        String yaml = RenderedYaml.inflate(step.getName(), step.getObjects());
        // objects are annotated with the step's input hash, or the hash of its YAML when the hub sent none
        String hash = step.getInputHash().isEmpty() ? ContentHash.of(yaml) : step.getInputHash();
        return context.builder().fromRendered(command.getDeploymentId(), command.getGeneration(),
                apply.getNamespace(), yaml, hash, "step `" + step.getName() + "`");
    }

    /** One object belongs to one step: two steps applying it would fight over it, and prune could not tell. */
    private static void checkNoOtherStepHas(DesiredState desired, String step, Map<String, String> owners) {
        for (ObjectRef ref : desired.refs()) {
            String earlier = owners.putIfAbsent(ref.identity(), step);
            if (earlier != null) {
                throw new PlanException(ref + " is in step `" + earlier + "` already");
            }
        }
    }

    /** Runs one step and records how it went; false when the command must stop (the agent is shutting down). */
    private boolean runStep(PlanSchedule schedule, String name, PlanWork work) {
        schedule.start(name);
        report(schedule);
        try {
            String note = work.run(message -> {
                // a gate notes the same thing on every poll: the hub hears only changes
                if (schedule.note(name, message)) {
                    report(schedule);
                }
            });
            remember(name, work);
            schedule.succeed(name, note);
            LOG.info("{}: step '{}' succeeded: {}", logContext, name, note);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            schedule.fail(name, "interrupted: the agent is shutting down");
            return false;
        } catch (Exception e) {
            String reason = e instanceof PlanException ? e.getMessage() : ClusterMessages.of(e);
            LOG.warn("{}: step '{}' failed: {}", logContext, name, reason);
            LOG.debug("{}: step '{}' failure", logContext, name, e);
            forget(name);
            schedule.fail(name, reason);
        }
        report(schedule);
        return true;
    }

    private boolean unchanged(PlanStep step) {
        return records.unchanged(step.getName(), step.getInputHash(), apply.getNamespace());
    }

    private void remember(String name, PlanWork work) throws IOException {
        if (name.equals(PREFLIGHT_STEP)) {
            return; // checked afresh on every command: the cluster may have changed
        }
        if (name.equals(PRUNE_STEP)) {
            records = records.keepingOnly(apply.getPlan().getStepsList().stream().map(PlanStep::getName).toList());
        } else {
            String hash = apply.getPlan().getStepsList().stream().filter(step -> step.getName().equals(name))
                    .map(PlanStep::getInputHash).findFirst().orElse("");
            // only a namespace step that succeeded makes the namespace the agent's to remove on delete
            records = records.with(work.record(name, hash), apply.getNamespace(), name.equals(NAMESPACE_STEP));
        }
        context.records().save(records);
    }

    /** A failed step is redone next time, whatever its hash. */
    private void forget(String name) {
        records = records.without(name, apply.getNamespace(), false);
        try {
            context.records().save(records);
        } catch (IOException e) {
            LOG.warn("{}: cannot record that step '{}' failed: {}", logContext, name, e.toString());
        }
    }

    private StepGate gate(PlanStep step, List<ObjectRef> objects, Duration timeout) {
        HealthGate gate = step.getGate();
        return switch (gate.getCheckCase()) {
            case WORKLOADS_READY -> new WorkloadsGate(context.objects(), objects, deadline(timeout));
            // objects without a gate still wait for their workloads: nothing may build on a broken step
            case CHECK_NOT_SET -> objects.isEmpty() ? StepGate.NONE : new WorkloadsGate(context.objects(), objects, deadline(timeout));
            case JOB_SUCCEEDED -> new JobGate(context.objects(), job(step, objects, gate.getJobSucceeded().getJobName()),
                    deadline(timeout));
            case HTTP -> HttpGate.of(context.http(), gate.getHttp().getUrl(), timeout, context.clock());
        };
    }

    private static ObjectRef job(PlanStep step, List<ObjectRef> objects, String jobName) {
        return objects.stream().filter(ref -> "Job".equals(ref.kind()) && "batch".equals(ref.group())
                        && ref.name().equals(jobName)).findFirst()
                .orElseThrow(() -> new PlanException("step `" + step.getName() + "` waits for Job " + jobName
                        + ", which the step does not have"));
    }

    /** The step's own timeout, else the command's; never more than {@link #MAX_STEP_TIMEOUT}. */
    private Duration timeout(HealthGate gate) {
        Duration timeout = gate.getTimeoutSeconds() > 0 ? Duration.ofSeconds(gate.getTimeoutSeconds()) : defaultTimeout;
        return timeout.compareTo(MAX_STEP_TIMEOUT) > 0 ? MAX_STEP_TIMEOUT : timeout;
    }

    private Deadline deadline(Duration budget) {
        return new Deadline(context.clock(), budget, KubeDeploymentExecutor.POLL_INTERVAL);
    }

    private CommandResult result(PlanSchedule schedule) {
        CommandResult.Builder result = CommandResult.newBuilder().setCommandId(command.getCommandId())
                .addAllSteps(schedule.steps());
        if (schedule.succeeded()) {
            Inventory applied = context.inventories().load(command.getDeploymentId());
            return result.setOutcome(Outcome.OUTCOME_SUCCEEDED).setApplied(AppliedDeployment.newBuilder()
                    .setDeploymentId(command.getDeploymentId()).setGeneration(applied.generation())
                    .setContentHash(applied.contentHash())).build();
        }
        return result.setOutcome(Outcome.OUTCOME_FAILED).setFailedStep(schedule.failedStep().orElse(""))
                .setFailureReason(schedule.failureReason().orElse("the plan did not finish")).build();
    }

    private void report(PlanSchedule schedule) {
        try {
            progress.onSteps(schedule.steps());
        } catch (RuntimeException e) {
            // progress is best effort: a broken stream must not fail the deployment itself
            LOG.warn("{}: progress listener failed: {}", logContext, e.toString());
        }
    }
}

package dev.outpost.agent.deploy;

import dev.outpost.agent.drift.AppliedObjectsListener;
import dev.outpost.agent.infra.InfrastructureLocks;
import dev.outpost.agent.infra.InfrastructureProvider;
import dev.outpost.agent.infra.NoInfrastructureProvider;
import dev.outpost.agent.infra.TimeBoundProvider;
import dev.outpost.agent.model.DesiredStateBuilder;
import dev.outpost.agent.model.Inventory;
import dev.outpost.agent.model.ObjectRef;
import dev.outpost.agent.model.OutpostMetadata;
import dev.outpost.agent.model.PlanException;
import dev.outpost.agent.namespaces.NamespaceProvisioner;
import dev.outpost.agent.plan.DeploymentSteps;
import dev.outpost.agent.plan.StepRecordStore;
import dev.outpost.agent.policy.ApplyPolicy;
import dev.outpost.agent.usage.MeteredDeployment;
import dev.outpost.protocol.v1.AppliedDeployment;
import dev.outpost.protocol.v1.Command;
import dev.outpost.protocol.v1.CommandResult;
import dev.outpost.protocol.v1.NamespaceMode;
import dev.outpost.protocol.v1.Outcome;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out deployment commands with server-side apply through fabric8.
 *
 * <p>Apply: render → apply each object (configuration, then Services, then workloads) → prune objects
 * the release no longer has → wait for Deployments and StatefulSets to be available within
 * {@code ready_timeout_seconds} (5 minutes when unset) → record the inventory. Delete: find the
 * deployment's objects → delete each → wait until they are gone (2 minutes at most) → forget the
 * inventory. Every cluster failure becomes a failed result naming the step; steps after it are SKIPPED.
 *
 * <p>The agent only touches namespaced objects in {@code allowedNamespaces}; cluster-scoped kinds are
 * refused. The inventory lives in {@code stateDir/deployments/<id>.json}; objects are also found by
 * their {@code outpost.dev/deployment} label, so losing that directory does not leave objects behind.
 *
 * <p>An apply whose {@code plan} has steps (revision 2) runs the plan instead: see {@link PlanRun} and
 * docs/agent-plans.md. Its delete also removes the infrastructure and the namespace the plans made.
 */
public final class KubeDeploymentExecutor implements DeploymentExecutor {
    private static final Logger LOG = LoggerFactory.getLogger(KubeDeploymentExecutor.class);
    static final Duration DEFAULT_READY_TIMEOUT = Duration.ofMinutes(5);
    static final Duration DELETE_TIMEOUT = Duration.ofMinutes(2);
    static final Duration POLL_INTERVAL = Duration.ofMillis(500);

    private final KubernetesClient client;
    private final Set<String> allowedNamespaces;
    private final InventoryStore inventories;
    private final String fieldManager;
    private final Clock clock;
    private final StepRecordStore stepRecords;
    private final InfrastructureProvider infrastructure;
    private final InfrastructureLocks infrastructureLocks = new InfrastructureLocks();
    private final Optional<NamespaceProvisioner> namespaces;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(HttpGate.MAX_ATTEMPT)
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final AppliedObjectsListener drift;
    private final ApplyPolicy policy;

    /** An executor without an infrastructure provider, namespaces of its own, or a drift watch. */
    public KubeDeploymentExecutor(KubernetesClient client, Set<String> allowedNamespaces, Path stateDir,
                                  String fieldManager, Clock clock) {
        this(client, allowedNamespaces, stateDir, fieldManager, clock, new NoInfrastructureProvider(), Optional.empty(),
                AppliedObjectsListener.NONE);
    }

    /** An executor without a drift watch. */
    public KubeDeploymentExecutor(KubernetesClient client, Set<String> allowedNamespaces, Path stateDir,
                                  String fieldManager, Clock clock, InfrastructureProvider infrastructure,
                                  Optional<NamespaceProvisioner> namespaces) {
        this(client, allowedNamespaces, stateDir, fieldManager, clock, infrastructure, namespaces,
                AppliedObjectsListener.NONE);
    }

    /** An executor with no infrastructure provider nor namespaces of its own, telling {@code drift}. */
    public KubeDeploymentExecutor(KubernetesClient client, Set<String> allowedNamespaces, Path stateDir,
                                  String fieldManager, Clock clock, AppliedObjectsListener drift) {
        this(client, allowedNamespaces, stateDir, fieldManager, clock, new NoInfrastructureProvider(), Optional.empty(),
                drift);
    }

    /**
     * @param allowedNamespaces namespaces the agent may put objects in (exact names; empty allows none)
     * @param stateDir where inventories are kept; must survive agent restarts
     * @param fieldManager the server-side apply field manager, e.g. "outpost-agent"
     * @param infrastructure carries out the infrastructure steps of plans
     * @param namespaces creates per-deployment namespaces; empty when the agent may not
     */
    public KubeDeploymentExecutor(KubernetesClient client, Set<String> allowedNamespaces, Path stateDir,
                                  String fieldManager, Clock clock, InfrastructureProvider infrastructure,
                                  Optional<NamespaceProvisioner> namespaces, AppliedObjectsListener drift) {
        this(client, allowedNamespaces, stateDir, fieldManager, clock, infrastructure, namespaces, drift,
                ApplyPolicy.NONE);
    }

    /** As above, refusing (before anything is applied) what the customer's {@code policy} does not allow. */
    public KubeDeploymentExecutor(KubernetesClient client, Set<String> allowedNamespaces, Path stateDir,
                                  String fieldManager, Clock clock, InfrastructureProvider infrastructure,
                                  Optional<NamespaceProvisioner> namespaces, AppliedObjectsListener drift,
                                  ApplyPolicy policy) {
        this.policy = policy;
        this.drift = drift;
        this.client = client;
        this.allowedNamespaces = Set.copyOf(allowedNamespaces);
        this.inventories = new InventoryStore(stateDir);
        this.fieldManager = fieldManager;
        this.clock = clock;
        this.stepRecords = new StepRecordStore(stateDir);
        this.infrastructure = new TimeBoundProvider(infrastructure);
        this.namespaces = namespaces;
    }

    @Override
    public CommandResult execute(Command command, ProgressListener progress) {
        String context = "deployment " + command.getDeploymentId() + " command " + command.getCommandId();
        Pipeline pipeline = new Pipeline(context, progress);
        try {
            OutpostMetadata.checkDeploymentId(command.getDeploymentId());
            ApiDiscovery discovery = new ApiDiscovery(client);
            // What the drift watch compares with: every object applied, and those of plan steps left
            // unchanged (ClusterObjects is told of them too, without applying them again).
            List<Map<String, Object>> appliedObjects = new CopyOnWriteArrayList<>();
            ClusterObjects objects = new ClusterObjects(client, discovery, fieldManager,
                    object -> appliedObjects.add(asTree(object)));
            Set<String> touchable = touchableNamespaces(command);
            DesiredStateBuilder builder = new DesiredStateBuilder(touchable, discovery, policy);
            LabelSearch labelSearch = new LabelSearch(objects, touchable);
            CommandContext tools = new CommandContext(pipeline, objects, builder, labelSearch, inventories);
            LOG.info("{}: {} generation {}", context, command.getActionCase(), command.getGeneration());
            drift.applying(command.getDeploymentId());
            CommandResult result = switch (command.getActionCase()) {
                case APPLY -> isPlan(command)
                        ? new PlanRun(command, new PlanContext(objects, new PreflightReads(client), builder, labelSearch, inventories, stepRecords,
                                infrastructure, infrastructureLocks, namespaces, http, clock), progress,
                                readyTimeout(command)).run()
                        : applied(command, pipeline, new ApplyRun(command, tools, deadline(readyTimeout(command))).run());
                case DELETE -> deleted(command, pipeline, new DeleteRun(command, tools, deadline(DELETE_TIMEOUT),
                        new PlanCleanup(stepRecords, infrastructure, infrastructureLocks, namespaces, DELETE_TIMEOUT)
                                .steps(command.getDeploymentId(), command.getDelete().getNamespace())).run());
                case ACTION_NOT_SET -> failed(command, pipeline, "the command has neither apply nor delete");
            };
            tellDrift(command, result, appliedObjects);
            LOG.info("{}: {}{}", context, result.getOutcome(),
                    result.getFailureReason().isEmpty() ? "" : " - " + result.getFailureReason());
            return result;
        } catch (PlanException e) {
            drift.notApplied(command.getDeploymentId());
            return failed(command, pipeline, e.getMessage());
        } catch (RuntimeException e) {
            // never let a surprise escape into the command dispatcher: the hub must hear an outcome
            LOG.error("{}: unexpected failure", context, e);
            drift.notApplied(command.getDeploymentId());
            return failed(command, pipeline, "unexpected agent error: " + ClusterMessages.of(e));
        }
    }

    /** What the drift watch compares with from now on: the objects applied, or nothing after a failure. */
    private void tellDrift(Command command, CommandResult result, List<Map<String, Object>> appliedObjects) {
        String id = command.getDeploymentId();
        if (result.getOutcome() != Outcome.OUTCOME_SUCCEEDED) {
            drift.notApplied(id);
        } else if (command.hasDelete()) {
            drift.deleted(id);
        } else {
            drift.applied(id, appliedObjects, inventories.load(id).objects(), command.getApply().getDriftPolicy());
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> asTree(GenericKubernetesResource object) {
        return client.getKubernetesSerialization().convertValue(object, Map.class);
    }

    @Override
    public List<AppliedDeployment> applied() {
        return inventories.all().stream().filter(Inventory::hasApplied)
                .sorted(Comparator.comparing(Inventory::deploymentId))
                .map(inventory -> AppliedDeployment.newBuilder().setDeploymentId(inventory.deploymentId())
                        .setGeneration(inventory.generation()).setContentHash(inventory.contentHash()).build())
                .toList();
    }

    /**
     * The deployments to meter: each one applied, with the namespaces its inventory has objects in
     * (where its pods run). A deployment without a namespaced object has nothing to meter.
     */
    public List<MeteredDeployment> metered() {
        return inventories.all().stream().filter(Inventory::hasApplied)
                .sorted(Comparator.comparing(Inventory::deploymentId))
                .map(inventory -> new MeteredDeployment(inventory.deploymentId(), inventory.objects().stream()
                        .map(ObjectRef::namespace).filter(Objects::nonNull).collect(Collectors.toSet())))
                .filter(deployment -> !deployment.namespaces().isEmpty())
                .toList();
    }

    /** A command with a package plan (revision 2); anything else is a plain-manifest release. */
    private static boolean isPlan(Command command) {
        return command.hasApply() && command.getApply().getPlan().getStepsCount() > 0;
    }

    /**
     * The allowed namespaces, plus the deployment's own namespace when the agent creates it: the one the
     * apply asks for, or on delete the one the agent recorded creating.
     */
    private Set<String> touchableNamespaces(Command command) {
        Set<String> touchable = new HashSet<>(allowedNamespaces);
        if (namespaces.isPresent() && command.hasApply()
                && command.getApply().getNamespaceMode() == NamespaceMode.NAMESPACE_MODE_PER_DEPLOYMENT
                && !command.getApply().getNamespace().isBlank()) {
            touchable.add(command.getApply().getNamespace());
        }
        if (command.hasDelete()) {
            DeploymentSteps steps = stepRecords.load(command.getDeploymentId());
            if (steps.ownNamespace() && steps.namespace().equals(command.getDelete().getNamespace())) {
                touchable.add(steps.namespace());
            }
        }
        return touchable;
    }

    private Deadline deadline(Duration budget) {
        return new Deadline(clock, budget, POLL_INTERVAL);
    }

    private static Duration readyTimeout(Command command) {
        int seconds = command.getApply().getReadyTimeoutSeconds();
        return seconds > 0 ? Duration.ofSeconds(seconds) : DEFAULT_READY_TIMEOUT;
    }

    private static CommandResult applied(Command command, Pipeline pipeline, Optional<AppliedDeployment> applied) {
        return applied.map(deployment -> CommandResult.newBuilder().setCommandId(command.getCommandId())
                        .setOutcome(Outcome.OUTCOME_SUCCEEDED).addAllSteps(pipeline.steps()).setApplied(deployment).build())
                .orElseGet(() -> failed(command, pipeline, pipeline.failure().orElse("failed")));
    }

    private static CommandResult deleted(Command command, Pipeline pipeline, boolean deleted) {
        return deleted
                ? CommandResult.newBuilder().setCommandId(command.getCommandId())
                        .setOutcome(Outcome.OUTCOME_SUCCEEDED).addAllSteps(pipeline.steps()).build()
                : failed(command, pipeline, pipeline.failure().orElse("failed"));
    }

    private static CommandResult failed(Command command, Pipeline pipeline, String reason) {
        return CommandResult.newBuilder().setCommandId(command.getCommandId()).setOutcome(Outcome.OUTCOME_FAILED)
                .setFailureReason(reason).addAllSteps(pipeline.steps()).build();
    }
}

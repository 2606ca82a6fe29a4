package dev.outpost.hub.deployments;

import dev.outpost.hub.api.ApiException;
import dev.outpost.hub.api.StrictRequest;
import dev.outpost.hub.api.Validation;
import dev.outpost.hub.audit.AuditLog;
import dev.outpost.hub.auth.Caller;
import dev.outpost.hub.auth.Secrets;
import dev.outpost.hub.config.HubConfig;
import dev.outpost.hub.drift.DeploymentDrift;
import dev.outpost.hub.drift.DriftPolicy;
import dev.outpost.hub.drift.DriftService;
import dev.outpost.hub.drift.DriftedObject;
import dev.outpost.hub.deployments.lifecycle.OperationLifecycle;
import dev.outpost.hub.deployments.lifecycle.Retries;
import dev.outpost.hub.deployments.packaged.DeploymentSecretStore;
import dev.outpost.hub.deployments.packaged.NamespaceMode;
import dev.outpost.hub.deployments.packaged.NamespacePlacement;
import dev.outpost.hub.deployments.packaged.PackageParameters;
import dev.outpost.hub.deployments.packaged.PackageRelease;
import dev.outpost.hub.deployments.packaged.PackageReleases;
import dev.outpost.hub.deployments.packaged.PackagedChange;
import dev.outpost.hub.deployments.packaged.PackagedChanges;
import dev.outpost.hub.environments.Environment;
import dev.outpost.hub.environments.EnvironmentService;
import dev.outpost.hub.ops.HubMetrics;
import dev.outpost.hub.releases.Release;
import dev.outpost.hub.releases.ReleaseService;
import dev.outpost.hub.releases.ReleaseValidator;
import dev.outpost.hub.store.Database;
import dev.outpost.hub.store.Sql;
import dev.outpost.hub.store.StoreException;
import dev.outpost.protocol.GrpcLimits;
import dev.outpost.protocol.release.ManifestTemplate;
import dev.outpost.protocol.release.Parameters;
import dev.outpost.protocol.release.TemplateException;
import dev.outpost.protocol.text.FreeText;
import dev.outpost.protocol.v1.Command;
import io.micronaut.context.event.ApplicationEventPublisher;
import io.micronaut.core.annotation.Nullable;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deployments and their operations: every change is validated in full before anything is written,
 * then the deployment, its operation and the command for the agent are written in one transaction.
 */
@Singleton
public class DeploymentService {
    private static final Logger LOG = LoggerFactory.getLogger(DeploymentService.class);
    /** Namespace used when a deployment names none. */
    public static final String DEFAULT_NAMESPACE = "default";
    /** Largest serialized command: the gRPC limit less room for the message around it. */
    static final int MAX_COMMAND_BYTES = GrpcLimits.MAX_MESSAGE_BYTES - 64 * 1024;

    private final Database db;
    private final DeploymentStore deployments;
    private final OperationStore operations;
    private final CommandStore commands;
    private final EnvironmentService environments;
    private final ReleaseService releases;
    private final HubConfig config;
    private final HubMetrics metrics;
    private final Clock clock;
    private final ApplicationEventPublisher<CommandQueued> events;
    private final AgentWaits waits;
    private final DriftService drift;
    private final PackageReleases packages;
    private final PackagedChanges packaged;
    private final DeploymentSecretStore secrets;
    private final AuditLog audit;

    public DeploymentService(Database db, DeploymentStore deployments, OperationStore operations,
                             CommandStore commands, EnvironmentService environments, ReleaseService releases,
                             HubConfig config, HubMetrics metrics, Clock clock,
                             ApplicationEventPublisher<CommandQueued> events, AgentWaits waits, DriftService drift,
                             PackageReleases packages, PackagedChanges packaged, DeploymentSecretStore secrets,
                             AuditLog audit) {
        this.audit = audit;
        this.drift = drift;
        this.packages = packages;
        this.packaged = packaged;
        this.secrets = secrets;
        this.db = db;
        this.deployments = deployments;
        this.operations = operations;
        this.commands = commands;
        this.environments = environments;
        this.releases = releases;
        this.config = config;
        this.metrics = metrics;
        this.clock = clock;
        this.events = events;
        this.waits = waits;
    }

    /**
     * What a caller sends to create a deployment; namespace, parameters (strings for a manifests release,
     * any JSON values for a package release), plan and namespace mode are optional.
     */
    @StrictRequest
    public record NewDeployment(
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, maxLength = Validation.ID_MAX) String environmentId,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, maxLength = Validation.ID_MAX) String releaseId,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, maxLength = Validation.DNS_LABEL_MAX) String name,
            @Nullable @Schema(maxLength = Validation.DNS_LABEL_MAX, defaultValue = DEFAULT_NAMESPACE) String namespace,
            @Nullable Map<String, Object> parameters,
            @Nullable @Schema(maxLength = Validation.DNS_LABEL_MAX) String plan,
            @Nullable @Schema(maxLength = 16) String namespaceMode,
            @Nullable @Schema(allowableValues = {"report", "heal"}, defaultValue = "report") String driftPolicy) {
        /** A manifests-release request as before package releases. */
        public NewDeployment(String environmentId, String releaseId, String name, String namespace,
                             Map<String, Object> parameters) {
            this(environmentId, releaseId, name, namespace, parameters, null, null, null);
        }
    }

    /**
     * A change to a deployment: another release, new parameters (which replace the old ones), another
     * plan and/or another drift policy. Any of them is a new apply: the agent learns the policy from the
     * command.
     */
    @StrictRequest
    public record DeploymentChange(
            @Nullable @Schema(maxLength = Validation.ID_MAX) String releaseId,
            @Nullable Map<String, Object> parameters,
            @Nullable @Schema(maxLength = Validation.DNS_LABEL_MAX) String plan,
            @Nullable @Schema(allowableValues = {"report", "heal"}) String driftPolicy) {
        /** A manifests-release change as before package releases. */
        public DeploymentChange(String releaseId, Map<String, Object> parameters) {
            this(releaseId, parameters, null, null);
        }
    }

    /** A change accepted for the agent to carry out. */
    public record Accepted(Deployment deployment, Operation operation) {
    }

    /**
     * An update worked out before anything is written: the deployment as read, the release, parameters,
     * plan and drift policy it gets, and either the manifests command or the package change (which may
     * be a failure to plan, written as a failed operation).
     */
    private record PlannedUpdate(Deployment current, Release release, Map<String, ?> parameters, String plan,
                                 DriftPolicy policy, Command command, PackagedChange packaged) {
        boolean failed() {
            return packaged != null && packaged.failed();
        }
    }

    /** What a batch upgrade did with one deployment: started {@code operationId}, or skipped it and why. */
    public record BatchOutcome(String deploymentId, String tenantId, String operationId, String skipped) {
        public boolean started() {
            return operationId != null;
        }
    }

    /** Creates a deployment with a pending create operation and queues its command. */
    public Accepted create(Caller caller, NewDeployment request) {
        return audited(caller, "deployment.create", null, () -> createUnaudited(caller, request));
    }

    private Accepted createUnaudited(Caller caller, NewDeployment request) {
        Validation v = new Validation();
        v.text("environmentId", request.environmentId(), Validation.ID_MAX);
        v.text("releaseId", request.releaseId(), Validation.ID_MAX);
        v.dnsLabel("name", request.name());
        if (request.namespace() != null) {
            v.dnsLabel("namespace", request.namespace());
        }
        v.throwIfInvalid();
        Optional<PackageRelease> pkg = packages.find(request.releaseId());
        if (pkg.isPresent()) {
            return createPackaged(caller, request, pkg.get());
        }
        if (request.plan() != null) {
            v.error("plan", "only package releases have plans; release " + request.releaseId() + " is a manifests release");
        }
        NamespacePlacement.Placed placed = NamespacePlacement.forManifests(request.namespace(), request.namespaceMode());
        String namespace = placed.namespace();
        Map<String, String> parameters = PackageParameters.strings(v, "parameters",
                request.parameters() == null ? Map.of() : request.parameters());
        if (parameters != null) {
            ReleaseValidator.checkParameters(v, "parameters", parameters);
        }
        v.dnsLabel("namespace", namespace);
        DriftPolicy policy = driftPolicy(v, request.driftPolicy()).orElse(DriftPolicy.REPORT);
        v.throwIfInvalid();

        Environment env = environments.get(caller, request.environmentId());
        db.read(sql -> {
            waits.requireAllowed(sql, env.id(), namespace, request.namespace() == null);
            return null;
        });
        Release release = releases.requireDeployable(caller, request.releaseId(), true);
        String id = Secrets.id("dep_");
        Map<String, String> merged = merged(release, parameters);
        Command command = Commands.withDriftPolicy(Commands.apply(Secrets.id("cmd_"), id, 1, release, merged, namespace,
                config.getDeploymentReadyTimeout()), policy);
        requireFitsOneMessage(command);
        requireRenders(id, release, merged, namespace);
        Instant now = clock.instant();
        String operationId = Secrets.id("op_");
        Deployment deployment = new Deployment(id, env.tenantId(), env.id(), release.id(), request.name(), namespace,
                new java.util.LinkedHashMap<String, Object>(parameters), 1, 0, null,
                OperationLifecycle.statusOnStart(Operation.Type.CREATE), null, operationId, null, null, now, now, null,
                NamespaceMode.EXISTING, policy, List.of(), null);
        Operation operation = newOperation(operationId, deployment, Operation.Type.CREATE, 1, null, now);
        try {
            db.inTransaction(sql -> {
                deployments.insert(sql, deployment);
                operations.insert(sql, operation);
                commands.insert(sql, env.id(), operationId, command, now);
                return null;
            });
        } catch (StoreException.DuplicateKeyException e) {
            throw ApiException.conflict("environment " + env.id() + " already has a deployment named '"
                    + request.name() + "' in namespace '" + namespace + "'");
        }
        queued(deployment, operation, release);
        return withWaitingReasons(new Accepted(deployment, operation));
    }

    /**
     * A deployment of a package release: checked and planned by {@link PackagedChanges}, then written
     * with its secrets, operation and command in one transaction; an operation that cannot be planned
     * (render failure, agent too old) is written failed at once, with no command.
     */
    private Accepted createPackaged(Caller caller, NewDeployment request, PackageRelease pkg) {
        DriftPolicy policy = requestedDriftPolicy(request.driftPolicy()).orElse(DriftPolicy.REPORT);
        Environment env = environments.get(caller, request.environmentId());
        Release release = releases.requireDeployable(caller, request.releaseId(), true);
        String id = Secrets.id("dep_");
        PackagedChange change = packaged.create(
                new PackagedChanges.Target(env.id(), id, request.name(), Secrets.id("cmd_"), 1), release, pkg,
                new PackagedChanges.Wanted(request.plan(), request.parameters(), request.namespace(),
                        request.namespaceMode()));
        if (change.namespaceMode() == NamespaceMode.EXISTING) {
            db.read(sql -> {
                waits.requireAllowed(sql, env.id(), change.namespace(), request.namespace() == null);
                return null;
            });
        }
        Instant now = clock.instant();
        String operationId = Secrets.id("op_");
        Deployment deployment = new Deployment(id, env.tenantId(), env.id(), release.id(), request.name(),
                change.namespace(), change.parameters(), 1, 0, null, OperationLifecycle.statusOnStart(Operation.Type.CREATE),
                null, operationId, null, null, now, now, change.plan(), change.namespaceMode(), policy, List.of(), null);
        Operation operation = newOperation(operationId, deployment, Operation.Type.CREATE, 1, null, now);
        Deployment written;
        try {
            written = db.inTransaction(sql -> {
                deployments.insert(sql, deployment);
                secrets.add(sql, id, change.secretsToAdd(), now);
                operations.insert(sql, operation);
                queueOrFail(sql, deployment, operation, change, policy, now);
                return deployments.find(sql, id).orElseThrow().withDrift(drift.of(sql, id));
            });
        } catch (StoreException.DuplicateKeyException e) {
            throw ApiException.conflict("environment " + env.id() + " already has a deployment named '"
                    + request.name() + "' in namespace '" + change.namespace() + "'");
        }
        return packagedAccepted(written, operation, release, change);
    }

    /** Queues the change's command, or fails its operation at once when it has none. */
    private void queueOrFail(Sql sql, Deployment deployment, Operation operation, PackagedChange change,
                             DriftPolicy policy, Instant now) {
        if (change.failed()) {
            OperationLifecycle.Ending ending = OperationLifecycle.unplannable(operation, change.failure());
            operations.finish(sql, operation.id(), operation.status(), ending, List.of(), now);
            deployments.finishOperation(sql, deployment.id(), operation.id(), ending, null, null, null, now);
        } else {
            commands.insert(sql, deployment.environmentId(), operation.id(),
                    Commands.withDriftPolicy(change.command(), policy), now);
        }
    }

    private Accepted packagedAccepted(Deployment deployment, Operation operation, Release release,
                                      PackagedChange change) {
        if (change.failed()) {
            metrics.operationFinished(operation.type().json(), "failed");
            Operation failed = db.read(sql -> operations.find(sql, operation.id()).orElseThrow());
            return new Accepted(deployment, failed);
        }
        queued(deployment, operation, release);
        return withWaitingReasons(new Accepted(deployment, operation));
    }

    /**
     * 400 for what is wrong with the change itself, whatever the deployment's state: checked before
     * If-Match, so a malformed request is told so rather than that the deployment moved on.
     */
    public void requireWellFormed(DeploymentChange change) {
        Validation v = new Validation();
        if (change.releaseId() != null) {
            v.text("releaseId", change.releaseId(), Validation.ID_MAX);
        }
        if (change.plan() != null) {
            v.text("plan", change.plan(), Validation.DNS_LABEL_MAX);
        }
        driftPolicy(v, change.driftPolicy());
        v.throwIfInvalid();
    }

    /** Upgrades or re-parameterises a deployment: a pending update operation for the next generation. */
    public Accepted update(Caller caller, String id, DeploymentChange change) {
        return audited(caller, "deployment.update", id, () -> updateUnaudited(caller, id, change));
    }

    private Accepted updateUnaudited(Caller caller, String id, DeploymentChange change) {
        requireWellFormed(change);
        Deployment current = get(caller, id);
        requireNotDeleted(current);
        String releaseId = change.releaseId() != null ? change.releaseId() : current.releaseId();
        Release release = releases.requireDeployable(caller, releaseId,
                change.releaseId() != null && !change.releaseId().equals(current.releaseId()));
        PlannedUpdate planned = planUpdate(current, change, release, packages.find(release.id()));
        Instant now = clock.instant();
        Operation operation = newOperation(Secrets.id("op_"), current, Operation.Type.UPDATE, current.generation() + 1,
                null, now);
        Deployment written = db.inTransaction(sql -> {
            if (!startPlanned(sql, planned, operation, now)) {
                throw ApiException.conflict(whyBusy(sql, current.id()));
            }
            return deployments.find(sql, current.id()).orElseThrow().withDrift(drift.of(sql, current.id()));
        });
        return accepted(written, operation, planned);
    }

    /**
     * The next generation of a deployment, worked out without writing anything: the command (a manifests
     * release rendered to check it, a package release planned by {@link PackagedChanges}) and what the
     * deployment becomes. 400/422 when the change cannot be carried out.
     */
    private PlannedUpdate planUpdate(Deployment current, DeploymentChange change, Release release,
                                     Optional<PackageRelease> pkg) {
        if (pkg.isPresent() != (current.plan() != null)) {
            throw PackageParameters.kindChange(current.id(), release.id(), pkg.isPresent());
        }
        if (pkg.isPresent()) {
            return planPackaged(current, change, release, pkg.get());
        }
        Validation v = new Validation();
        if (change.plan() != null) {
            v.error("plan", "only package releases have plans; release " + release.id() + " is a manifests release");
        }
        Map<String, String> given = change.parameters() == null ? null
                : PackageParameters.strings(v, "parameters", change.parameters());
        if (given != null) {
            ReleaseValidator.checkParameters(v, "parameters", given);
        }
        DriftPolicy policy = driftPolicy(v, change.driftPolicy()).orElse(current.driftPolicy());
        v.throwIfInvalid();
        Map<String, String> parameters = given != null ? given : PackageParameters.strings(v, "parameters",
                current.parameters());
        Map<String, String> merged = merged(release, parameters);
        Command command = Commands.withDriftPolicy(Commands.apply(Secrets.id("cmd_"), current.id(),
                current.generation() + 1, release, merged, current.namespace(), config.getDeploymentReadyTimeout()),
                policy);
        requireFitsOneMessage(command);
        requireRenders(current.id(), release, merged, current.namespace());
        return new PlannedUpdate(current, release, parameters, current.plan(), policy, command, null);
    }

    /** The next generation of a package deployment, planned now; see {@link #createPackaged}. */
    private PlannedUpdate planPackaged(Deployment current, DeploymentChange request, Release release,
                                       PackageRelease pkg) {
        DriftPolicy policy = requestedDriftPolicy(request.driftPolicy()).orElse(current.driftPolicy());
        Map<String, Object> parameters = request.parameters() != null ? request.parameters() : current.parameters();
        String plan = request.plan() != null ? request.plan() : current.plan();
        PackagedChange change = packaged.update(new PackagedChanges.Target(current.environmentId(), current.id(),
                        current.name(), Secrets.id("cmd_"), current.generation() + 1), release, pkg, current.namespace(),
                current.namespaceMode(), plan, parameters);
        return new PlannedUpdate(current, release, change.parameters(), change.plan(), policy, null, change);
    }

    /**
     * Writes a planned update as {@code operation}, in the open transaction: false, writing nothing, when
     * the deployment has moved on since it was planned (another operation, a newer generation, deleted).
     */
    private boolean startPlanned(Sql sql, PlannedUpdate planned, Operation operation, Instant now) {
        return startAllPlanned(sql, List.of(planned), List.of(operation), now)[0];
    }

    /**
     * {@link #startPlanned} for many updates, the deployments, operations and commands each written as
     * one JDBC batch; which of them started, in order.
     */
    private boolean[] startAllPlanned(Sql sql, List<PlannedUpdate> planned, List<Operation> operationsOf,
                                      Instant now) {
        List<DeploymentStore.Start> starts = new ArrayList<>(planned.size());
        for (int i = 0; i < planned.size(); i++) {
            PlannedUpdate p = planned.get(i);
            Operation operation = operationsOf.get(i);
            starts.add(new DeploymentStore.Start(p.current().id(), p.current().generation(), operation.id(),
                    p.release().id(), p.parameters(), p.plan(), OperationLifecycle.statusOnStart(operation.type())));
        }
        boolean[] started = deployments.startOperations(sql, starts, now);
        List<Operation> inserted = new ArrayList<>();
        List<CommandStore.Queued> queuedCommands = new ArrayList<>();
        for (int i = 0; i < planned.size(); i++) {
            PlannedUpdate p = planned.get(i);
            if (!started[i]) {
                continue;
            }
            inserted.add(operationsOf.get(i));
            if (p.policy() != p.current().driftPolicy()) {
                deployments.setDriftPolicy(sql, p.current().id(), p.policy());
            }
            if (p.packaged() == null) {
                queuedCommands.add(new CommandStore.Queued(p.current().environmentId(), operationsOf.get(i).id(),
                        p.command()));
            }
        }
        operations.insertAll(sql, inserted);
        commands.insertAll(sql, queuedCommands, now);
        List<String> woken = new ArrayList<>();
        for (int i = 0; i < planned.size(); i++) {
            PlannedUpdate p = planned.get(i);
            Operation operation = operationsOf.get(i);
            if (!started[i]) {
                continue;
            }
            if (p.packaged() != null) {
                secrets.add(sql, p.current().id(), p.packaged().secretsToAdd(), now);
                queueOrFail(sql, p.current(), operation, p.packaged(), p.policy(), now);
            }
            if (p.failed()) {
                db.afterCommit(() -> metrics.operationFinished(operation.type().json(), "failed"));
            } else {
                logQueued(p.current(), operation, p.release());
                woken.add(p.current().environmentId());
            }
        }
        wakeAfterCommit(woken);
        return started;
    }

    /** The answer to a started update: failed at once when it could not be planned, else queued. */
    private Accepted accepted(Deployment written, Operation operation, PlannedUpdate planned) {
        if (planned.failed()) {
            Operation failed = db.read(sql -> operations.find(sql, operation.id()).orElseThrow());
            return new Accepted(written, failed);
        }
        return withWaitingReasons(new Accepted(written, operation));
    }

    /**
     * Upgrades each of {@code targets} to {@code release}, keeping its parameters, plan and drift policy.
     * Each is planned outside any transaction; then all are started in one transaction, with an audit
     * entry each (naming {@code cause}) and whatever {@code alongside} writes (the rollout that asked).
     * A deployment that cannot be planned, or that moved on since it was read (another operation,
     * deleted), is skipped with the reason; the rest is all or nothing.
     */
    public List<BatchOutcome> upgradeAll(Caller caller, List<Deployment> targets, Release release, String cause,
                                         BiConsumer<Sql, List<BatchOutcome>> alongside) {
        long planningBegan = System.nanoTime();
        DeploymentChange change = new DeploymentChange(release.id(), null, null, null);
        Optional<PackageRelease> pkg = packages.find(release.id());
        List<PlannedUpdate> planned = new ArrayList<>();
        List<BatchOutcome> skipped = new ArrayList<>();
        for (Deployment target : targets) {
            if (target.activeOperationId() != null) {
                skipped.add(skip(target, "operation " + target.activeOperationId() + " was pending or running"));
                continue;
            }
            try {
                planned.add(planUpdate(target, change, release, pkg));
            } catch (ApiException e) {
                skipped.add(skip(target, e.getMessage()));
            }
        }
        long plannedNanos = System.nanoTime() - planningBegan;
        Instant now = clock.instant();
        List<BatchOutcome> written = db.inTransaction(sql -> {
            List<Operation> operationsOf = new ArrayList<>(planned.size());
            for (PlannedUpdate p : planned) {
                operationsOf.add(newOperation(Secrets.id("op_"), p.current(), Operation.Type.UPDATE,
                        p.current().generation() + 1, null, now));
            }
            boolean[] started = startAllPlanned(sql, planned, operationsOf, now);
            List<BatchOutcome> outcomes = new ArrayList<>(targets.size());
            List<AuditLog.Change> changes = new ArrayList<>(planned.size());
            for (int i = 0; i < planned.size(); i++) {
                Deployment current = planned.get(i).current();
                Operation operation = operationsOf.get(i);
                if (!started[i]) {
                    outcomes.add(skip(current, whyBusy(sql, current.id())));
                    continue;
                }
                changes.add(AuditLog.Change.of("deployment.update", "deployment", current.id(), current.tenantId())
                        .detail("release " + current.releaseId() + " -> " + release.id() + ", generation "
                                + operation.generation() + ", operation " + operation.id() + ", " + cause));
                outcomes.add(new BatchOutcome(current.id(), current.tenantId(), operation.id(), null));
            }
            outcomes.addAll(skipped);
            alongside.accept(sql, outcomes);
            audit.recordAll(sql, caller, changes); // last: the audit head stays locked only until the commit
            return outcomes;
        });
        LOG.info("Batch upgrade to release {} ({}): {} deployment(s) planned in {} ms ({} not plannable), written in "
                        + "{} ms", release.id(), cause, targets.size(), plannedNanos / 1_000_000, skipped.size(),
                (System.nanoTime() - planningBegan - plannedNanos) / 1_000_000);
        return written;
    }

    private static BatchOutcome skip(Deployment deployment, String why) {
        return new BatchOutcome(deployment.id(), deployment.tenantId(), null, why);
    }

    /** Removes a deployment from its cluster: a pending delete operation. */
    public Accepted delete(Caller caller, String id) {
        return audited(caller, "deployment.delete", id, () -> deleteUnaudited(caller, id));
    }

    private Accepted deleteUnaudited(Caller caller, String id) {
        Deployment current = get(caller, id);
        requireNotDeleted(current);
        Release release = releases.get(current.releaseId());
        return startOperation(current, Operation.Type.DELETE, release, current.parameters(), current.plan(),
                Commands.delete(Secrets.id("cmd_"), id, current.generation() + 1, current.namespace()),
                current.driftPolicy(), null);
    }

    /**
     * Cancels a pending or running operation, e.g. one whose agent is gone: the operation fails, its
     * command is never sent again and a late result is ignored, and the deployment is unlocked with
     * status failed. 409 once the operation has finished.
     */
    public Operation cancel(Caller caller, String operationId) {
        Operation op = getOperation(caller, operationId);
        Instant now = clock.instant();
        String reason = "cancelled by " + caller.describe();
        // The command first: its row is what an agent's result updates too, so whichever of the two
        // commits first wins and the other changes nothing.
        Operation cancelled = db.inTransaction(sql -> {
            Operation last = operations.find(sql, op.id()).orElseThrow(); // steps as last reported
            if (!last.active() || !commands.cancel(sql, op.id(), now)) {
                throw ApiException.conflict(whyFinished(sql, op.id()));
            }
            OperationLifecycle.Ending ending = OperationLifecycle.cancelled(last, reason);
            if (!operations.finish(sql, op.id(), last.status(), ending, last.steps(), now)) {
                throw ApiException.conflict(whyFinished(sql, op.id()));
            }
            deployments.finishOperation(sql, op.deploymentId(), op.id(), ending, null, null, null, now);
            audit.record(sql, caller, AuditLog.Change.of("operation.cancel", "operation", op.id(), op.tenantId())
                    .detail("deployment " + op.deploymentId() + ", generation " + op.generation()));
            return operations.find(sql, op.id()).orElseThrow();
        });
        metrics.operationFinished(op.type().json(), "cancelled");
        LOG.warn("operation {} ({}) {}: tenant {} deployment {} generation {}", op.id(), op.type().json(),
                FreeText.forLog(reason), op.tenantId(), op.deploymentId(), op.generation());
        return cancelled;
    }

    /** Deployments the caller may see. */
    public List<Deployment> list(Caller caller, Optional<String> tenantId, Optional<String> environmentId) {
        return db.read(sql -> {
            Map<String, List<DriftedObject>> drifted = drift.byDeployment(sql, caller.tenantFilter(tenantId));
            List<Deployment> listed = deployments.list(sql, caller.tenantFilter(tenantId), environmentId);
            Map<String, String> environmentOfOperation = new HashMap<>();
            listed.stream().filter(d -> d.activeOperationId() != null)
                    .forEach(d -> environmentOfOperation.put(d.activeOperationId(), d.environmentId()));
            Map<String, String> reasons = waits.ofOperations(sql, environmentOfOperation);
            return listed.stream()
                    .map(d -> d.withDrift(DeploymentDrift.of(drifted.getOrDefault(d.id(), List.of()))))
                    .map(d -> d.activeOperationId() == null ? d : d.withWaitingReason(reasons.get(d.activeOperationId())))
                    .toList();
        });
    }

    /** One deployment; 404 if unknown or another tenant's. A deployment that waits for its agent says so in statusReason. */
    public Deployment get(Caller caller, String id) {
        Deployment deployment = caller.visible(db.read(sql -> deployments.find(sql, id)
                .map(d -> d.withDrift(drift.of(sql, id)))), Deployment::tenantId, "deployment", id);
        if (deployment.activeOperationId() == null) {
            return deployment;
        }
        return deployment.withWaitingReason(db.read(sql -> waits.ofOperation(sql, deployment.environmentId(),
                deployment.activeOperationId())).orElse(null));
    }

    /** Operations the caller may see. */
    public List<Operation> listOperations(Caller caller, Optional<String> tenantId, Optional<String> deploymentId) {
        return db.read(sql -> {
            List<Operation> listed = operations.list(sql, caller.tenantFilter(tenantId), deploymentId);
            List<Operation> active = listed.stream().filter(Operation::active).toList();
            Map<String, String> environmentOfDeployment = deployments.environmentIdsOf(sql,
                    active.stream().map(Operation::deploymentId).collect(java.util.stream.Collectors.toSet()));
            Map<String, String> environmentOfOperation = new HashMap<>();
            for (Operation op : active) {
                String environmentId = environmentOfDeployment.get(op.deploymentId());
                if (environmentId != null) { // its deployment is still there: an active operation keeps it
                    environmentOfOperation.put(op.id(), environmentId);
                }
            }
            Map<String, String> reasons = waits.ofOperations(sql, environmentOfOperation);
            return listed.stream().map(op -> op.active() ? op.withWaitingReason(reasons.get(op.id())) : op).toList();
        });
    }

    /** One operation; 404 if unknown or another tenant's. A pending or running one says why it waits, if it does. */
    public Operation getOperation(Caller caller, String id) {
        Operation operation = caller.visible(db.read(sql -> operations.find(sql, id)), Operation::tenantId, "operation", id);
        return operation.active() ? withWaitingReason(operation) : operation;
    }

    private Operation withWaitingReason(Operation operation) {
        return db.read(sql -> operation.withWaitingReason(waits.ofOperation(sql,
                deployments.find(sql, operation.deploymentId()).orElseThrow().environmentId(), operation.id())
                .orElse(null)));
    }

    /** The answer to a change, with why its operation waits (e.g. no agent yet), when it does. */
    private Accepted withWaitingReasons(Accepted accepted) {
        Optional<String> reason = db.read(sql -> waits.ofOperation(sql, accepted.deployment().environmentId(),
                accepted.operation().id()));
        return reason.map(r -> new Accepted(accepted.deployment().withWaitingReason(r),
                accepted.operation().withWaitingReason(r))).orElse(accepted);
    }

    /**
     * Retries a failed operation, the deployment's latest: a new operation of the same type re-sends its
     * command (same release, parameters and plan) under a new id and the next generation, so the agent
     * acts on it and skips plan steps it already applied. 409 with the reason otherwise.
     */
    public Accepted retry(Caller caller, String operationId) {
        return audited(caller, "operation.retry", null, () -> retryUnaudited(caller, operationId));
    }

    private Accepted retryUnaudited(Caller caller, String operationId) {
        Operation failed = getOperation(caller, operationId);
        Deployment current = get(caller, failed.deploymentId());
        long latest = db.read(sql -> operations.latestOf(sql, current.id())).map(Operation::generation).orElse(0L);
        Retries.refusal(current, failed, latest).ifPresent(reason -> {
            throw ApiException.conflict(reason);
        });
        Command previous = db.read(sql -> commands.ofOperation(sql, failed.id())).orElseThrow();
        Command command = Retries.again(previous, Secrets.id("cmd_"), current.generation() + 1);
        Release release = releases.get(current.releaseId());
        return startOperation(current, failed.type(), release, current.parameters(), current.plan(), command,
                current.driftPolicy(), failed.id());
    }

    /** Starts the operation for {@code command}, which brings the deployment to its next generation. */
    private Accepted startOperation(Deployment current, Operation.Type type, Release release,
                                    Map<String, ?> parameters, String plan, Command command, DriftPolicy policy,
                                    String retryOf) {
        Instant now = clock.instant();
        String operationId = Secrets.id("op_");
        Operation operation = newOperation(operationId, current, type, command.getGeneration(), retryOf, now);
        Deployment.Status status = OperationLifecycle.statusOnStart(type);
        Deployment updated = db.inTransaction(sql -> {
            if (!deployments.startOperation(sql, current.id(), current.generation(), operationId, release.id(),
                    parameters, plan, status, now)) {
                throw ApiException.conflict(whyBusy(sql, current.id()));
            }
            if (policy != current.driftPolicy()) {
                deployments.setDriftPolicy(sql, current.id(), policy);
            }
            operations.insert(sql, operation);
            commands.insert(sql, current.environmentId(), operationId, command, now);
            return deployments.find(sql, current.id()).orElseThrow().withDrift(drift.of(sql, current.id()));
        });
        queued(updated, operation, release);
        return withWaitingReasons(new Accepted(updated, operation));
    }

    private String whyBusy(Sql sql, String id) {
        Deployment now = deployments.find(sql, id).orElseThrow(() -> ApiException.notFound("deployment", id));
        if (now.activeOperationId() != null) {
            return "deployment " + id + " has operation " + now.activeOperationId()
                    + " pending or running; wait until it finishes";
        }
        if (now.status() == Deployment.Status.DELETED) {
            return "deployment " + id + " is deleted";
        }
        return "deployment " + id + " changed meanwhile; read it again and retry";
    }

    private String whyFinished(Sql sql, String operationId) {
        Operation now = operations.find(sql, operationId).orElseThrow();
        return "operation " + operationId + " has finished (" + now.status().json() + "); only a pending or running "
                + "operation can be cancelled";
    }

    /** The policy a package request names, if any; 400 on {@code driftPolicy} for an unknown one. */
    private static Optional<DriftPolicy> requestedDriftPolicy(String value) {
        Validation v = new Validation();
        Optional<DriftPolicy> policy = driftPolicy(v, value);
        v.throwIfInvalid();
        return policy;
    }

    /** The policy named by a request, if it names one; an unknown name is an error on {@code driftPolicy}. */
    private static Optional<DriftPolicy> driftPolicy(Validation v, String value) {
        if (value == null) {
            return Optional.empty();
        }
        Optional<DriftPolicy> policy = DriftPolicy.parse(value);
        if (policy.isEmpty()) {
            v.error("driftPolicy", "must be report or heal");
        }
        return policy;
    }

    /** 400 unless the command fits the protocol's message limit with room to spare for its envelope. */
    private static void requireFitsOneMessage(Command command) {
        if (command.getSerializedSize() > MAX_COMMAND_BYTES) {
            new Validation().error("parameters", "the release plus parameters come to " + command.getSerializedSize()
                    + " bytes, more than the protocol's 4 MiB message limit allows (" + MAX_COMMAND_BYTES + " bytes)")
                    .throwIfInvalid();
        }
    }

    private static void requireNotDeleted(Deployment deployment) {
        if (deployment.status() == Deployment.Status.DELETED) {
            throw ApiException.conflict("deployment " + deployment.id() + " is deleted");
        }
    }

    /** The release's defaults overridden by {@code parameters}; 400 if together they are too many. */
    private static Map<String, String> merged(Release release, Map<String, String> parameters) {
        Map<String, String> merged = Parameters.merge(release.defaultParameters(), parameters);
        if (merged.size() > Parameters.MAX_COUNT) {
            // The agent checks the merged map, so the hub must not accept what the agent would refuse.
            new Validation().error("parameters", "with the release's default parameters they come to " + merged.size()
                    + ", more than the " + Parameters.MAX_COUNT + " allowed").throwIfInvalid();
        }
        return merged;
    }

    /**
     * 400 unless the merged parameters render the release into Kubernetes objects (the agent adds the
     * same built-ins when it renders).
     */
    private static void requireRenders(String deploymentId, Release release, Map<String, String> merged,
                                       String namespace) {
        Map<String, String> values = new HashMap<>(merged);
        values.putAll(Parameters.builtIns(deploymentId, namespace, release.serviceName(), release.version()));
        Validation v = new Validation();
        try {
            ReleaseValidator.checkRendered(v, "parameters", ManifestTemplate.render(release.manifests(), values));
        } catch (TemplateException e) {
            v.error("parameters", e.getMessage() + " (release " + release.id() + ")");
        }
        v.throwIfInvalid();
    }

    private static Operation newOperation(String id, Deployment deployment, Operation.Type type, long generation,
                                          String retryOf, Instant now) {
        return new Operation(id, deployment.id(), deployment.tenantId(), type, generation, Operation.Status.PENDING,
                List.of(), null, null, retryOf, now, null, null, null);
    }

    /**
     * Runs {@code change} and records it in the audit log, in one transaction: the deployment's
     * release before ({@code existingId}'s, for a change of an existing one) and after, and the
     * operation that carries it out.
     */
    private Accepted audited(Caller caller, String action, String existingId, Supplier<Accepted> change) {
        return db.inTransaction(sql -> {
            String releaseBefore = existingId == null ? null
                    : deployments.find(sql, existingId).map(Deployment::releaseId).orElse(null);
            Accepted accepted = change.get();
            Deployment after = accepted.deployment();
            audit.record(sql, caller, AuditLog.Change.of(action, "deployment", after.id(), after.tenantId())
                    .detail("release " + (releaseBefore == null ? "" : releaseBefore + " -> ") + after.releaseId()
                            + ", generation " + accepted.operation().generation() + ", operation "
                            + accepted.operation().id()));
            return accepted;
        });
    }

    private void queued(Deployment deployment, Operation operation, Release release) {
        logQueued(deployment, operation, release);
        wakeAfterCommit(List.of(deployment.environmentId()));
    }

    private static void logQueued(Deployment deployment, Operation operation, Release release) {
        LOG.info("{} operation {} queued for tenant {} deployment {} (generation {}, release {} {}) in environment {}",
                operation.type().json(), operation.id(), deployment.tenantId(), deployment.id(), operation.generation(),
                FreeText.forLog(release.serviceName()), FreeText.forLog(release.version()), deployment.environmentId());
    }

    /** Wakes the gateway for these environments' new commands with one event, once they are committed. */
    private void wakeAfterCommit(List<String> environmentIds) {
        if (environmentIds.isEmpty()) {
            return;
        }
        // Only once committed: the gateway reads the command's row when woken (an idempotent request
        // commits later than the service's own transaction).
        CommandQueued event = new CommandQueued(environmentIds);
        db.afterCommit(() -> events.publishEvent(event));
    }
}

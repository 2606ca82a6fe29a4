package dev.outpost.hub.deployments;

import dev.outpost.hub.api.ApiException;
import dev.outpost.hub.api.Validation;
import dev.outpost.hub.auth.Caller;
import dev.outpost.hub.auth.Secrets;
import dev.outpost.hub.config.HubConfig;
import dev.outpost.hub.environments.Environment;
import dev.outpost.hub.environments.EnvironmentService;
import dev.outpost.hub.releases.Release;
import dev.outpost.hub.releases.ReleaseService;
import dev.outpost.hub.releases.ReleaseValidator;
import dev.outpost.hub.store.Database;
import dev.outpost.hub.store.Sql;
import dev.outpost.protocol.release.ManifestTemplate;
import dev.outpost.protocol.release.Parameters;
import dev.outpost.protocol.release.TemplateException;
import dev.outpost.protocol.v1.Command;
import io.micronaut.context.event.ApplicationEventPublisher;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongFunction;
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

    private final Database db;
    private final DeploymentStore deployments;
    private final OperationStore operations;
    private final CommandStore commands;
    private final EnvironmentService environments;
    private final ReleaseService releases;
    private final HubConfig config;
    private final Clock clock;
    private final ApplicationEventPublisher<CommandQueued> events;

    public DeploymentService(Database db, DeploymentStore deployments, OperationStore operations,
                             CommandStore commands, EnvironmentService environments, ReleaseService releases,
                             HubConfig config, Clock clock, ApplicationEventPublisher<CommandQueued> events) {
        this.db = db;
        this.deployments = deployments;
        this.operations = operations;
        this.commands = commands;
        this.environments = environments;
        this.releases = releases;
        this.config = config;
        this.clock = clock;
        this.events = events;
    }

    /** What a caller sends to create a deployment; namespace and parameters are optional. */
    public record NewDeployment(
            String environmentId, String releaseId, String name, String namespace, Map<String, String> parameters) {
    }

    /** A change to a deployment: another release and/or new parameters (which replace the old ones). */
    public record DeploymentChange(String releaseId, Map<String, String> parameters) {
    }

    /** A change accepted for the agent to carry out. */
    public record Accepted(Deployment deployment, Operation operation) {
    }

    /** Creates a deployment with a pending create operation and queues its command. */
    public Accepted create(Caller caller, NewDeployment request) {
        String namespace = request.namespace() == null ? DEFAULT_NAMESPACE : request.namespace();
        Map<String, String> parameters = request.parameters() == null ? Map.of() : request.parameters();
        Validation v = new Validation();
        v.text("environmentId", request.environmentId(), 64);
        v.text("releaseId", request.releaseId(), 64);
        v.matches("name", request.name(), Validation.DNS_LABEL, "a DNS-1123 label (lower-case letters, digits, '-')");
        v.matches("namespace", namespace, Validation.DNS_LABEL, "a DNS-1123 label (lower-case letters, digits, '-')");
        checkParameters(v, parameters);
        v.throwIfInvalid();

        Environment env = environments.get(caller, request.environmentId());
        Release release = releases.get(request.releaseId());
        String id = Secrets.id("dep_");
        Map<String, String> merged = renderable(id, release, parameters, namespace);
        Instant now = clock.instant();
        String operationId = Secrets.id("op_");
        Deployment deployment = new Deployment(id, env.tenantId(), env.id(), release.id(), request.name(), namespace,
                parameters, 1, 0, null, Deployment.Status.PENDING, null, operationId, now, now);
        Operation operation = newOperation(operationId, deployment, Operation.Type.CREATE, 1, now);
        Command command = Commands.apply(Secrets.id("cmd_"), id, 1, release, merged, namespace,
                config.getDeploymentReadyTimeout());
        db.inTransaction(sql -> {
            if (deployments.nameTaken(sql, env.id(), namespace, request.name())) {
                throw ApiException.conflict("environment " + env.id() + " already has a deployment named '"
                        + request.name() + "' in namespace '" + namespace + "'");
            }
            deployments.insert(sql, deployment);
            operations.insert(sql, operation);
            commands.insert(sql, env.id(), operationId, command, now);
            return null;
        });
        queued(deployment, operation, release);
        return new Accepted(deployment, operation);
    }

    /** Upgrades or re-parameterises a deployment: a pending update operation for the next generation. */
    public Accepted update(Caller caller, String id, DeploymentChange change) {
        Deployment current = get(caller, id);
        requireNotDeleted(current);
        Validation v = new Validation();
        if (change.parameters() != null) {
            checkParameters(v, change.parameters());
        }
        v.throwIfInvalid();
        Release release = releases.get(change.releaseId() != null ? change.releaseId() : current.releaseId());
        Map<String, String> parameters = change.parameters() != null ? change.parameters() : current.parameters();
        Map<String, String> merged = renderable(id, release, parameters, current.namespace());
        return startOperation(current, Operation.Type.UPDATE, release, parameters, generation -> Commands.apply(
                Secrets.id("cmd_"), id, generation, release, merged, current.namespace(),
                config.getDeploymentReadyTimeout()));
    }

    /** Removes a deployment from its cluster: a pending delete operation. */
    public Accepted delete(Caller caller, String id) {
        Deployment current = get(caller, id);
        requireNotDeleted(current);
        Release release = releases.get(current.releaseId());
        return startOperation(current, Operation.Type.DELETE, release, current.parameters(),
                generation -> Commands.delete(Secrets.id("cmd_"), id, generation, current.namespace()));
    }

    /** Deployments the caller may see. */
    public List<Deployment> list(Caller caller, Optional<String> tenantId, Optional<String> environmentId) {
        return db.read(sql -> deployments.list(sql, caller.tenantFilter(tenantId), environmentId));
    }

    /** One deployment; 404 if unknown or another tenant's. */
    public Deployment get(Caller caller, String id) {
        return caller.visible(db.read(sql -> deployments.find(sql, id)), Deployment::tenantId, "deployment", id);
    }

    /** Operations the caller may see. */
    public List<Operation> listOperations(Caller caller, Optional<String> tenantId, Optional<String> deploymentId) {
        return db.read(sql -> operations.list(sql, caller.tenantFilter(tenantId), deploymentId));
    }

    /** One operation; 404 if unknown or another tenant's. */
    public Operation getOperation(Caller caller, String id) {
        return caller.visible(db.read(sql -> operations.find(sql, id)), Operation::tenantId, "operation", id);
    }

    private Accepted startOperation(Deployment current, Operation.Type type, Release release,
                                    Map<String, String> parameters, LongFunction<Command> commandFor) {
        long generation = current.generation() + 1;
        Instant now = clock.instant();
        String operationId = Secrets.id("op_");
        Operation operation = newOperation(operationId, current, type, generation, now);
        Command command = commandFor.apply(generation);
        Deployment.Status status = type == Operation.Type.DELETE ? Deployment.Status.DELETING : Deployment.Status.PENDING;
        Deployment updated = db.inTransaction(sql -> {
            if (!deployments.startOperation(sql, current.id(), current.generation(), operationId, release.id(),
                    parameters, status, now)) {
                throw ApiException.conflict(whyBusy(sql, current.id()));
            }
            operations.insert(sql, operation);
            commands.insert(sql, current.environmentId(), operationId, command, now);
            return deployments.find(sql, current.id()).orElseThrow();
        });
        queued(updated, operation, release);
        return new Accepted(updated, operation);
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

    private static void requireNotDeleted(Deployment deployment) {
        if (deployment.status() == Deployment.Status.DELETED) {
            throw ApiException.conflict("deployment " + deployment.id() + " is deleted");
        }
    }

    private static void checkParameters(Validation v, Map<String, String> parameters) {
        try {
            Parameters.checkUserParameters(parameters);
        } catch (TemplateException e) {
            v.error("parameters", e.getMessage());
        }
    }

    /**
     * The release's defaults overridden by {@code parameters}, after checking that they render the
     * release into Kubernetes objects (the agent adds the same built-ins when it renders).
     */
    private static Map<String, String> renderable(String deploymentId, Release release, Map<String, String> parameters,
                                                  String namespace) {
        Map<String, String> merged = Parameters.merge(release.defaultParameters(), parameters);
        Map<String, String> values = new HashMap<>(merged);
        values.putAll(Parameters.builtIns(deploymentId, namespace, release.serviceName(), release.version()));
        Validation v = new Validation();
        try {
            ReleaseValidator.checkRendered(v, "parameters", ManifestTemplate.render(release.manifests(), values));
        } catch (TemplateException e) {
            v.error("parameters", e.getMessage() + " (release " + release.id() + ")");
        }
        v.throwIfInvalid();
        return merged;
    }

    private static Operation newOperation(String id, Deployment deployment, Operation.Type type, long generation,
                                          Instant now) {
        return new Operation(id, deployment.id(), deployment.tenantId(), type, generation, Operation.Status.PENDING,
                List.of(), null, now, null, null);
    }

    private void queued(Deployment deployment, Operation operation, Release release) {
        LOG.info("{} operation {} queued for tenant {} deployment {} (generation {}, release {} {}) in environment {}",
                operation.type().json(), operation.id(), deployment.tenantId(), deployment.id(), operation.generation(),
                release.serviceName(), release.version(), deployment.environmentId());
        events.publishEvent(new CommandQueued(deployment.environmentId()));
    }
}

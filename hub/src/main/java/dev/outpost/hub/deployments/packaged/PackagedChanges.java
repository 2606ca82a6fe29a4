package dev.outpost.hub.deployments.packaged;

import dev.outpost.hub.config.HubConfig;
import dev.outpost.hub.deployments.Commands;
import dev.outpost.hub.packages.PackagePlanning;
import dev.outpost.hub.packages.PackageRenderException;
import dev.outpost.hub.packages.ParameterViolation;
import dev.outpost.hub.packages.PlanInputs;
import dev.outpost.hub.packages.RenderSlots;
import dev.outpost.hub.releases.Release;
import dev.outpost.hub.store.Database;
import dev.outpost.protocol.GrpcLimits;
import dev.outpost.protocol.v1.Command;
import dev.outpost.protocol.v1.DeploymentPlan;
import io.micronaut.context.BeanProvider;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks and plans a create or update of a package deployment: parameters against the package's
 * schema (422 listing every violation), the namespace mode against the agent, the secrets, then the
 * plan rendered once, now, and carried in the command as stored. Rendering when the operation is
 * created (not when the command is sent) makes every re-send after a reconnect or a hub restart
 * byte-identical, whatever the helm version or the agent's facts are by then, and lets a render
 * failure fail the operation before any command exists.
 */
@Singleton
public class PackagedChanges {
    private static final Logger LOG = LoggerFactory.getLogger(PackagedChanges.class);
    /** Largest serialized command: the gRPC limit less room for the message around it. */
    static final int MAX_COMMAND_BYTES = GrpcLimits.MAX_MESSAGE_BYTES - 64 * 1024;

    private final Database db;
    private final BeanProvider<PackagePlanning> planning;
    private final AgentFactsStore facts;
    private final DeploymentSecretStore secrets;
    private final HubConfig config;
    private final RenderSlots slots;

    public PackagedChanges(Database db, BeanProvider<PackagePlanning> planning, AgentFactsStore facts,
                           DeploymentSecretStore secrets, HubConfig config, RenderSlots slots) {
        this.slots = slots;
        this.db = db;
        this.planning = planning;
        this.facts = facts;
        this.secrets = secrets;
        this.config = config;
    }

    /** Where a change goes: the deployment (new or existing) and the command that will carry it. */
    public record Target(String environmentId, String deploymentId, String deploymentName, String commandId,
                         long generation) {
    }

    /** What the caller asked for a new deployment: each null when not given. */
    public record Wanted(String plan, Map<String, Object> parameters, String namespace, String namespaceMode) {
    }

    /**
     * A new deployment of {@code release}: 422 for bad parameters, a secret given, or a namespace mode the
     * agent cannot carry out; otherwise the change (possibly one whose operation fails at once).
     */
    public PackagedChange create(Target target, Release release, PackageRelease pkg, Wanted wanted) {
        AgentFacts agent = db.read(sql -> facts.inEnvironment(sql, target.environmentId()));
        NamespacePlacement.Placed placed = NamespacePlacement.forPackage(target.deploymentName(), wanted.namespace(),
                wanted.namespaceMode(), agent);
        String plan = wanted.plan() != null ? wanted.plan() : pkg.defaultPlan();
        Map<String, Object> parameters = wanted.parameters() == null ? Map.of() : wanted.parameters();
        requireValid(pkg, plan, parameters);
        Map<String, String> toAdd = GeneratedSecrets.toAdd(pkg.secretParameters(), Set.of(), GeneratedSecrets::generate);
        return planned(target, release, pkg, agent, placed.namespace(), placed.mode(), plan, parameters, toAdd, Map.of());
    }

    /**
     * The next generation of an existing package deployment: {@code plan} and {@code parameters} as
     * the deployment will have them (the caller resolved what was not given to the current ones).
     */
    public PackagedChange update(Target target, Release release, PackageRelease pkg, String namespace,
                                 NamespaceMode mode, String plan, Map<String, Object> parameters) {
        String chosen = plan != null ? plan : pkg.defaultPlan();
        requireValid(pkg, chosen, parameters);
        AgentFacts agent = db.read(sql -> facts.inEnvironment(sql, target.environmentId()));
        Map<String, String> existing = db.read(sql -> secrets.of(sql, target.deploymentId()));
        Map<String, String> toAdd = GeneratedSecrets.toAdd(pkg.secretParameters(), existing.keySet(),
                GeneratedSecrets::generate);
        return planned(target, release, pkg, agent, namespace, mode, chosen, parameters, toAdd, existing);
    }

    /** 422 listing every violation of {@code parameters} and {@code plan}, secrets given included. */
    public void requireValid(PackageRelease pkg, String plan, Map<String, Object> parameters) {
        List<ParameterViolation> violations = new ArrayList<>(GeneratedSecrets.given(pkg.secretParameters(), parameters));
        try (RenderSlots.Slot slot = slots.take("checking the parameters")) {
            violations.addAll(planning.get().checkParameters(pkg.archive(), plan, parameters));
        }
        PackageParameters.throwIfAny(violations);
    }

    /**
     * The plan for a deployment's inputs, with the secrets it has and would get; for a preview, which
     * stores nothing.
     */
    public DeploymentPlan render(String environmentId, String deploymentId, String deploymentName, String namespace,
                                 PackageRelease pkg, String plan, Map<String, Object> parameters)
            throws PackageRenderException {
        AgentFacts agent = db.read(sql -> facts.inEnvironment(sql, environmentId));
        Map<String, String> existing = db.read(sql -> secrets.of(sql, deploymentId));
        Map<String, String> all = new java.util.TreeMap<>(existing);
        all.putAll(GeneratedSecrets.toAdd(pkg.secretParameters(), existing.keySet(), GeneratedSecrets::generate));
        try (RenderSlots.Slot slot = slots.take("rendering the preview")) {
            return planning.get().plan(pkg.archive(), new PlanInputs(deploymentName, namespace, plan,
                    GeneratedSecrets.withSecrets(parameters, all), agent.toClusterFacts()));
        }
    }

    private PackagedChange planned(Target target, Release release, PackageRelease pkg, AgentFacts agent,
                                   String namespace, NamespaceMode mode, String plan, Map<String, Object> parameters,
                                   Map<String, String> toAdd, Map<String, String> existing) {
        if (agent.speaksNoPlans()) {
            return failed(target, namespace, mode, plan, parameters, toAdd,
                    AgentFacts.revisionTooOld(agent.protocolRevision()));
        }
        Map<String, String> all = new java.util.TreeMap<>(existing);
        all.putAll(toAdd);
        DeploymentPlan rendered;
        try (RenderSlots.Slot slot = slots.take("rendering the deployment's plan")) {
            rendered = planning.get().plan(pkg.archive(), new PlanInputs(target.deploymentName(), namespace, plan,
                    GeneratedSecrets.withSecrets(parameters, all), agent.toClusterFacts()));
        } catch (PackageRenderException e) {
            String where = e.component() == null ? "the package" : "component " + e.component();
            // helm may quote values in its message: no secret goes into the reason, the log or the API
            return failed(target, namespace, mode, plan, parameters, toAdd, scrubbed(
                    "release " + release.id() + " does not render: " + where + ": " + e.getMessage(), all));
        }
        Command command = Commands.applyPlan(target.commandId(), target.deploymentId(), target.generation(), release,
                rendered, namespace, mode.toProto(), config.getDeploymentReadyTimeout());
        if (command.getSerializedSize() > MAX_COMMAND_BYTES) {
            return failed(target, namespace, mode, plan, parameters, toAdd, "the rendered plan of release " + release.id()
                    + " comes to " + command.getSerializedSize() + " bytes, more than the protocol's message limit allows ("
                    + MAX_COMMAND_BYTES + " bytes)");
        }
        return new PackagedChange(namespace, mode, plan, parameters, toAdd, command, null);
    }

    /** {@code text} with every secret value replaced, in case a renderer quoted one. */
    static String scrubbed(String text, Map<String, String> secrets) {
        String out = text;
        for (Map.Entry<String, String> secret : secrets.entrySet()) {
            if (!secret.getValue().isEmpty()) {
                out = out.replace(secret.getValue(), "<secret " + secret.getKey() + ">");
            }
        }
        return out;
    }

    private static PackagedChange failed(Target target, String namespace, NamespaceMode mode, String plan,
                                         Map<String, Object> parameters, Map<String, String> toAdd, String reason) {
        LOG.warn("deployment {} generation {} in environment {} cannot be planned: {}", target.deploymentId(),
                target.generation(), target.environmentId(), reason);
        return new PackagedChange(namespace, mode, plan, parameters, toAdd, null, reason);
    }
}

package dev.outpost.hub.deployments.packaged;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.outpost.hub.api.ApiException;
import dev.outpost.hub.api.Problem;
import dev.outpost.hub.api.RequestBinder;
import dev.outpost.hub.api.Validation;
import dev.outpost.hub.auth.Caller;
import dev.outpost.hub.deployments.CommandStore;
import dev.outpost.hub.deployments.Deployment;
import dev.outpost.hub.deployments.DeploymentService;
import dev.outpost.hub.packages.PackageRenderException;
import dev.outpost.hub.releases.ReleaseService;
import dev.outpost.hub.store.Database;
import dev.outpost.protocol.v1.Command;
import dev.outpost.protocol.v1.DeploymentPlan;
import dev.outpost.protocol.v1.HealthGate;
import dev.outpost.protocol.v1.PlanStep;
import io.micronaut.http.HttpStatus;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Previews of package deployments: the plan a change would apply, rendered exactly as an update would
 * render it, and its diff against the plan of the deployment's last queued apply (what the hub asked
 * the agent to make the cluster look like). Changes nothing.
 */
@Singleton
public class DeploymentPreviews {
    private final Database db;
    private final DeploymentService deployments;
    private final CommandStore commands;
    private final PackageReleases packages;
    private final PackagedChanges packaged;
    private final ObjectMapper mapper;
    private final ReleaseService releases;

    public DeploymentPreviews(Database db, DeploymentService deployments, CommandStore commands,
                              PackageReleases packages, PackagedChanges packaged, ObjectMapper mapper,
                              ReleaseService releases) {
        this.releases = releases;
        this.db = db;
        this.deployments = deployments;
        this.commands = commands;
        this.packages = packages;
        this.packaged = packaged;
        this.mapper = mapper;
    }

    /** A query parameter holding the parameters as JSON, bound like a request body's {@code parameters}. */
    record ParametersQuery(Map<String, Object> parameters) {
    }

    /**
     * The preview of {@code releaseId}, {@code plan} and {@code parametersJson} (each null: the
     * deployment's current one) for the deployment; 422 like PATCH for bad parameters.
     */
    public Preview preview(Caller caller, String id, String releaseId, String plan, String parametersJson) {
        Deployment current = deployments.get(caller, id);
        Map<String, Object> given = parametersJson == null ? null : parameters(parametersJson);
        if (releaseId != null) {
            Validation v = new Validation();
            v.text("releaseId", releaseId, Validation.ID_MAX);
            v.throwIfInvalid();
        }
        String target = releaseId != null ? releaseId : current.releaseId();
        releases.requireDeployable(caller, target, !target.equals(current.releaseId())); // as PATCH would refuse it
        PackageRelease pkg = packages.find(target).orElseThrow(() -> current.plan() == null
                ? ApiException.unprocessable("releaseId", "previews are for deployments of package releases; "
                        + "deployment " + id + " is of a manifests release")
                : PackageParameters.kindChange(id, target, false));
        if (current.plan() == null) {
            throw PackageParameters.kindChange(id, target, true);
        }
        String chosen = plan != null ? plan : current.plan();
        Map<String, Object> parameters = given != null ? given : current.parameters();
        packaged.requireValid(pkg, chosen, parameters);
        DeploymentPlan rendered;
        try {
            rendered = packaged.render(current.environmentId(), id, current.name(), current.namespace(), pkg, chosen,
                    parameters);
        } catch (PackageRenderException e) {
            String where = e.component() == null ? "the package" : "component " + e.component();
            throw new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, "release " + target + " does not render with "
                    + "these parameters: " + where + ": " + e.getMessage());
        }
        List<PlannedObject> after = objects(rendered);
        List<PlannedObject> before = objects(currentPlan(current));
        return new Preview(id, target, chosen, current.namespace(), current.namespaceMode().json(), steps(rendered, after),
                diff(PlanDiff.between(before, after)));
    }

    /** The plan of the deployment's last queued apply; empty when it has none (e.g. its create failed at once). */
    private DeploymentPlan currentPlan(Deployment current) {
        List<Command> queued = db.read(sql -> commands.ofDeployment(sql, current.environmentId(), current.id()));
        for (int i = queued.size() - 1; i >= 0; i--) {
            Command command = queued.get(i);
            if (command.hasApply() && command.getApply().hasPlan()) {
                return command.getApply().getPlan();
            }
            if (command.hasDelete()) {
                break; // after a delete, nothing is desired
            }
        }
        return DeploymentPlan.getDefaultInstance();
    }

    private static List<PlannedObject> objects(DeploymentPlan plan) {
        try {
            return PlanObjects.of(plan);
        } catch (PlanObjects.UnreadablePlanException e) {
            throw new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, "the plan cannot be previewed: " + e.getMessage());
        }
    }

    private Map<String, Object> parameters(String json) {
        JsonNode node;
        try {
            node = mapper.readTree(json);
        } catch (IOException e) {
            throw ApiException.invalid(List.of(new Problem.FieldError("/parameters",
                    "must be a JSON object, URL-encoded (it is not valid JSON)")));
        }
        ObjectNode wrapped = JsonNodeFactory.instance.objectNode();
        wrapped.set("parameters", node);
        ParametersQuery bound = RequestBinder.bind(wrapped, ParametersQuery.class);
        if (bound.parameters() == null) {
            return Map.of();
        }
        return bound.parameters();
    }

    private static List<Preview.Step> steps(DeploymentPlan plan, List<PlannedObject> objects) {
        List<Preview.Step> steps = new ArrayList<>();
        for (PlanStep step : plan.getStepsList()) {
            List<Preview.ObjectShown> shown = objects.stream().filter(o -> o.step().equals(step.getName()))
                    .map(o -> new Preview.ObjectShown(o.apiVersion(), o.kind(), o.namespace(), o.name(),
                            Redaction.shown(o)))
                    .toList();
            steps.add(new Preview.Step(step.getName(), step.getDependsOnList(), step.getInputHash(), gate(step), shown));
        }
        return steps;
    }

    private static Preview.Gate gate(PlanStep step) {
        if (!step.hasGate()) {
            return new Preview.Gate("none", 0, null);
        }
        HealthGate gate = step.getGate();
        return switch (gate.getCheckCase()) {
            case WORKLOADS_READY -> new Preview.Gate("workloads-ready", gate.getTimeoutSeconds(), null);
            case JOB_SUCCEEDED -> new Preview.Gate("job-succeeded", gate.getTimeoutSeconds(),
                    gate.getJobSucceeded().getJobName());
            case HTTP -> new Preview.Gate("http", gate.getTimeoutSeconds(), gate.getHttp().getUrl());
            default -> new Preview.Gate("none", gate.getTimeoutSeconds(), null);
        };
    }

    private static Preview.Diff diff(PlanDiff.Difference d) {
        return new Preview.Diff(d.added().stream().map(Preview.ObjectRef::of).toList(),
                d.removed().stream().map(Preview.ObjectRef::of).toList(),
                d.changed().stream().map(c -> new Preview.ChangedObject(c.object().step(), c.object().apiVersion(),
                        c.object().kind(), c.object().namespace(), c.object().name(), c.fields())).toList());
    }
}

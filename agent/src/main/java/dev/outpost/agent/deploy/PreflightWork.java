package dev.outpost.agent.deploy;

import dev.outpost.agent.deploy.PreflightReads.StorageClasses;
import dev.outpost.agent.model.PlanException;
import dev.outpost.agent.model.QuotaFit;
import dev.outpost.agent.model.ResourceDemand;
import dev.outpost.agent.model.StorageClassFit;
import dev.outpost.agent.namespaces.GuardRails;
import dev.outpost.agent.namespaces.NamespaceException;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.LimitRangeItem;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaStatus;
import dev.outpost.protocol.v1.DeploymentPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The "preflight" step, first in every plan: does the cluster have what the package needs? Every
 * object's kind is served and its namespace allowed (checked as the steps are prepared, before this
 * runs), the namespace exists (or the agent makes it), every volume claim has a storage class to come
 * from, and the workloads fit the namespace's quota. All problems are listed at once; a check the
 * agent's RBAC does not allow is reported as not made.
 */
final class PreflightWork implements PlanWork {
    private final PreflightReads reads;
    private final List<GenericKubernetesResource> objects;
    private final String namespace;
    private final boolean ownNamespace;
    private final DeploymentPlan plan;
    private final boolean firstApply;

    /**
     * @param objects every object of every step of the plan
     * @param firstApply nothing of the deployment runs yet, so the quota's free room must hold it all
     *                   (on an upgrade the namespace's usage already counts the deployment's own pods)
     */
    PreflightWork(PreflightReads reads, List<GenericKubernetesResource> objects, String namespace, boolean ownNamespace,
                  DeploymentPlan plan, boolean firstApply) {
        this.reads = reads;
        this.objects = List.copyOf(objects);
        this.namespace = namespace;
        this.ownNamespace = ownNamespace;
        this.plan = plan;
        this.firstApply = firstApply;
    }

    @Override
    public String run(PipelineStep.StepNotes notes) {
        List<String> problems = new ArrayList<>();
        List<String> checked = new ArrayList<>();
        checked.add(objects.size() + " objects of kinds the cluster serves");
        checkNamespace(problems, checked);
        Optional<Map<String, Quantity>> defaults = containerDefaults();
        ResourceDemand demand = demand(defaults.orElse(Map.of()));
        if (defaults.isEmpty()) {
            // defaults unknown: a container without requests may well be covered by one
            demand = new ResourceDemand(demand.totals(), Map.of(), demand.claims());
        }
        checkQuota(demand, problems, checked);
        checkStorage(demand, problems, checked);
        if (!problems.isEmpty()) {
            throw new PlanException(String.join("; ", problems));
        }
        return "checked: " + String.join("; ", checked);
    }

    /** What the workloads ask; a pod spec or quantity the counting cannot read is named (the API server would refuse it too). */
    private ResourceDemand demand(Map<String, Quantity> defaults) {
        try {
            return ResourceDemand.of(objects, defaults);
        } catch (RuntimeException e) {
            throw new PlanException("cannot count what the workloads request: " + ClusterMessages.of(e));
        }
    }

    private void checkNamespace(List<String> problems, List<String> checked) {
        if (ownNamespace) {
            checked.add("namespace " + namespace + " made by the agent");
            return;
        }
        // unreadable under the documented Role, which itself lives in the namespace: then it exists
        Optional<Boolean> exists = reads.namespaceExists(namespace);
        if (exists.isEmpty()) {
            return;
        }
        if (exists.get()) {
            checked.add("namespace " + namespace + " exists");
        } else {
            problems.add("namespace " + namespace + " does not exist: the agent deploys into existing namespaces only"
                    + " (create it, or let the agent make a namespace per deployment)");
        }
    }

    /** The default container limits that apply in the namespace; empty when the agent cannot tell. */
    private Optional<Map<String, Quantity>> containerDefaults() {
        if (ownNamespace) {
            try {
                return Optional.of(GuardRails.quantities("container_default_limits", plan.getContainerDefaultLimitsMap()));
            } catch (NamespaceException e) {
                throw new PlanException(e.getMessage());
            }
        }
        return reads.limitRanges(namespace).map(ranges -> {
            Map<String, Quantity> defaults = new TreeMap<>();
            for (LimitRange range : ranges) {
                for (LimitRangeItem item : range.getSpec() == null ? List.<LimitRangeItem>of() : range.getSpec().getLimits()) {
                    if ("Container".equals(item.getType()) && item.getDefault() != null) {
                        defaults.putAll(item.getDefault());
                    }
                }
            }
            return defaults;
        });
    }

    private void checkQuota(ResourceDemand demand, List<String> problems, List<String> checked) {
        if (ownNamespace) {
            Map<String, Quantity> hard;
            try {
                hard = GuardRails.quantities("namespace_quota", plan.getNamespaceQuotaMap());
            } catch (NamespaceException e) {
                throw new PlanException(e.getMessage());
            }
            if (!hard.isEmpty()) {
                problems.addAll(QuotaFit.problems(demand, "the plan's namespace quota", hard, Optional.empty()));
                checked.add("fits the plan's namespace quota");
            }
            return;
        }
        Optional<List<ResourceQuota>> quotas = reads.quotas(namespace);
        if (quotas.isEmpty()) {
            checked.add("quota not checked (the agent may not read ResourceQuotas in " + namespace + ")");
            return;
        }
        for (ResourceQuota quota : quotas.get()) {
            ResourceQuotaStatus status = quota.getStatus();
            Map<String, Quantity> hard = status != null && status.getHard() != null && !status.getHard().isEmpty()
                    ? status.getHard() : quota.getSpec().getHard();
            Optional<Map<String, Quantity>> used = firstApply && status != null && status.getUsed() != null
                    ? Optional.of(status.getUsed()) : Optional.empty();
            problems.addAll(QuotaFit.problems(demand, "ResourceQuota " + quota.getMetadata().getName(),
                    hard == null ? Map.of() : hard, used));
        }
        if (!quotas.get().isEmpty()) {
            checked.add("fits " + quotas.get().size() + " ResourceQuota" + (quotas.get().size() == 1 ? "" : "s"));
        }
    }

    private void checkStorage(ResourceDemand demand, List<String> problems, List<String> checked) {
        if (demand.claims().isEmpty()) {
            return;
        }
        Optional<StorageClasses> classes = reads.storageClasses();
        if (classes.isEmpty()) {
            checked.add("storage classes not checked (the agent may not list them)");
            return;
        }
        problems.addAll(StorageClassFit.problems(demand.claims(), classes.get().names(), classes.get().defaultClass()));
        checked.add(demand.claims().size() + " volume claims with a storage class");
    }
}

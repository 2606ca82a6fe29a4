package dev.outpost.agent.namespaces;

import dev.outpost.protocol.v1.DeploymentPlan;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.authentication.SelfSubjectReview;
import io.fabric8.kubernetes.api.model.authentication.SelfSubjectReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link NamespaceProvisioner} on a real cluster with fabric8. The namespace is created (never
 * patched: the agent may not change namespaces it did not make); in it the agent binds itself to the
 * ClusterRole {@value #DEPLOYER_ROLE} (agent/rbac/README.md), then server-side applies the guard rails.
 */
public final class KubeNamespaceProvisioner implements NamespaceProvisioner {
    /** The ClusterRole the agent binds itself to in each namespace it creates (agent/rbac/per-deployment.yaml). */
    public static final String DEPLOYER_ROLE = "outpost-agent-deployer";
    /** The RoleBinding the agent creates in each of its namespaces. */
    public static final String ROLE_BINDING = "outpost-agent";
    /** How long a new RoleBinding may take to be honoured by the API server's authorizer. */
    static final Duration BINDING_EFFECTIVE_WITHIN = Duration.ofSeconds(15);
    /** Longest wait a caller may ask of {@link #remove}. */
    static final Duration MAX_REMOVE_TIMEOUT = Duration.ofMinutes(10);
    /** Page size and most objects of one kind the agent lists in a namespace it empties. */
    static final int PAGE = 500;
    static final int MAX_OBJECTS_PER_KIND = 5000;
    private static final Logger LOG = LoggerFactory.getLogger(KubeNamespaceProvisioner.class);
    // Objects the cluster itself puts in every namespace and puts back when deleted.
    private static final Set<String> CLUSTER_MADE = Set.of("ServiceAccount/default", "ConfigMap/kube-root-ca.crt");

    private final KubernetesClient client;
    private final String fieldManager;
    private final Clock clock;
    private volatile AgentSubject subject;

    /**
     * @param fieldManager the server-side apply field manager, the agent's (--field-manager)
     * @param subject who the agent is, for its RoleBindings; empty to ask the API server (SelfSubjectReview) when needed
     */
    public KubeNamespaceProvisioner(KubernetesClient client, String fieldManager, Optional<AgentSubject> subject,
            Clock clock) {
        this.client = client;
        this.fieldManager = fieldManager;
        this.subject = subject.orElse(null);
        this.clock = clock;
    }

    @Override
    public void ensure(String namespace, String deploymentId, DeploymentPlan plan) throws NamespaceException {
        NamespaceOwnership.check(namespace, deploymentId);
        // Built first: a bad plan is refused before anything is created.
        var quota = GuardRails.resourceQuota(namespace, deploymentId, plan);
        var limits = GuardRails.limitRange(namespace, deploymentId, plan);
        try {
            ensureNamespace(namespace, deploymentId);
            ensureAccess(namespace, deploymentId);
            apply(GuardRails.networkPolicy(namespace, deploymentId));
            applyOrDelete(quota, client.resourceQuotas().inNamespace(namespace).withName(GuardRails.RESOURCE_QUOTA));
            applyOrDelete(limits, client.limitRanges().inNamespace(namespace).withName(GuardRails.LIMIT_RANGE));
        } catch (KubernetesClientException e) {
            throw new NamespaceException(refused(namespace, "prepare", e), e);
        }
        LOG.info("Namespace {} ready for deployment {} (quota: {}, default limits: {})", namespace, deploymentId,
                plan.getNamespaceQuotaMap().isEmpty() ? "none" : plan.getNamespaceQuotaMap().size() + " entries",
                plan.getContainerDefaultLimitsMap().isEmpty() ? "none" : plan.getContainerDefaultLimitsMap().size() + " entries");
    }

    @Override
    public NamespaceRemoval remove(String namespace, String deploymentId, Duration timeout) throws NamespaceException {
        NamespaceOwnership.check(namespace, deploymentId);
        Polling polling = new Polling(clock, timeout.compareTo(MAX_REMOVE_TIMEOUT) > 0 ? MAX_REMOVE_TIMEOUT : timeout);
        try {
            Namespace existing = client.namespaces().withName(namespace).get();
            if (existing == null) {
                return new NamespaceRemoval(true, List.of());
            }
            if (NamespaceOwnership.owner(existing.getMetadata().getLabels(), deploymentId)
                    != NamespaceOwnership.Owner.THIS_DEPLOYMENT) {
                LOG.info("Namespace {} kept on removing deployment {}: {}", namespace, deploymentId,
                        NamespaceOwnership.refusal(namespace, existing.getMetadata().getLabels(), deploymentId));
                return new NamespaceRemoval(false, List.of());
            }
            List<String> retained = retainedClaims(namespace);
            if (retained.isEmpty()) {
                deleteNamespace(namespace, deploymentId, polling);
                return new NamespaceRemoval(true, List.of());
            }
            emptyAllBut(namespace, deploymentId, Set.copyOf(retained), polling);
            // Reported as they are now, not as they were: Kubernetes may have taken one along regardless.
            List<String> kept = retainedClaims(namespace);
            if (!kept.containsAll(retained)) {
                LOG.warn("Namespace {} of deployment {}: claims {} were marked to be retained but are gone", namespace,
                        deploymentId, retained.stream().filter(c -> !kept.contains(c)).toList());
            }
            LOG.info("Namespace {} of deployment {} kept for its retained PersistentVolumeClaims {}", namespace,
                    deploymentId, kept);
            return new NamespaceRemoval(kept.isEmpty() && deleteIfEmpty(namespace, deploymentId, polling), kept);
        } catch (KubernetesClientException e) {
            throw new NamespaceException(refused(namespace, "remove", e), e);
        }
    }

    // ------------------------------------------------------------------ ensure

    /** Creates the namespace, or checks that the existing one is this deployment's and not going away. */
    private void ensureNamespace(String namespace, String deploymentId) throws NamespaceException {
        Namespace existing = client.namespaces().withName(namespace).get();
        if (existing == null) {
            try {
                client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace)
                        .withLabels(NamespaceOwnership.labels(deploymentId)).endMetadata().build()).create();
                LOG.info("Created namespace {} for deployment {}", namespace, deploymentId);
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                    throw e;
                }
                existing = client.namespaces().withName(namespace).get(); // made meanwhile: judge it as any other
                if (existing == null) {
                    throw new NamespaceException("namespace " + namespace + " was created and deleted by someone else "
                            + "while the agent prepared it; try again");
                }
            }
        }
        Map<String, String> labels = existing.getMetadata().getLabels();
        if (NamespaceOwnership.owner(labels, deploymentId) != NamespaceOwnership.Owner.THIS_DEPLOYMENT) {
            throw new NamespaceException(NamespaceOwnership.refusal(namespace, labels, deploymentId));
        }
        if (existing.getMetadata().getDeletionTimestamp() != null) {
            throw new NamespaceException("namespace " + namespace + " of deployment " + deploymentId + " is being deleted "
                    + "(since " + existing.getMetadata().getDeletionTimestamp() + "); try again once it is gone");
        }
    }

    /**
     * Makes sure the agent may work in the namespace: when it may not yet, it binds itself to the deployer
     * ClusterRole there and waits until the API server honours the binding.
     */
    private void ensureAccess(String namespace, String deploymentId) throws NamespaceException {
        if (mayApplyIn(namespace)) {
            return; // bound earlier, or the agent's identity may do this anywhere
        }
        RoleBinding binding = new RoleBindingBuilder()
                .withNewMetadata().withName(ROLE_BINDING).withNamespace(namespace)
                .withLabels(NamespaceOwnership.labels(deploymentId)).endMetadata()
                .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole").withName(DEPLOYER_ROLE)
                .endRoleRef()
                .withSubjects(subject().toSubject())
                .build();
        try {
            client.rbac().roleBindings().inNamespace(namespace).resource(binding).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                throw new NamespaceException("namespace " + namespace + ": the agent cannot bind itself to the ClusterRole "
                        + DEPLOYER_ROLE + " there: " + describe(e) + ". Fix: apply the per-deployment RBAC "
                        + "(agent/rbac/setup.sh --per-deployment, see agent/rbac/README.md)", e);
            }
        }
        Polling polling = new Polling(clock, BINDING_EFFECTIVE_WITHIN);
        while (!mayApplyIn(namespace)) {
            if (polling.passed()) {
                throw new NamespaceException("namespace " + namespace + ": the RoleBinding " + ROLE_BINDING + " to the "
                        + "ClusterRole " + DEPLOYER_ROLE + " grants the agent nothing after "
                        + BINDING_EFFECTIVE_WITHIN.toSeconds() + " s; is that ClusterRole installed (agent/rbac/setup.sh "
                        + "--per-deployment) and the binding's subject the agent (" + subject().username() + ")?");
            }
            polling.pause();
        }
        LOG.info("Bound {} to the ClusterRole {} in namespace {} (deployment {})", subject().username(), DEPLOYER_ROLE,
                namespace, deploymentId);
    }

    /** Whether the API server lets the agent apply the guard rails in the namespace (SelfSubjectAccessReview). */
    private boolean mayApplyIn(String namespace) {
        SelfSubjectAccessReview answer = client.authorization().v1().selfSubjectAccessReview().create(
                new SelfSubjectAccessReviewBuilder().withNewSpec().withNewResourceAttributes()
                        .withNamespace(namespace).withGroup("networking.k8s.io").withResource("networkpolicies")
                        .withVerb("patch").endResourceAttributes().endSpec().build());
        return answer.getStatus() != null && Boolean.TRUE.equals(answer.getStatus().getAllowed());
    }

    private AgentSubject subject() throws NamespaceException {
        AgentSubject known = subject;
        if (known != null) {
            return known;
        }
        try {
            SelfSubjectReview review = client.authentication().v1().selfSubjectReviews()
                    .create(new SelfSubjectReviewBuilder().build());
            String username = review.getStatus() == null || review.getStatus().getUserInfo() == null
                    ? null : review.getStatus().getUserInfo().getUsername();
            if (username == null || username.isBlank()) {
                throw new NamespaceException("the API server does not say who the agent is (SelfSubjectReview), so the "
                        + "agent cannot bind itself in its namespaces");
            }
            subject = new AgentSubject(username);
            return subject;
        } catch (KubernetesClientException e) {
            throw new NamespaceException("cannot ask the API server who the agent is (SelfSubjectReview, Kubernetes "
                    + "1.28+): " + describe(e), e);
        }
    }

    private void apply(HasMetadata object) {
        client.resource(object).fieldManager(fieldManager).forceConflicts().serverSideApply();
    }

    /** Applies the object the plan asks for, or deletes the one an earlier plan asked for. */
    private <T extends HasMetadata> void applyOrDelete(Optional<T> wanted, Resource<T> existing) {
        if (wanted.isPresent()) {
            apply(wanted.get());
        } else {
            existing.delete(); // nothing there is fine: a no-op
        }
    }

    // ------------------------------------------------------------------ remove

    private List<String> retainedClaims(String namespace) {
        return names(client.persistentVolumeClaims().inNamespace(namespace), NamespaceOwnership::retained).stream()
                .sorted().toList();
    }

    private void deleteNamespace(String namespace, String deploymentId, Polling polling) throws NamespaceException {
        client.namespaces().withName(namespace).withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
        LOG.info("Deleting namespace {} of deployment {}", namespace, deploymentId);
        while (true) {
            Namespace left = client.namespaces().withName(namespace).get();
            if (left == null) {
                LOG.info("Deleted namespace {} of deployment {}", namespace, deploymentId);
                return;
            }
            if (polling.passed()) {
                throw new NamespaceException("namespace " + namespace + " is still terminating; " + why(left)
                        + ". It will go once that is resolved; nothing else of deployment " + deploymentId + " is left");
            }
            polling.pause();
        }
    }

    /** Deletes the namespace after all, when no retained claim is left in it. */
    private boolean deleteIfEmpty(String namespace, String deploymentId, Polling polling) throws NamespaceException {
        deleteNamespace(namespace, deploymentId, polling);
        return true;
    }

    /**
     * Deletes every object of the kinds the agent manages, except the retained claims (which first lose
     * their owner references, so that deleting a StatefulSet cannot take them along), and waits until gone.
     */
    private void emptyAllBut(String namespace, String deploymentId, Set<String> retained, Polling polling)
            throws NamespaceException {
        for (String claim : retained) {
            client.persistentVolumeClaims().inNamespace(namespace).withName(claim).edit(pvc -> {
                pvc.getMetadata().setOwnerReferences(null);
                return pvc;
            });
        }
        List<Kind<?>> kinds = kinds(namespace, retained);
        for (Kind<?> kind : kinds) {
            kind.deleteAll();
        }
        while (true) {
            List<String> left = new ArrayList<>();
            for (Kind<?> kind : kinds) {
                kind.names().forEach(name -> left.add(kind.name + "/" + name));
            }
            if (left.isEmpty()) {
                LOG.info("Emptied namespace {} of deployment {} but for its retained claims", namespace, deploymentId);
                return;
            }
            if (polling.passed()) {
                throw new NamespaceException("namespace " + namespace + ": " + left.size() + " object(s) of deployment "
                        + deploymentId + " are still being deleted, e.g. "
                        + String.join(", ", left.subList(0, Math.min(5, left.size()))));
            }
            polling.pause();
        }
    }

    /** The kinds the deployer ClusterRole may delete, each with what is to be kept of it. */
    private List<Kind<?>> kinds(String namespace, Set<String> retained) {
        return List.of(
                new Kind<>("Deployment", client.apps().deployments().inNamespace(namespace), o -> true),
                new Kind<>("StatefulSet", client.apps().statefulSets().inNamespace(namespace), o -> true),
                new Kind<>("DaemonSet", client.apps().daemonSets().inNamespace(namespace), o -> true),
                new Kind<>("Job", client.batch().v1().jobs().inNamespace(namespace), o -> true),
                new Kind<>("HorizontalPodAutoscaler",
                        client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(namespace), o -> true),
                new Kind<>("PodDisruptionBudget", client.policy().v1().podDisruptionBudget().inNamespace(namespace),
                        o -> true),
                new Kind<>("Service", client.services().inNamespace(namespace), o -> true),
                new Kind<>("ConfigMap", client.configMaps().inNamespace(namespace), o -> true),
                new Kind<>("Secret", client.secrets().inNamespace(namespace), o -> true),
                new Kind<>("ServiceAccount", client.serviceAccounts().inNamespace(namespace), o -> true),
                new Kind<>("PersistentVolumeClaim", client.persistentVolumeClaims().inNamespace(namespace),
                        o -> !retained.contains(o.getMetadata().getName())),
                new Kind<>("NetworkPolicy", client.network().v1().networkPolicies().inNamespace(namespace), o -> true),
                new Kind<>("ResourceQuota", client.resourceQuotas().inNamespace(namespace), o -> true),
                new Kind<>("LimitRange", client.limitRanges().inNamespace(namespace), o -> true));
    }

    /** One kind in one namespace: which of its objects go, and how to list and delete them. */
    private final class Kind<T extends HasMetadata> {
        final String name;
        private final NonNamespaceOperation<T, ? extends KubernetesResourceList<T>, ? extends Resource<T>> operation;
        private final Predicate<T> goes;

        Kind(String name, NonNamespaceOperation<T, ? extends KubernetesResourceList<T>, ? extends Resource<T>> operation,
                Predicate<T> goes) {
            this.name = name;
            this.operation = operation;
            this.goes = object -> !CLUSTER_MADE.contains(name + "/" + object.getMetadata().getName()) && goes.test(object);
        }

        void deleteAll() {
            for (String object : names()) {
                operation.withName(object).withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
            }
        }

        List<String> names() {
            return KubeNamespaceProvisioner.names(operation, goes);
        }
    }

    /** The names of the objects {@code keep} selects, paged and bounded. */
    private static <T extends HasMetadata> List<String> names(
            NonNamespaceOperation<T, ? extends KubernetesResourceList<T>, ? extends Resource<T>> operation,
            Predicate<T> keep) {
        List<String> names = new ArrayList<>();
        String next = null;
        int seen = 0;
        do {
            KubernetesResourceList<T> page = operation.list(new ListOptionsBuilder().withLimit((long) PAGE)
                    .withContinue(next).build());
            for (T object : page.getItems()) {
                if (keep.test(object)) {
                    names.add(object.getMetadata().getName()); // one being deleted counts too: not gone yet
                }
            }
            seen += page.getItems().size();
            next = page.getMetadata() == null ? null : page.getMetadata().getContinue();
        } while (next != null && !next.isEmpty() && seen < MAX_OBJECTS_PER_KIND);
        return names;
    }

    // ------------------------------------------------------------------ messages

    /** Why a namespace is still there: its conditions' messages (e.g. finalizers that remain). */
    private static String why(Namespace namespace) {
        if (namespace.getStatus() == null || namespace.getStatus().getConditions() == null) {
            return "the cluster gives no reason";
        }
        List<String> reasons = namespace.getStatus().getConditions().stream()
                .filter(c -> "True".equals(c.getStatus()) && c.getMessage() != null)
                .map(c -> c.getType() + ": " + c.getMessage()).limit(3).toList();
        return reasons.isEmpty() ? "the cluster gives no reason" : String.join("; ", reasons);
    }

    private static String refused(String namespace, String what, KubernetesClientException e) {
        if (e.getCode() == HttpURLConnection.HTTP_FORBIDDEN) {
            return "namespace " + namespace + ": the cluster does not let the agent " + what + " it: " + describe(e)
                    + ". Fix: apply the per-deployment RBAC (agent/rbac/setup.sh --per-deployment, see agent/rbac/README.md)";
        }
        return "namespace " + namespace + ": cannot " + what + " it: " + describe(e);
    }

    /** The API server's own message, one line. */
    static String describe(KubernetesClientException e) {
        String message = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
                : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}

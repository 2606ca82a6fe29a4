package dev.outpost.agent.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.agent.policy.ApplyPolicy;
import dev.outpost.protocol.fixtures.ReleaseFixture;
import dev.outpost.protocol.release.ContentHash;
import dev.outpost.protocol.release.ManifestTemplate;
import dev.outpost.protocol.release.Parameters;
import dev.outpost.protocol.v1.ApplyDeployment;
import dev.outpost.protocol.v1.Release;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DesiredStateBuilderTest {
    private static final KindCatalog CATALOG = (apiVersion, kind) -> switch (apiVersion + " " + kind) {
        case "v1 ConfigMap", "v1 Service", "v1 Secret", "apps/v1 StatefulSet", "apps/v1 Deployment" ->
                KindScope.NAMESPACED;
        case "v1 Namespace", "rbac.authorization.k8s.io/v1 ClusterRole" -> KindScope.CLUSTER;
        default -> KindScope.UNKNOWN;
    };
    private final DesiredStateBuilder builder = new DesiredStateBuilder(Set.of("shop", "shop-cache"), CATALOG);

    @Test
    void rendersLabelsAndPlacesTheRedisRelease() {
        ReleaseFixture redis = ReleaseFixture.redisV1();
        DesiredState state = builder.build("dep-1", 7, apply(redis, "shop", Map.of("replicas", "2")));

        assertThat(state.refs()).extracting(ObjectRef::toString)
                .containsExactly("ConfigMap/redis-config", "ConfigMap/redis-scripts", "Service/redis", "StatefulSet/redis");
        assertThat(state.refs()).extracting(ObjectRef::namespace).containsOnly("shop");
        GenericKubernetesResource statefulSet = state.objects().get(3);
        assertThat((Object) statefulSet.get("spec", "replicas")).isEqualTo(2);
        assertThat(statefulSet.getMetadata().getLabels())
                .containsEntry("outpost.dev/deployment", "dep-1")
                .containsEntry("app.kubernetes.io/managed-by", "outpost");
        assertThat(statefulSet.getMetadata().getAnnotations())
                .containsEntry("outpost.dev/generation", "7")
                .containsEntry("outpost.dev/content-hash", state.contentHash());

        Map<String, String> values = new HashMap<>(redis.defaults());
        values.put("replicas", "2");
        values.putAll(Parameters.builtIns("dep-1", "shop", "redis", "1.0.0"));
        assertThat(state.contentHash()).isEqualTo(ContentHash.of(ManifestTemplate.render(redis.manifests(), values)));
    }

    @Test
    void aReleaseTheCustomersPolicyRefusesFailsNamingTheDocumentContainerAndRule() {
        DesiredStateBuilder vendorOnly = new DesiredStateBuilder(Set.of("shop"), CATALOG,
                new ApplyPolicy(List.of("registry.vendor.example"), List.of(), Set.of(), Set.of()));

        assertThatThrownBy(() -> vendorOnly.build("dep-1", 1, apply(ReleaseFixture.redisV1(), "shop", Map.of())))
                .isInstanceOf(PlanException.class)
                .hasMessageMatching("document [0-9]+ \\(StatefulSet/redis\\): container 'redis' image redis:7.4 "
                        + "\\(docker.io/library/redis:7.4\\) is not from a registry this cluster's policy allows "
                        + "\\(--allowed-images registry.vendor.example\\)");
        DesiredStateBuilder noStatefulSets = new DesiredStateBuilder(Set.of("shop"), CATALOG,
                new ApplyPolicy(List.of(), List.of(), Set.of(), Set.of("StatefulSet")));
        assertThatThrownBy(() -> noStatefulSets.build("dep-1", 1, apply(ReleaseFixture.redisV1(), "shop", Map.of())))
                .hasMessageEndingWith("kind StatefulSet is denied by this cluster's policy (--denied-kinds StatefulSet)");
    }

    @Test
    void sameCommandGivesTheSameState() {
        DesiredState first = builder.build("dep-1", 1, apply(ReleaseFixture.redisV1(), "shop", Map.of()));
        DesiredState second = builder.build("dep-1", 1, apply(ReleaseFixture.redisV1(), "shop", Map.of()));
        assertThat(second).isEqualTo(first);
    }

    @Test
    void appliesConfigurationBeforeServicesBeforeWorkloadsKeepingReleaseOrderWithinATier() {
        String manifests = object("apps/v1", "Deployment", "web") + "---\n" + object("v1", "Service", "web")
                + "---\n" + object("v1", "Secret", "b") + "---\n" + object("v1", "ConfigMap", "a")
                + "---\n" + object("example.com/v1", "Widget", "w");
        KindCatalog all = (apiVersion, kind) -> KindScope.NAMESPACED;

        DesiredState state = new DesiredStateBuilder(Set.of("shop"), all).build("d", 1, apply(manifests, "shop"));

        assertThat(state.refs()).extracting(ObjectRef::toString)
                .containsExactly("Secret/b", "ConfigMap/a", "Service/web", "Deployment/web", "Widget/w");
    }

    @Test
    void keepsAnAllowedNamespaceTheObjectNames() {
        String manifests = object("v1", "ConfigMap", "a") + "  namespace: shop-cache\n";
        DesiredState state = builder.build("d", 1, apply(manifests, "shop"));
        assertThat(state.refs().getFirst().namespace()).isEqualTo("shop-cache");
    }

    @Test
    void refusesAnObjectInANamespaceOutsideTheAllowedSet() {
        String manifests = object("v1", "ConfigMap", "a") + "---\n" + object("v1", "Secret", "b")
                + "  namespace: kube-system\n";
        assertThatThrownBy(() -> builder.build("d", 1, apply(manifests, "shop")))
                .isInstanceOf(PlanException.class)
                .hasMessage("document 2 (Secret/b) names namespace 'kube-system', which this agent may not touch"
                        + " (allowed: shop, shop-cache)");
    }

    @Test
    void refusesACommandForANamespaceOutsideTheAllowedSet() {
        assertThatThrownBy(() -> builder.build("d", 1, apply(ReleaseFixture.redisV1(), "default", Map.of())))
                .isInstanceOf(PlanException.class)
                .hasMessageStartingWith("the command names namespace 'default', which this agent may not touch");
        assertThatThrownBy(() -> builder.build("d", 1, apply(ReleaseFixture.redisV1(), "", Map.of())))
                .hasMessage("the command names no namespace");
    }

    @Test
    void refusesClusterScopedAndUnknownKinds() {
        assertThatThrownBy(() -> builder.build("d", 1, apply(object("v1", "Namespace", "evil"), "shop")))
                .isInstanceOf(PlanException.class)
                .hasMessage("document 1 (Namespace/evil): Namespace is cluster-scoped;"
                        + " the agent only manages objects inside its allowed namespaces");
        assertThatThrownBy(() -> builder.build("d", 1, apply(object("example.com/v1", "Widget", "w"), "shop")))
                .hasMessage("document 1 (Widget/w): the cluster does not serve kind Widget in apiVersion example.com/v1");
    }

    @Test
    void refusesTheSameObjectTwice() {
        String manifests = object("v1", "ConfigMap", "a") + "---\n" + object("v1", "ConfigMap", "a");
        assertThatThrownBy(() -> builder.build("d", 1, apply(manifests, "shop")))
                .isInstanceOf(PlanException.class)
                .hasMessage("document 2 (ConfigMap/a) repeats the object of document 1");
    }

    @Test
    void namesMissingParameters() {
        ApplyDeployment apply = ApplyDeployment.newBuilder().setNamespace("shop").setRelease(Release.newBuilder()
                .setServiceName("redis").setVersion("1.0.0").setManifests(ReleaseFixture.redisV1().manifests())).build();
        assertThatThrownBy(() -> builder.build("d", 1, apply))
                .isInstanceOf(PlanException.class)
                .hasMessage("release redis 1.0.0 cannot be rendered: no value for parameter(s) maxmemory, name, replicas");
    }

    @Test
    void refusesParametersThatOnlyTheAgentMaySet() {
        ApplyDeployment apply = apply(ReleaseFixture.redisV1(), "shop", Map.of("outpost.namespace", "kube-system"));
        assertThatThrownBy(() -> builder.build("d", 1, apply))
                .isInstanceOf(PlanException.class)
                .hasMessageStartingWith("release redis 1.0.0 cannot be rendered: parameter 'outpost.namespace' is reserved");
    }

    @Test
    void refusesAReleaseWithoutObjects() {
        assertThatThrownBy(() -> builder.build("d", 1, apply("# empty\n", "shop")))
                .isInstanceOf(PlanException.class).hasMessage("release svc 1.0.0 renders to no objects");
    }

    @Test
    void refusesADeploymentIdThatIsNotALabelValue() {
        assertThatThrownBy(() -> builder.build("../etc", 1, apply(ReleaseFixture.redisV1(), "shop", Map.of())))
                .isInstanceOf(PlanException.class)
                .hasMessageContaining("deployment id '../etc' cannot be used as a Kubernetes label value");
    }

    private static ApplyDeployment apply(ReleaseFixture release, String namespace, Map<String, String> overrides) {
        return ApplyDeployment.newBuilder().setRelease(release.toProto("rel-1")).setNamespace(namespace)
                .putAllParameters(Parameters.merge(release.defaults(), overrides)).setReadyTimeoutSeconds(60).build();
    }

    private static ApplyDeployment apply(String manifests, String namespace) {
        return ApplyDeployment.newBuilder().setNamespace(namespace).setRelease(Release.newBuilder()
                .setServiceName("svc").setVersion("1.0.0").setManifests(manifests)).build();
    }

    private static String object(String apiVersion, String kind, String name) {
        return "apiVersion: " + apiVersion + "\nkind: " + kind + "\nmetadata:\n  name: " + name + "\n";
    }
}

package dev.outpost.hub.examples;

import static dev.outpost.hub.examples.Rendered.at;
import static dev.outpost.hub.examples.Rendered.mapAt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.LintResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example Redis chart (examples/redis/chart) rendered with helm-java, as a vendor would check it
 * before shipping: what each architecture creates, the per-component knobs, persistence and its
 * retention, autoscaling, the auth Secret, and the ServiceMonitor that needs its API.
 */
class RedisChartIT {

    private static final Path CHART = ExamplePackages.redis().resolve("chart");
    private static final String MASTER = "shop-redis-master";
    private static final String REPLICAS = "shop-redis-replicas";

    @TempDir
    Path work;

    @Test
    void lintsCleanWithItsLibraryChart() {
        for (Path chart : List.of(CHART, CHART.resolve("charts/outpost-common"))) {
            LintResult lint = HelmRender.lint(chart);

            assertThat(lint.isFailed()).as("lint of %s: %s", chart, lint.getMessages()).isFalse();
            // Only the advice that an icon is nice to have: no warning, no error.
            assertThat(lint.getMessages()).as("lint of %s", chart).allMatch(m -> m.startsWith("[INFO]"));
        }
    }

    @Test
    void standaloneIsOnePrimaryWithItsServices() {
        Rendered objects = render("architecture: standalone");

        assertThat(objects.kindCounts()).isEqualTo(Map.of("ConfigMap", 1, "Secret", 1, "Service", 2, "StatefulSet", 1));
        assertThat(at(objects.one("StatefulSet", MASTER), "spec.replicas")).isEqualTo(1);
        assertThat(objects.has("Service", "shop-redis-headless")).isTrue();
        assertThat(objects.has("StatefulSet", REPLICAS)).isFalse();
        assertThat(args(objects.one("StatefulSet", MASTER))).doesNotContain("--replicaof");
    }

    @Test
    void replicationAddsReplicasThatFollowThePrimary() {
        Rendered objects = render("""
                architecture: replication
                replica: {replicaCount: 3}
                """);

        assertThat(objects.kindCounts()).isEqualTo(Map.of("ConfigMap", 1, "Secret", 1, "Service", 3, "StatefulSet", 2));
        Map<String, Object> replicas = objects.one("StatefulSet", REPLICAS);
        assertThat(at(replicas, "spec.replicas")).isEqualTo(3);
        assertThat(at(objects.one("StatefulSet", MASTER), "spec.replicas")).isEqualTo(1);
        // The replicas find the primary by its pod's stable name behind the headless Service.
        assertThat(args(replicas)).containsSequence(
                "--replicaof", "shop-redis-master-0.shop-redis-headless.acme-redis.svc.cluster.local", "6379");
        assertThat(at(replicas, "spec.serviceName")).isEqualTo("shop-redis-headless");
        assertThat(selector(objects.one("Service", REPLICAS))).containsEntry("app.kubernetes.io/component", "replica");
        assertThat(selector(objects.one("Service", MASTER))).containsEntry("app.kubernetes.io/component", "master");
        assertThat(selector(objects.one("Service", "shop-redis-headless"))).doesNotContainKey("app.kubernetes.io/component");
    }

    @Test
    void theSameKnobIsSetApartForPrimaryAndReplicas() {
        Rendered objects = render("""
                architecture: replication
                master:
                  resources: {requests: {cpu: "1", memory: 2Gi}, limits: {cpu: "1", memory: 2Gi}}
                  nodeSelector: {disk: ssd}
                replica:
                  resources: {requests: {cpu: 250m, memory: 512Mi}, limits: {cpu: 500m, memory: 512Mi}}
                """);

        assertThat(at(redisContainer(objects.one("StatefulSet", MASTER)), "resources")).isEqualTo(Map.of(
                "requests", Map.of("cpu", "1", "memory", "2Gi"), "limits", Map.of("cpu", "1", "memory", "2Gi")));
        assertThat(at(redisContainer(objects.one("StatefulSet", REPLICAS)), "resources")).isEqualTo(Map.of(
                "requests", Map.of("cpu", "250m", "memory", "512Mi"), "limits", Map.of("cpu", "500m", "memory", "512Mi")));
        assertThat(at(objects.one("StatefulSet", MASTER), "spec.template.spec.nodeSelector")).isEqualTo(Map.of("disk", "ssd"));
        assertThat(at(objects.one("StatefulSet", REPLICAS), "spec.template.spec.nodeSelector")).isNull();
    }

    @Test
    void persistenceGivesClaimTemplatesOfTheSizeWithTheRetentionAsked() {
        Rendered objects = render("""
                architecture: replication
                master: {persistence: {enabled: true, size: 8Gi, retention: retain, storageClass: fast}}
                replica: {persistence: {enabled: true, size: 4Gi, retention: delete}}
                """);

        Map<String, Object> master = objects.one("StatefulSet", MASTER);
        assertThat(at(master, "spec.volumeClaimTemplates[0].spec.resources.requests.storage")).isEqualTo("8Gi");
        assertThat(at(master, "spec.volumeClaimTemplates[0].spec.storageClassName")).isEqualTo("fast");
        assertThat(at(master, "spec.persistentVolumeClaimRetentionPolicy"))
                .isEqualTo(Map.of("whenDeleted", "Retain", "whenScaled", "Retain"));
        Map<String, Object> replicas = objects.one("StatefulSet", REPLICAS);
        assertThat(at(replicas, "spec.volumeClaimTemplates[0].spec.resources.requests.storage")).isEqualTo("4Gi");
        assertThat(at(replicas, "spec.volumeClaimTemplates[0].spec.storageClassName")).isNull();
        assertThat(at(replicas, "spec.persistentVolumeClaimRetentionPolicy"))
                .isEqualTo(Map.of("whenDeleted", "Delete", "whenScaled", "Delete"));
        assertThat(volumeNames(master)).containsExactly("config");
        assertThat(redisConf(objects)).contains("appendonly yes");
    }

    @Test
    void theRetentionPolicyIsLeftOutWhereKubernetesLacksIt() {
        Rendered objects = HelmRender.render(CHART, "master: {persistence: {retention: delete}}", "v1.26.5", work);

        Map<String, Object> master = objects.one("StatefulSet", MASTER);
        assertThat(at(master, "spec.persistentVolumeClaimRetentionPolicy")).isNull();
        assertThat(at(master, "spec.volumeClaimTemplates[0].spec.resources.requests.storage")).isEqualTo("1Gi");
    }

    @Test
    void withoutPersistenceTheDataLivesInAnEmptyDir() {
        Rendered objects = render("""
                architecture: replication
                master: {persistence: {enabled: false}}
                replica: {persistence: {enabled: false}}
                """);

        for (String name : List.of(MASTER, REPLICAS)) {
            Map<String, Object> set = objects.one("StatefulSet", name);
            assertThat(at(set, "spec.volumeClaimTemplates")).as(name).isNull();
            assertThat(at(set, "spec.persistentVolumeClaimRetentionPolicy")).as(name).isNull();
            assertThat(volumeNames(set)).as(name).containsExactly("config", "data");
            assertThat(at(set, "spec.template.spec.volumes[1].emptyDir")).as(name).isEqualTo(Map.of());
        }
        assertThat(redisConf(objects)).contains("appendonly no").doesNotContain("appendonly yes");
    }

    @Test
    void autoscalingGivesAnHpaThatOwnsTheReplicaCount() {
        Rendered objects = render("""
                architecture: replication
                replica: {replicaCount: 2, autoscaling: {enabled: true, minReplicas: 2, maxReplicas: 6}}
                """);

        Map<String, Object> hpa = objects.one("HorizontalPodAutoscaler", REPLICAS);
        assertThat(hpa.get("apiVersion")).isEqualTo("autoscaling/v2");
        assertThat(at(hpa, "spec.minReplicas")).isEqualTo(2);
        assertThat(at(hpa, "spec.maxReplicas")).isEqualTo(6);
        assertThat(at(hpa, "spec.scaleTargetRef")).isEqualTo(Map.of("apiVersion", "apps/v1", "kind", "StatefulSet", "name", REPLICAS));
        // Left to the autoscaler: applying a count would undo every scale it makes.
        assertThat(mapAt(objects.one("StatefulSet", REPLICAS), "spec")).doesNotContainKey("replicas");
        assertThat(at(objects.one("StatefulSet", MASTER), "spec.replicas")).isEqualTo(1);
    }

    @Test
    void autoscalingNeedsReplicas() {
        Rendered standalone = render("""
                architecture: standalone
                replica: {autoscaling: {enabled: true}}
                """);
        Rendered fixed = render("architecture: replication");

        assertThat(standalone.ofKind("HorizontalPodAutoscaler")).isEmpty();
        assertThat(fixed.ofKind("HorizontalPodAutoscaler")).isEmpty();
        assertThat(at(fixed.one("StatefulSet", REPLICAS), "spec.replicas")).isEqualTo(2);
    }

    @Test
    void theAuthSecretHoldsThePasswordGivenAndOnlyIt() {
        String password = "pw-0123456789abcdef-given";
        String yaml = HelmRender.template(CHART, "architecture: replication\nauth: {password: " + password + "}",
                HelmRender.KUBE_VERSION, work);
        Rendered objects = Rendered.parse(yaml);

        Map<String, Object> secret = objects.one("Secret", "shop-redis-auth");
        String stored = (String) at(secret, "data.redis-password");
        assertThat(new String(Base64.getDecoder().decode(stored), StandardCharsets.UTF_8)).isEqualTo(password);
        // Pods read it from the Secret; it appears nowhere in clear.
        assertThat(yaml).doesNotContain(password);
        for (String name : List.of(MASTER, REPLICAS)) {
            assertThat(at(redisContainer(objects.one("StatefulSet", name)), "env[0].valueFrom.secretKeyRef"))
                    .isEqualTo(Map.of("name", "shop-redis-auth", "key", "redis-password"));
        }
    }

    @Test
    void anExistingSecretReplacesTheChartsOwn() {
        Rendered objects = render("auth: {existingSecret: \"{{ .Release.Name }}-vault-redis\"}");

        assertThat(objects.ofKind("Secret")).isEmpty();
        assertThat(at(redisContainer(objects.one("StatefulSet", MASTER)), "env[0].valueFrom.secretKeyRef.name"))
                .isEqualTo("shop-vault-redis");
    }

    @Test
    void aServiceMonitorOnlyWhereTheClusterServesItsApi() {
        String metrics = "architecture: replication\nmetrics: {enabled: true}\n";
        Rendered without = render(metrics + "global: {outpost: {apiVersions: [apps/v1, v1]}}");
        Rendered with = render(metrics + "global: {outpost: {apiVersions: [apps/v1, v1, monitoring.coreos.com/v1]}}");
        Rendered noExporter = render("global: {outpost: {apiVersions: [monitoring.coreos.com/v1]}}");

        assertThat(without.ofKind("ServiceMonitor")).isEmpty();
        assertThat(noExporter.ofKind("ServiceMonitor")).isEmpty();
        Map<String, Object> monitor = with.one("ServiceMonitor", "shop-redis");
        assertThat(at(monitor, "spec.endpoints[0].port")).isEqualTo("metrics");
        // The exporter it scrapes is there either way, with its port on the primary's and the replicas' Services.
        for (Rendered objects : List.of(without, with)) {
            assertThat(containerNames(objects.one("StatefulSet", REPLICAS))).containsExactly("redis", "metrics");
            assertThat(portNames(objects.one("Service", MASTER))).containsExactly("redis", "metrics");
            assertThat(portNames(objects.one("Service", REPLICAS))).containsExactly("redis", "metrics");
        }
        assertThat(containerNames(noExporter.one("StatefulSet", MASTER))).containsExactly("redis");
    }

    @Test
    void theServiceTypeIsEachComponentsOwn() {
        Rendered objects = render("""
                architecture: replication
                master: {service: {type: LoadBalancer}}
                replica: {service: {type: NodePort}}
                """);

        assertThat(at(objects.one("Service", MASTER), "spec.type")).isEqualTo("LoadBalancer");
        assertThat(at(objects.one("Service", REPLICAS), "spec.type")).isEqualTo("NodePort");
        assertThat(at(objects.one("Service", "shop-redis-headless"), "spec.clusterIP")).isEqualTo("None");
    }

    @Test
    void redisConfHoldsMaxMemoryAndTheExtraLinesRenderedWithTpl() {
        Rendered objects = render("""
                config:
                  maxMemory: 1536mb
                  extra: "# for {{ .Release.Name }}\\nmaxclients 2000"
                commonLabels: {team: "{{ .Release.Namespace }}-ops"}
                """);

        assertThat(redisConf(objects)).contains("maxmemory 1536mb", "# for shop", "maxclients 2000");
        assertThat(at(objects.one("StatefulSet", MASTER), "metadata.labels")).isInstanceOfSatisfying(Map.class,
                labels -> assertThat(labels).containsEntry("team", "acme-redis-ops"));
    }

    @Test
    void valuesThatCannotWorkAreRefusedNamingTheValue() {
        assertThatThrownBy(() -> render("architecture: cluster"))
                .hasMessageContaining("architecture must be standalone or replication, not \"cluster\"");
        assertThatThrownBy(() -> render("replica: {persistence: {retention: keep}}"))
                .hasMessageContaining("replica.persistence.retention must be delete or retain, not \"keep\"");
        assertThatThrownBy(() -> render("master: {service: {type: ExternalName}}"))
                .hasMessageContaining("master.service.type must be ClusterIP, NodePort or LoadBalancer");
        assertThatThrownBy(() -> render("architecture: replication\nreplica: {autoscaling: {enabled: true, minReplicas: 5, maxReplicas: 2}}"))
                .hasMessageContaining("replica.autoscaling.minReplicas (5) must not exceed maxReplicas (2)");
    }

    private Rendered render(String values) {
        return HelmRender.render(CHART, values, work);
    }

    static Map<String, Object> redisContainer(Map<String, Object> statefulSet) {
        @SuppressWarnings("unchecked")
        Map<String, Object> container = (Map<String, Object>) at(statefulSet, "spec.template.spec.containers[0]");
        assertThat(container.get("name")).isEqualTo("redis");
        return container;
    }

    @SuppressWarnings("unchecked")
    static List<String> args(Map<String, Object> statefulSet) {
        return ((List<Object>) redisContainer(statefulSet).get("args")).stream().map(String::valueOf).toList();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> selector(Map<String, Object> service) {
        return (Map<String, Object>) at(service, "spec.selector");
    }

    static String redisConf(Rendered objects) {
        return configData(objects).get("redis.conf");
    }

    @SuppressWarnings("unchecked")
    static Map<String, String> configData(Rendered objects) {
        return (Map<String, String>) at(objects.one("ConfigMap", "shop-redis-config"), "data");
    }

    static List<String> volumeNames(Map<String, Object> statefulSet) {
        return names(at(statefulSet, "spec.template.spec.volumes"));
    }

    static List<String> containerNames(Map<String, Object> statefulSet) {
        return names(at(statefulSet, "spec.template.spec.containers"));
    }

    static List<String> portNames(Map<String, Object> service) {
        return names(at(service, "spec.ports"));
    }

    private static List<String> names(Object list) {
        return ((List<?>) list).stream().map(item -> (String) ((Map<?, ?>) item).get("name")).toList();
    }
}

package dev.outpost.hub.packages.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ManifestParserTest {
    private static final String GOOD = """
            service: redis
            version: 1.0.0-rc.1
            description: Redis as a service
            parameters:
              type: object
              properties:
                replicas: {type: integer, default: 1}
            plans:
              small:
                values: {replicas: 1, since: 2024-01-01}
                quota: {requests.cpu: 2, limits.memory: 4Gi}
                containerDefaults: {cpu: 500m, memory: 512Mi}
              large: {}
            clusterScopedKinds: [ClusterRole]
            components:
              - name: pool
                infrastructure: {kind: nodePool, name: gpu, properties: {gpus: 1}}
              - name: redis
                dependsOn: [pool]
                gate: {timeoutSeconds: 90, http: {url: "http://redis:8080/healthz"}}
                chart:
                  path: ./charts/redis/
                  values: {replica: {replicaCount: "{{ plan.replicas }}"}}
              - name: migrate
                gate: {job: {name: migrate}}
                manifests: {path: manifests}
            """;

    @Test
    void aCompleteManifestParsesWithPlansInOrderAndDefaults() throws ManifestException {
        PackageManifest m = ManifestParser.parse(GOOD);

        assertThat(m.service()).isEqualTo("redis");
        assertThat(m.version()).isEqualTo("1.0.0-rc.1");
        assertThat(m.plans().keySet()).containsExactly("small", "large");
        assertThat(m.defaultPlan()).isEqualTo("small");
        PlanSpec small = m.plans().get("small");
        assertThat(small.values()).containsEntry("replicas", 1).containsEntry("since", "2024-01-01");
        assertThat(small.quota()).containsExactly(Map.entry("requests.cpu", "2"), Map.entry("limits.memory", "4Gi"));
        assertThat(small.containerDefaults()).containsEntry("cpu", "500m").containsEntry("memory", "512Mi");
        assertThat(m.clusterScopedKinds()).containsExactly("ClusterRole");

        ComponentSpec pool = m.components().get(0);
        assertThat(pool.work()).isEqualTo(new ComponentWork.Infrastructure("nodePool", "gpu", Map.of("gpus", 1)));
        assertThat(pool.gate()).isEqualTo(new GateSpec(300, null));
        ComponentSpec redis = m.components().get(1);
        assertThat(redis.dependsOn()).containsExactly("pool");
        assertThat(redis.gate()).isEqualTo(new GateSpec(90, new GateSpec.Http("http://redis:8080/healthz")));
        assertThat(((ComponentWork.Chart) redis.work()).path()).isEqualTo("charts/redis");
        ComponentSpec migrate = m.components().get(2);
        assertThat(migrate.gate()).isEqualTo(new GateSpec(300, new GateSpec.JobSucceeded("migrate")));
        assertThat(migrate.work()).isEqualTo(new ComponentWork.Manifests("manifests"));
    }

    @Test
    void aComponentWithoutAGateWaitsForItsWorkloads() throws ManifestException {
        PackageManifest m = ManifestParser.parse("""
                service: a
                version: 1.0.0
                plans: {default: {}}
                components: [{name: app, manifests: {path: m.yaml}}]
                """);

        assertThat(m.components().getFirst().gate()).isEqualTo(new GateSpec(300, new GateSpec.WorkloadsReady()));
        assertThat(m.parameters()).containsEntry("type", "object");
    }

    @Test
    void unknownKeysAreRefusedWithTheirPath() {
        assertThat(problems(GOOD.replace("values: {replica:", "valuez: {replica:").replace("large: {}", "large: {quotas: {}}")
                + "extra: 1\n"))
                .containsExactly(
                        "plans.large.quotas: unknown key (allowed here: values, quota, containerDefaults)",
                        "components[1].chart.valuez: unknown key (allowed here: path, values)",
                        "extra: unknown key (allowed here: service, version, description, parameters, plans, "
                                + "clusterScopedKinds, components)");
    }

    @Test
    void everyBadValueIsReportedAtOnce() {
        assertThat(problems("""
                service: My_Service
                version: "1.0"
                plans:
                  Small:
                    quota: {requests.cpu: lots}
                    containerDefaults: {gpu: 1}
                components:
                  - name: a
                    chart: {path: ../outside}
                    manifests: {path: m}
                  - name: a
                    dependsOn: [a]
                    gate: {timeoutSeconds: 0, workloadsReady: {}, job: {name: x}}
                    manifests: {path: m}
                  - name: pool
                    gate: {workloadsReady: {}}
                    infrastructure: {kind: vm, name: pool, properties: {nested: {a: 1}}}
                """)).containsExactly(
                "service: must be a DNS label (lower-case letters, digits and '-', at most 63)",
                "version: must be a semantic version such as 1.2.3",
                "plans.Small: plan names must be DNS labels",
                "plans.Small.quota.requests.cpu: must be a Kubernetes quantity such as 2, 500m or 4Gi",
                "plans.Small.containerDefaults.gpu: unknown key (allowed here: cpu, memory)",
                "components[0].chart.path: must be a relative path inside the package, without '..'",
                "components[0].manifests: a component has exactly one of chart, manifests or infrastructure "
                        + "(this one has chart and manifests)",
                "components[1].name: 'a' is used by another component",
                "components[1].dependsOn[0]: a component cannot depend on itself",
                "components[1].gate.timeoutSeconds: must be a whole number of seconds from 1 to 3600",
                "components[1].gate: has at most one of workloadsReady, job or http",
                "components[2].infrastructure.kind: must be nodePool or bucket",
                "components[2].infrastructure.properties.nested: must be a string, number or boolean",
                "components[2].gate: an infrastructure component's gate may set timeoutSeconds and http only");
    }

    @Test
    void theAgentsOwnStepNamesAreNotComponentNames() {
        assertThat(problems("""
                service: svc
                version: 1.0.0
                plans: {small: {}}
                components:
                  - name: namespace
                    manifests: {path: m}
                  - name: prune
                    manifests: {path: m}
                """)).containsExactly(
                "components[0].name: 'namespace' is the name of a step the agent adds to every plan; choose another",
                "components[1].name: 'prune' is the name of a step the agent adds to every plan; choose another");
    }

    @Test
    void requiredKeysAndTypesAreChecked() {
        assertThat(problems("description: 3\ncomponents: []\n")).containsExactly(
                "service: is required",
                "version: is required",
                "description: must be a string",
                "plans: is required",
                "components: must list at least one component");
    }

    @Test
    void invalidYamlAndDuplicateKeysAreRefused() {
        assertThat(problems("service: [unclosed")).singleElement().asString().startsWith("outpost.yaml: is not valid YAML");
        assertThat(problems("service: a\nservice: b\n")).singleElement().asString().contains("duplicate key service");
        assertThat(problems("- a list")).first().isEqualTo("outpost.yaml: must be a mapping");
    }

    private static List<String> problems(String yaml) {
        ManifestException e = catchThrowableOfType(ManifestException.class, () -> ManifestParser.parse(yaml));
        assertThat(e).as("must be refused").isNotNull();
        return e.problems();
    }
}

package dev.outpost.e2e.trust;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.e2e.support.Cleanup;
import dev.outpost.e2e.support.HubApi;
import dev.outpost.e2e.support.HubWithAgent;
import dev.outpost.e2e.support.Operations;
import dev.outpost.e2e.support.TestDatabase;
import dev.outpost.testcluster.KubeCluster;
import dev.outpost.testcluster.KubeClusterExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #12's customer-side policy, end to end: the customer starts the agent allowing only the
 * vendor's registry; a release whose image comes from elsewhere fails before anything reaches the
 * cluster, and the hub's operation carries the customer's reason; the same release from the vendor's
 * registry deploys.
 */
@ExtendWith(KubeClusterExtension.class)
class CustomerPolicyOnH2IT {
    private static final String MANIFESTS = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: web-config
            data:
              greeting: hello
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
            spec:
              replicas: 1
              selector:
                matchLabels:
                  app: web
              template:
                metadata:
                  labels:
                    app: web
                spec:
                  containers:
                    - name: app
                      image: {{ image }}
            """;

    @TempDir
    Path work;

    private final Cleanup cleanup = new Cleanup();

    @AfterEach
    void stopEverything() throws Exception {
        cleanup.close();
    }

    @Test
    void anImageFromAnotherRegistryIsRefusedWithTheCustomersReasonAndNothingIsApplied(KubeCluster cluster) {
        HubWithAgent s = HubWithAgent.start(cluster, TestDatabase.embeddedH2(), work, cleanup,
                List.of("--allowed-images", "registry.vendor.example", "--denied-kinds", "Secret"));
        HubApi admin = s.admin();
        String releaseId = admin.post("/api/v1/releases", Map.of("serviceName", "web-" + s.suffix(),
                "version", "1.0.0", "manifests", MANIFESTS, "defaultParameters", Map.of())).expect(201)
                .path("id").asText();

        JsonNode refused = admin.post("/api/v1/deployments", Map.of("environmentId", s.environmentId(),
                "releaseId", releaseId, "name", "web", "namespace", s.agentNamespace(),
                "parameters", Map.of("image", "docker.io/library/nginx:1.27"))).expect(202);
        JsonNode operation = Operations.awaitFinished(admin, refused.at("/operation/id").asText(), s.agent());

        assertThat(operation.path("status").asText()).isEqualTo("failed");
        assertThat(operation.path("failureReason").asText()).contains("(Deployment/web): container 'app' image "
                + "docker.io/library/nginx:1.27 (docker.io/library/nginx:1.27) is not from a registry this cluster's "
                + "policy allows (--allowed-images registry.vendor.example)");
        String refusedId = refused.at("/deployment/id").asText();
        // refused before the first object: not even the ConfigMap, which the policy allows, was applied
        assertThat(cluster.adminClient().configMaps().inAnyNamespace().withLabel("outpost.dev/deployment", refusedId)
                .list().getItems()).isEmpty();
        assertThat(cluster.adminClient().apps().deployments().inAnyNamespace()
                .withLabel("outpost.dev/deployment", refusedId).list().getItems()).isEmpty();

        JsonNode allowed = admin.post("/api/v1/deployments", Map.of("environmentId", s.environmentId(),
                "releaseId", releaseId, "name", "web-vendor", "namespace", s.agentNamespace(),
                "parameters", Map.of("image", "registry.vendor.example/web:1"))).expect(202);
        Operations.awaitSucceeded(admin, allowed.at("/operation/id").asText(), s.agent());
        assertThat(cluster.adminClient().apps().deployments().inAnyNamespace()
                .withLabel("outpost.dev/deployment", allowed.at("/deployment/id").asText()).list().getItems())
                .hasSize(1);
    }
}

package dev.outpost.e2e.telemetry;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.e2e.support.HubWithAgent;
import dev.outpost.e2e.support.Operations;
import dev.outpost.testcluster.KubeCluster;
import io.fabric8.kubernetes.api.model.Pod;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the log e2e test and benchmark share: deployments of a workload whose pods' logs are files
 * the test writes (kwok serves them through the real apiserver), and the hub's counts of their lines.
 */
final class ChattyWorkloads {
    private static final Duration PATIENCE = Duration.ofMinutes(3);
    private static final String MANIFESTS = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: {{ name }}
            spec:
              replicas: %d
              selector:
                matchLabels:
                  app: {{ name }}
              template:
                metadata:
                  labels:
                    app: {{ name }}
                spec:
                  containers:
                    - name: app
                      image: example.com/chatty:1
            """;

    private ChattyWorkloads() {
    }

    /** Creates {@code count} deployments of {@code replicas} pods each and waits for them to succeed; their ids. */
    static List<String> deploy(HubWithAgent s, int count, int replicas) {
        String releaseId = s.admin().post("/api/v1/releases", Map.of("serviceName", "chatty-" + s.suffix(),
                "version", "1.0.0", "manifests", MANIFESTS.formatted(replicas))).expect(201).path("id").asText();
        List<String> deployments = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            JsonNode created = s.admin().post("/api/v1/deployments", Map.of("environmentId", s.environmentId(),
                    "releaseId", releaseId, "name", "chatty-" + i, "namespace", s.agentNamespace(),
                    "parameters", Map.of("name", "chatty-" + i))).expect(202);
            deployments.add(created.path("deployment").path("id").asText());
            Operations.awaitSucceeded(s.admin(), created.path("operation").path("id").asText(), s.agent());
        }
        return deployments;
    }

    /** A writer for each running pod of the deployments, its file served as the pod's log (not started yet). */
    static List<PodLogWriter> writers(KubeCluster cluster, Path work, List<String> deployments, int replicas) {
        List<PodLogWriter> writers = new ArrayList<>();
        for (String deploymentId : deployments) {
            for (Pod pod : runningPods(cluster, deploymentId, replicas)) {
                String name = pod.getMetadata().getName();
                PodLogWriter writer = new PodLogWriter(name, work.resolve(name + ".log"));
                cluster.podLogsFromFile(pod.getMetadata().getNamespace(), name, writer.file());
                writers.add(writer);
            }
        }
        return writers;
    }

    private static List<Pod> runningPods(KubeCluster cluster, String deploymentId, int replicas) {
        List<Pod>[] pods = new List[1];
        await("pods of " + deploymentId + " run").atMost(PATIENCE).until(() -> {
            pods[0] = cluster.adminClient().pods().inAnyNamespace().withLabel("outpost.dev/deployment", deploymentId)
                    .list().getItems();
            return pods[0].size() == replicas
                    && pods[0].stream().allMatch(p -> "Running".equals(p.getStatus().getPhase()));
        });
        return pods[0];
    }

    /** Lines the hub stored and counted as dropped, over the deployments' sources. */
    record Totals(long stored, long dropped) {
        static Totals of(dev.outpost.e2e.support.HubApi admin, List<String> deployments) {
            long stored = 0;
            long dropped = 0;
            for (String deploymentId : deployments) {
                for (JsonNode source : admin.get("/api/v1/logs/sources?deploymentId=" + deploymentId).expect(200)
                        .path("items")) {
                    stored += source.path("storedLines").asLong();
                    dropped += source.path("droppedLines").asLong();
                }
            }
            return new Totals(stored, dropped);
        }
    }
}

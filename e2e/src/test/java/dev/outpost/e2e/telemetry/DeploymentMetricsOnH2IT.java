package dev.outpost.e2e.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.e2e.support.Cleanup;
import dev.outpost.e2e.support.HubApi;
import dev.outpost.e2e.support.HubWithAgent;
import dev.outpost.e2e.support.Operations;
import dev.outpost.e2e.support.TestDatabase;
import dev.outpost.testcluster.KubeCluster;
import dev.outpost.testcluster.KubeClusterExtension;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #9's metrics, end to end: an agent process samples a deployment kwok runs and the hub serves
 * it on its Prometheus endpoint (with the metric its workload forwards, scraped from the workload's
 * page) and in the deployment's health; the agent's own /metrics counts the command it ran, and its
 * own log reaches the hub.
 */
@ExtendWith(KubeClusterExtension.class)
class DeploymentMetricsOnH2IT {
    private static final Duration PATIENCE = Duration.ofMinutes(2);
    private static final String MANIFESTS = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
            spec:
              replicas: {{ replicas }}
              selector:
                matchLabels:
                  app: web
              template:
                metadata:
                  labels:
                    app: web
                  annotations:
                    outpost.dev/metrics-port: "{{ port }}"
                    outpost.dev/metrics-forward: e2e_requests_total
                spec:
                  hostNetwork: true
                  containers:
                    - name: app
                      image: example.com/web:1
            """;

    @TempDir
    Path work;

    private final Cleanup cleanup = new Cleanup();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stopEverything() throws Exception {
        cleanup.close();
    }

    @Test
    void readyReplicasReachThePrometheusEndpointAndTheHealthSummary(KubeCluster cluster) throws Exception {
        int agentPort;
        try (ServerSocket free = new ServerSocket(0)) {
            agentPort = free.getLocalPort();
        }
        HubWithAgent s = HubWithAgent.start(cluster, TestDatabase.embeddedH2(), work, cleanup,
                List.of("--metrics-sample-interval", "5s", "--metrics-address", "127.0.0.1:" + agentPort));
        HubApi admin = s.admin();
        String releaseId = admin.post("/api/v1/releases", Map.of("serviceName", "web-" + s.suffix(),
                "version", "1.0.0", "manifests", MANIFESTS, "defaultParameters", Map.of("replicas", "2", "port", "0")))
                .expect(201).path("id").asText();
        // the workload's own page (hostNetwork: kwok gives its pods 127.0.0.1, where the test serves it)
        CountingMetricsPage page = cleanup.track(new CountingMetricsPage());
        JsonNode created = admin.post("/api/v1/deployments", Map.of("environmentId", s.environmentId(),
                "releaseId", releaseId, "name", "web", "namespace", s.agentNamespace(),
                "parameters", Map.of("port", Integer.toString(page.port())))).expect(202);
        String deploymentId = created.path("deployment").path("id").asText();
        Operations.awaitSucceeded(admin, created.path("operation").path("id").asText(), s.agent());

        Pattern ready = Pattern.compile("outpost_deployment_ready_replicas\\{[^}]*deployment=\"" + deploymentId
                + "\"[^}]*workload=\"web\"[^}]*} ([0-9.]+)");
        await("2 ready replicas on the hub's Prometheus endpoint").atMost(PATIENCE).pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    HubApi.Text scrape = admin.getText("/api/v1/metrics/prometheus");
                    Matcher m = ready.matcher(scrape.body());
                    return scrape.status() == 200 && m.find() && Double.parseDouble(m.group(1)) == 2.0;
                });
        await("a healthy summary").atMost(PATIENCE).pollInterval(Duration.ofSeconds(1)).until(() ->
                admin.get("/api/v1/deployments/" + deploymentId + "/health").expect(200).path("verdict").asText()
                        .equals("healthy"));
        // the metric the workload forwards, per pod, with the deployment's labels and its own
        Pattern forwarded = Pattern.compile("e2e_requests_total\\{tenant=\"[^\"]+\",environment=\"" + s.environmentId()
                + "\",deployment=\"" + deploymentId + "\",pod=\"web-[^\"]+\",result=\"ok\"} ([0-9.]+)");
        await("the forwarded series of both pods on the hub's Prometheus endpoint").atMost(PATIENCE)
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> forwarded.matcher(admin.getText("/api/v1/metrics/prometheus").body()).results().count() == 2);
        // every series of a forwarded metric travels (the page's error count too), typed untyped
        assertThat(admin.getText("/api/v1/metrics/prometheus").body()).contains("# TYPE e2e_requests_total untyped")
                .containsPattern("e2e_requests_total\\{[^}]*deployment=\"" + deploymentId + "\"[^}]*result=\"error\"} 1000\n");
        // the agent's own log reaches the hub too, from its first line on, under the agent's id
        String agentId = admin.get("/api/v1/agents?environmentId=" + s.environmentId()).expect(200).get(0).path("id").asText();
        await("the agent's start line in its own log at the hub").atMost(PATIENCE).pollInterval(Duration.ofSeconds(1))
                .until(() -> admin.get("/api/v1/logs?pod=" + agentId + "&container=outpost-agent&contains=starting")
                        .expect(200).path("lines").size() == 1);
        JsonNode health = admin.get("/api/v1/deployments/" + deploymentId + "/health").expect(200);
        assertThat(health.at("/kubernetes/workloads/0/name").asText()).isEqualTo("web");
        assertThat(health.at("/kubernetes/pods/Running").asInt()).isEqualTo(2);
        assertThat(health.get("status").asText()).isEqualTo("ready");

        String agentMetrics = get("http://127.0.0.1:" + agentPort + "/metrics");
        assertThat(agentMetrics).contains("outpost_agent_hub_connected 1.0")
                .contains("outpost_agent_commands_finished_total{outcome=\"succeeded\"} 1.0")
                .contains("outpost_agent_custom_meter_problems_total 0.0");
        assertThat(get("http://127.0.0.1:" + agentPort + "/healthz")).startsWith("ok: cluster ready, hub connected");
    }

    private String get(String url) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(url + ": " + response.body()).isEqualTo(200);
        return response.body();
    }
}

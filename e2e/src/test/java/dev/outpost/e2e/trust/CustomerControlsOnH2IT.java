package dev.outpost.e2e.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.e2e.support.Cleanup;
import dev.outpost.e2e.support.HubApi;
import dev.outpost.e2e.support.HubWithAgent;
import dev.outpost.e2e.support.Operations;
import dev.outpost.e2e.support.ProjectPaths;
import dev.outpost.e2e.support.TestDatabase;
import dev.outpost.testcluster.KubeCluster;
import dev.outpost.testcluster.KubeClusterExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #12's customer-side controls, end to end: the customer starts the agent allowing only the
 * vendor's registry; a release whose image comes from elsewhere fails before anything reaches the
 * cluster, and the hub's operation carries the customer's reason; the same release from the vendor's
 * registry deploys. The agent's own ledger, read from its local port without the hub, shows both
 * commands, and its check finds a line edited on disk. The customer's pause switch refuses commands
 * with their reason and shows it as the agent's condition at the hub, until they resume. In approval
 * mode a command waits, shown at the hub, until the customer approves it on the agent, or rejects it
 * with a reason the hub shows.
 */
@ExtendWith(KubeClusterExtension.class)
class CustomerControlsOnH2IT {
    private static final ObjectMapper JSON = new ObjectMapper();
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
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stopEverything() throws Exception {
        cleanup.close();
    }

    @Test
    void anImageFromAnotherRegistryIsRefusedWithTheCustomersReasonAndTheLedgerShowsIt(KubeCluster cluster)
            throws Exception {
        int agentPort;
        try (ServerSocket free = new ServerSocket(0)) {
            agentPort = free.getLocalPort();
        }
        HubWithAgent s = HubWithAgent.start(cluster, TestDatabase.embeddedH2(), work, cleanup,
                List.of("--allowed-images", "registry.vendor.example", "--denied-kinds", "Secret",
                        "--metrics-address", "127.0.0.1:" + agentPort));
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

        String base = "http://127.0.0.1:" + agentPort;
        List<JsonNode> ledger = get(base + "/ledger").lines().map(CustomerControlsOnH2IT::json).toList();
        assertThat(ledger).extracting(e -> e.path("event").asText() + " " + e.path("deploymentId").asText())
                .containsExactly("received " + refusedId, "finished " + refusedId,
                        "received " + allowed.at("/deployment/id").asText(),
                        "finished " + allowed.at("/deployment/id").asText());
        assertThat(ledger.get(0).path("detail").asText()).contains("parameters image (values not recorded)")
                .doesNotContain("nginx");
        assertThat(ledger.get(1).path("detail").asText()).startsWith("failed").contains("--allowed-images");
        assertThat(ledger.get(3).path("detail").asText()).startsWith("succeeded");
        assertThat(json(get(base + "/ledger/verify")).path("valid").asBoolean()).isTrue();

        // someone with access to the volume rewrites history: the refusal becomes a success
        Path file = s.agentState().resolve("command-ledger.jsonl");
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        lines.set(1, lines.get(1).replace("\"detail\":\"failed", "\"detail\":\"succeeded"));
        Files.write(file, lines);
        JsonNode verdict = json(get(base + "/ledger/verify"));
        assertThat(verdict.path("valid").asBoolean()).isFalse();
        assertThat(verdict.path("brokenAtSeq").asLong()).isEqualTo(2);
        assertThat(verdict.path("reason").asText()).contains("was changed after it was written");
    }

    @Test
    void whilePausedByTheCustomerCommandsAreRefusedWithTheirReasonAndARetryAfterResumeDeploys(KubeCluster cluster)
            throws Exception {
        HubWithAgent s = HubWithAgent.start(cluster, TestDatabase.embeddedH2(), work, cleanup, List.of());
        HubApi admin = s.admin();
        String releaseId = admin.post("/api/v1/releases", Map.of("serviceName", "web-" + s.suffix(),
                "version", "1.0.0", "manifests", MANIFESTS, "defaultParameters", Map.of("image", "example.com/web:1")))
                .expect(201).path("id").asText();
        String agentId = admin.get("/api/v1/agents?environmentId=" + s.environmentId()).expect(200).get(0).path("id")
                .asText();

        assertThat(control("pause", "--state-dir", s.agentState().toString(), "--reason", "incident 42: change freeze"))
                .startsWith("paused:");

        JsonNode refused = admin.post("/api/v1/deployments", Map.of("environmentId", s.environmentId(),
                "releaseId", releaseId, "name", "web", "namespace", s.agentNamespace())).expect(202);
        JsonNode operation = Operations.awaitFinished(admin, refused.at("/operation/id").asText(), s.agent());
        assertThat(operation.path("status").asText()).isEqualTo("failed");
        assertThat(operation.path("failureReason").asText()).startsWith("refused: the customer paused this agent on ")
                .contains("(incident 42: change freeze)");
        assertThat(cluster.adminClient().configMaps().inAnyNamespace()
                .withLabel("outpost.dev/deployment", refused.at("/deployment/id").asText()).list().getItems()).isEmpty();
        // the hub shows the agent as the customer left it, with the reason
        await("the agent degraded by the pause").atMost(Duration.ofSeconds(60)).until(() ->
                admin.get("/api/v1/agents/" + agentId).expect(200).at("/condition/reason").asText()
                        .equals("paused by the customer: incident 42: change freeze"));

        assertThat(control("resume", "--state-dir", s.agentState().toString())).startsWith("resumed:");

        JsonNode retried = admin.post("/api/v1/operations/" + refused.at("/operation/id").asText() + "/retry", Map.of())
                .expect(202);
        Operations.awaitSucceeded(admin, retried.at("/operation/id").asText(), s.agent());
        await("the agent ready again").atMost(Duration.ofSeconds(60)).until(() ->
                admin.get("/api/v1/agents/" + agentId).expect(200).at("/condition/state").asText().equals("ready"));
    }

    @Test
    void inApprovalModeACommandWaitsUntilTheCustomerApprovesItAndARejectionFailsWithTheirReason(KubeCluster cluster)
            throws Exception {
        HubWithAgent s = HubWithAgent.start(cluster, TestDatabase.embeddedH2(), work, cleanup, List.of("--approval", "on"));
        HubApi admin = s.admin();
        String releaseId = admin.post("/api/v1/releases", Map.of("serviceName", "web-" + s.suffix(),
                "version", "1.0.0", "manifests", MANIFESTS, "defaultParameters", Map.of("image", "example.com/web:1")))
                .expect(201).path("id").asText();
        String state = s.agentState().toString();

        JsonNode approved = admin.post("/api/v1/deployments", Map.of("environmentId", s.environmentId(),
                "releaseId", releaseId, "name", "web", "namespace", s.agentNamespace())).expect(202);
        String approvedCommand = awaitHeld(admin, approved.at("/operation/id").asText());
        String deploymentId = approved.at("/deployment/id").asText();
        assertThat(control("approvals", "--state-dir", state)).startsWith(approvedCommand + "  held since ")
                .contains("deployment " + deploymentId).contains("release web-" + s.suffix() + " 1.0.0");
        // held: nothing of it reached the cluster
        assertThat(cluster.adminClient().configMaps().inAnyNamespace().withLabel("outpost.dev/deployment", deploymentId)
                .list().getItems()).isEmpty();

        assertThat(control("approve", approvedCommand, "--state-dir", state)).startsWith("approved:");
        Operations.awaitSucceeded(admin, approved.at("/operation/id").asText(), s.agent());
        assertThat(cluster.adminClient().configMaps().inAnyNamespace().withLabel("outpost.dev/deployment", deploymentId)
                .list().getItems()).hasSize(1);

        JsonNode rejected = admin.post("/api/v1/deployments", Map.of("environmentId", s.environmentId(),
                "releaseId", releaseId, "name", "web-two", "namespace", s.agentNamespace())).expect(202);
        String rejectedCommand = awaitHeld(admin, rejected.at("/operation/id").asText());
        assertThat(control("reject", rejectedCommand, "--state-dir", state, "--reason", "not during the audit"))
                .startsWith("rejected:");
        JsonNode failed = Operations.awaitFinished(admin, rejected.at("/operation/id").asText(), s.agent());
        assertThat(failed.path("status").asText()).isEqualTo("failed");
        assertThat(failed.path("failureReason").asText()).startsWith("rejected by the customer on ")
                .endsWith(": not during the audit");
        assertThat(cluster.adminClient().configMaps().inAnyNamespace()
                .withLabel("outpost.dev/deployment", rejected.at("/deployment/id").asText()).list().getItems()).isEmpty();
        assertThat(control("approvals", "--state-dir", state)).isEqualTo("no command waits for approval");
    }

    /** Waits until the hub shows the operation held for the customer's approval; answers the held command's id. */
    private static String awaitHeld(HubApi admin, String operationId) {
        String[] reason = new String[1];
        await("operation " + operationId + " held for approval").atMost(Duration.ofSeconds(60)).until(() -> {
            reason[0] = admin.get("/api/v1/operations/" + operationId).expect(200).path("waitingReason").asText("");
            return reason[0].startsWith("waiting for the customer's approval at agent ");
        });
        assertThat(admin.get("/api/v1/operations/" + operationId).expect(200).path("status").asText()).isEqualTo("pending");
        return reason[0].replaceAll(".*outpost-agent approve (\\S+)`.*", "$1");
    }

    /** Runs the agent jar's customer controls, as `kubectl exec` would in the agent's pod; answers its output. */
    private static String control(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(ProjectPaths.java(), "-Xmx32m", "-jar",
                ProjectPaths.agentJar().toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(output).isZero();
        return output.strip();
    }

    private String get(String url) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(url + ": " + response.body()).isEqualTo(200);
        return response.body();
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

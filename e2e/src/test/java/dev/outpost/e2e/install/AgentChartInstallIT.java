package dev.outpost.e2e.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.Release;
import dev.outpost.e2e.support.AgentProcess;
import dev.outpost.e2e.support.AgentsOnline;
import dev.outpost.e2e.support.ChildProcess;
import dev.outpost.e2e.support.Cleanup;
import dev.outpost.e2e.support.HubApi;
import dev.outpost.e2e.support.HubProcess;
import dev.outpost.e2e.support.Operations;
import dev.outpost.e2e.support.ProjectPaths;
import dev.outpost.e2e.support.TestDatabase;
import dev.outpost.testcluster.FreePorts;
import dev.outpost.testcluster.KubeCluster;
import dev.outpost.testcluster.KubeClusterExtension;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The customer's install as docs/charts.md describes it: {@code helm install} of charts/outpost-agent
 * (helm-java, Helm's own Go library) into the test cluster's real API server, with the hub address,
 * join token and CA fingerprint a vendor's hub handed out. Then the agent runs on what the chart made.
 *
 * <p>kwok does not run containers: the chart's pod would turn Running but nothing would execute in
 * it. So the agent runs as a process on the host, configured only from the chart's objects: the
 * Deployment's environment and arguments (the join token resolved from the chart's Secret, as the
 * kubelet would), and a token of the ServiceAccount the Deployment names, which the chart's RBAC is
 * bound to, in place of the token the pod would have mounted. Only what belongs to the pod's file
 * system and network is moved to the host: the state dir (the pod's claim) and the metrics address.
 *
 * <p>With that, a full deployment lifecycle works in the namespace the chart granted, and a release
 * that reaches beyond the chart's Role (a RoleBinding that would make the agent cluster-admin) is
 * refused by the API server itself (403 Forbidden): the hub reports the operation failed with the API
 * server's words, and nothing was bound.
 */
@ExtendWith(KubeClusterExtension.class)
class AgentChartInstallIT {
    private static final String PROXY_PASSWORD = "pr0xy-s3cret-" + UUID.randomUUID();
    private static final String RELEASE = "agent";
    private static final String FULLNAME = RELEASE + "-outpost-agent";
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    /** A small release: a ConfigMap and a Deployment using it. */
    private static final String WEB = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: {{ name }}-config
            data:
              greeting: %s
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: {{ name }}
            spec:
              replicas: 1
              selector:
                matchLabels:
                  app: {{ name }}
              template:
                metadata:
                  labels:
                    app: {{ name }}
                spec:
                  containers:
                    - name: web
                      image: example.com/web:%s
                      envFrom:
                        - configMapRef:
                            name: {{ name }}-config
            """;

    /** A release that would make the agent's ServiceAccount cluster-admin in the managed namespace. */
    private static final String ESCALATE = """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata:
              name: {{ name }}-admin
            roleRef:
              apiGroup: rbac.authorization.k8s.io
              kind: ClusterRole
              name: cluster-admin
            subjects:
              - kind: ServiceAccount
                name: %s
                namespace: %s
            """;

    @TempDir
    Path work;

    private final Cleanup cleanup = new Cleanup();

    @AfterEach
    void stopEverything() throws Exception {
        cleanup.close();
    }

    @Test
    void theChartsServiceAccountRunsADeploymentLifecycleAndTheApiServerRefusesWhatTheChartDidNotGrant(KubeCluster cluster)
            throws IOException {
        // Vendor: a hub whose gateway certificate names 127.0.0.1, a tenant, an environment, a join token.
        HubProcess hub = cleanup.track(new HubProcess(work.resolve("hub-data"), cleanup.track(TestDatabase.embeddedH2()),
                "opa_e2e-" + UUID.randomUUID()).withEnvironment(Map.of("OUTPOST_GRPC_HOSTNAMES", "localhost,127.0.0.1"))
                .start());
        HubApi admin = new HubApi(hub.baseUrl(), hub.adminToken());
        String tenantId = admin.post("/api/v1/tenants", Map.of("name", "acme-helm")).expect(201).path("id").asText();
        String environmentId = admin.post("/api/v1/environments", Map.of("tenantId", tenantId, "name", "prod",
                "cloud", "aws", "region", "eu-west-1", "clusterName", "acme-helm")).expect(201).path("id").asText();
        JsonNode joinToken = admin.post("/api/v1/environments/" + environmentId + "/join-tokens",
                Map.of("ttlSeconds", 600, "uses", 1)).expect(201);

        // Customer: helm install with the admin kubeconfig, into a namespace of its own, for one apps namespace.
        KubernetesClient kube = cluster.adminClient();
        String agentNamespace = cluster.newNamespace("outpost");
        String apps = cluster.newNamespace("acme-apps");
        Path values = Files.writeString(work.resolve("agent-values.yaml"), """
                hub:
                  address: "%s"
                  caHash: "%s"
                joinToken:
                  value: "%s"
                namespaces:
                  - %s
                """.formatted(hub.gatewayAddress(), joinToken.path("caFingerprint").asText(),
                joinToken.path("token").asText(), apps), StandardCharsets.UTF_8);
        Path kubeconfig = cluster.kubeconfig();
        Release installed = new Helm(ProjectPaths.root().resolve("charts/outpost-agent")).install()
                .withName(RELEASE).withNamespace(agentNamespace).withKubeConfig(kubeconfig).withValuesFile(values)
                .call();
        cleanup.<AutoCloseable>track(() -> Helm.uninstall(RELEASE).withNamespace(agentNamespace)
                .withKubeConfig(kubeconfig).call());
        assertThat(installed.getStatus()).isEqualTo("deployed");
        assertThat(installed.getNamespace()).isEqualTo(agentNamespace);

        // What the pod would get, read back from the chart's objects.
        Deployment deployment = kube.apps().deployments().inNamespace(agentNamespace).withName(FULLNAME).get();
        assertThat(deployment).as("the chart's Deployment").isNotNull();
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        Container container = pod.getContainers().getFirst();
        String serviceAccount = pod.getServiceAccountName();
        assertThat(serviceAccount).isEqualTo(FULLNAME);
        Map<String, String> environment = containerEnvironment(kube, agentNamespace, container);
        assertThat(environment).containsEntry("OUTPOST_HUB", hub.gatewayAddress())
                .containsEntry("OUTPOST_NAMESPACES", apps).containsEntry("OUTPOST_NAMESPACE_MODE", "existing")
                .containsEntry("OUTPOST_JOIN_TOKEN", joinToken.path("token").asText())
                .containsEntry("OUTPOST_CA_HASH", joinToken.path("caFingerprint").asText());
        // The pod's claim and its listening address become the host's.
        environment.put("OUTPOST_STATE_DIR", work.resolve("agent-state").toString());
        environment.put("OUTPOST_METRICS_ADDRESS", "127.0.0.1:" + FreePorts.next());
        // The token the pod would mount: the chart's ServiceAccount, bound only to the chart's Roles.
        Path agentKubeconfig = cluster.writeServiceAccountKubeconfig(agentNamespace, serviceAccount,
                work.resolve("agent-kubeconfig.yaml"));
        ChildProcess agent = cleanup.track(AgentProcess.startConfiguredBy("agent", environment,
                container.getArgs() == null ? List.of() : container.getArgs(), agentKubeconfig, work.resolve("agent.log")));

        JsonNode online = AgentsOnline.await(admin, environmentId, agent);
        assertThat(online.path("allowedNamespaces")).extracting(JsonNode::asText).containsExactly(apps);
        assertThat(online.path("condition").path("state").asText()).as(online.toString()).isEqualTo("ready");

        // The lifecycle in the granted namespace: create, upgrade, delete.
        String v1 = createRelease(admin, "web", "1.0.0", WEB.formatted("hello", "1"));
        String v2 = createRelease(admin, "web", "2.0.0", WEB.formatted("hello-again", "2"));
        JsonNode created = admin.post("/api/v1/deployments", Map.of("environmentId", environmentId, "releaseId", v1,
                "name", "web", "namespace", apps, "parameters", Map.of("name", "web"))).expect(202);
        String deploymentId = created.path("deployment").path("id").asText();
        Operations.awaitSucceeded(admin, created.path("operation").path("id").asText(), agent);
        assertThat(configMap(kube, apps, "web-config").getData()).containsEntry("greeting", "hello");
        assertThat(image(kube, apps, "web")).isEqualTo("example.com/web:1");
        assertThat(admin.get("/api/v1/deployments/" + deploymentId).expect(200).path("status").asText()).isEqualTo("ready");

        JsonNode upgrade = admin.patch("/api/v1/deployments/" + deploymentId, Map.of("releaseId", v2)).expect(202);
        Operations.awaitSucceeded(admin, upgrade.path("operation").path("id").asText(), agent);
        assertThat(configMap(kube, apps, "web-config").getData()).containsEntry("greeting", "hello-again");
        assertThat(image(kube, apps, "web")).isEqualTo("example.com/web:2");
        JsonNode upgraded = admin.get("/api/v1/deployments/" + deploymentId).expect(200);
        assertThat(upgraded.path("releaseId").asText()).isEqualTo(v2);
        assertThat(upgraded.path("status").asText()).isEqualTo("ready");

        JsonNode deletion = admin.delete("/api/v1/deployments/" + deploymentId).expect(202);
        Operations.awaitSucceeded(admin, deletion.path("operation").path("id").asText(), agent);
        await("the release's objects gone").atMost(PATIENCE).until(() ->
                kube.configMaps().inNamespace(apps).withName("web-config").get() == null
                        && kube.apps().deployments().inNamespace(apps).withName("web").get() == null);
        assertThat(admin.get("/api/v1/deployments/" + deploymentId).expect(200).path("status").asText()).isEqualTo("deleted");

        // Beyond the chart's Role: the API server refuses, and the hub says so with the API server's words.
        String escalate = createRelease(admin, "escalate", "1.0.0", ESCALATE.formatted(serviceAccount, agentNamespace));
        JsonNode attempt = admin.post("/api/v1/deployments", Map.of("environmentId", environmentId,
                "releaseId", escalate, "name", "escalate", "namespace", apps, "parameters", Map.of("name", "grab"))).expect(202);
        JsonNode refused = Operations.awaitFinished(admin, attempt.path("operation").path("id").asText(), agent);
        assertThat(refused.path("status").asText()).as(refused.toString()).isEqualTo("failed");
        System.out.printf("[e2e] the hub reports the refused operation: %s%n", refused.path("failureReason").asText());
        assertThat(refused.path("failureReason").asText()).as(refused.toString())
                .contains("refused by the API server (403 Forbidden)")
                .contains("rolebindings.rbac.authorization.k8s.io \"grab-admin\" is forbidden")
                .contains("User \"system:serviceaccount:" + agentNamespace + ":" + serviceAccount + "\"")
                .contains("in the namespace \"" + apps + "\"");
        assertThat(admin.get("/api/v1/deployments/" + attempt.path("deployment").path("id").asText()).expect(200)
                .path("status").asText()).isEqualTo("failed");
        assertThat(kube.rbac().roleBindings().inNamespace(apps).withName("grab-admin").get()).as("the RoleBinding").isNull();
        // The agent carries on: still online and ready.
        JsonNode after = admin.get("/api/v1/agents/" + online.path("id").asText()).expect(200);
        assertThat(after.path("status").asText()).isEqualTo("online");
        assertThat(after.path("condition").path("state").asText()).isEqualTo("ready");
    }

    /**
     * Behind a corporate egress proxy: the chart's {@code proxy.httpsProxy} reaches the agent as the
     * JVM's proxy settings, and its connection to the hub (enrolment, then the mTLS stream) goes through
     * the proxy with CONNECT, end to end TLS; the API server, in {@code proxy.noProxy}, is reached directly.
     * The hub is dialled by a name only the proxy resolves (to loopback), as a corporate proxy resolves
     * outside names: the JVM never proxies a loopback address, whatever its no-proxy list says. The
     * proxy wants Basic credentials, which come from the customer's Secret ({@code proxy.credentialsSecret}).
     */
    @Test
    void theChartsProxySettingsCarryTheAgentsHubConnectionThroughTheProxy(KubeCluster cluster) throws IOException {
        HubProcess hub = cleanup.track(new HubProcess(work.resolve("hub-data"), cleanup.track(TestDatabase.embeddedH2()),
                "opa_e2e-" + UUID.randomUUID()).withEnvironment(Map.of("OUTPOST_GRPC_HOSTNAMES", "localhost,hub.outpost.test"))
                .start());
        HubApi admin = new HubApi(hub.baseUrl(), hub.adminToken());
        String tenantId = admin.post("/api/v1/tenants", Map.of("name", "acme-proxy")).expect(201).path("id").asText();
        String environmentId = admin.post("/api/v1/environments", Map.of("tenantId", tenantId, "name", "prod",
                "cloud", "aws", "region", "eu-west-1", "clusterName", "acme-proxy")).expect(201).path("id").asText();
        JsonNode joinToken = admin.post("/api/v1/environments/" + environmentId + "/join-tokens",
                Map.of("ttlSeconds", 600, "uses", 1)).expect(201);
        String hubAddress = "hub.outpost.test:" + hub.gatewayAddress().substring(hub.gatewayAddress().lastIndexOf(':') + 1);
        ConnectProxy proxy = cleanup.track(new ConnectProxy(true, Map.of("hub.outpost.test", "127.0.0.1"),
                "outpost-agent:" + PROXY_PASSWORD));

        String agentNamespace = cluster.newNamespace("outpost");
        String apps = cluster.newNamespace("acme-apps");
        cluster.adminClient().secrets().inNamespace(agentNamespace).resource(new SecretBuilder().withNewMetadata()
                .withName("proxy-login").endMetadata().addToStringData("username", "outpost-agent")
                .addToStringData("password", PROXY_PASSWORD).build()).create();
        Path values = Files.writeString(work.resolve("proxy-values.yaml"), """
                hub: {address: "%s", caHash: "%s"}
                joinToken: {value: "%s"}
                namespaces: [%s]
                proxy: {httpsProxy: "http://127.0.0.1:%d", credentialsSecret: proxy-login}
                """.formatted(hubAddress, joinToken.path("caFingerprint").asText(), joinToken.path("token").asText(), apps,
                proxy.port()), StandardCharsets.UTF_8);
        new Helm(ProjectPaths.root().resolve("charts/outpost-agent")).install().withName(RELEASE)
                .withNamespace(agentNamespace).withKubeConfig(cluster.kubeconfig()).withValuesFile(values).call();
        cleanup.<AutoCloseable>track(() -> Helm.uninstall(RELEASE).withNamespace(agentNamespace)
                .withKubeConfig(cluster.kubeconfig()).call());
        KubernetesClient kube = cluster.adminClient();
        Container container = kube.apps().deployments().inNamespace(agentNamespace).withName(FULLNAME).get()
                .getSpec().getTemplate().getSpec().getContainers().getFirst();
        Map<String, String> environment = containerEnvironment(kube, agentNamespace, container);
        assertThat(environment.get("JAVA_TOOL_OPTIONS")).contains("-Dhttps.proxyHost=127.0.0.1",
                "-Dhttps.proxyPort=" + proxy.port());
        assertThat(environment.get("NO_PROXY")).contains("127.0.0.1");
        environment.put("OUTPOST_STATE_DIR", work.resolve("proxied-agent-state").toString());
        environment.put("OUTPOST_METRICS_ADDRESS", "127.0.0.1:" + FreePorts.next());
        Path agentKubeconfig = cluster.writeServiceAccountKubeconfig(agentNamespace, FULLNAME,
                work.resolve("proxied-agent-kubeconfig.yaml"));

        ChildProcess agent = cleanup.track(AgentProcess.startConfiguredBy("proxied-agent", environment,
                container.getArgs() == null ? List.of() : container.getArgs(), agentKubeconfig,
                work.resolve("proxied-agent.log")));

        JsonNode online = AgentsOnline.await(admin, environmentId, agent);
        assertThat(online.path("condition").path("state").asText()).as(online.toString()).isEqualTo("ready");
        // enrolment and the stream both asked the proxy for the hub, with the credentials; nothing else went through it
        assertThat(proxy.requested()).isNotEmpty().containsOnly(hubAddress);
        assertThat(proxy.unauthorized()).isZero();
        assertThat(agent.output()).contains("Answering the egress proxy's authentication as outpost-agent")
                .doesNotContain(PROXY_PASSWORD);
    }

    /**
     * The container's environment as the kubelet would give it: plain values as they are, a
     * {@code secretKeyRef} resolved from the Secret (absent when an optional Secret or key is missing).
     */
    private static Map<String, String> containerEnvironment(KubernetesClient kube, String namespace, Container container) {
        Map<String, String> environment = new LinkedHashMap<>();
        for (EnvVar variable : container.getEnv()) {
            if (variable.getValueFrom() == null) {
                environment.put(variable.getName(), variable.getValue() == null ? "" : variable.getValue());
                continue;
            }
            SecretKeySelector ref = variable.getValueFrom().getSecretKeyRef();
            assertThat(ref).as("%s comes from a Secret", variable.getName()).isNotNull();
            var secret = kube.secrets().inNamespace(namespace).withName(ref.getName()).get();
            if (secret != null && secret.getData() != null && secret.getData().containsKey(ref.getKey())) {
                environment.put(variable.getName(), new String(Base64.getDecoder().decode(secret.getData().get(ref.getKey())),
                        StandardCharsets.UTF_8));
            } else {
                assertThat(ref.getOptional()).as("Secret %s/%s is missing and not optional", ref.getName(), ref.getKey())
                        .isTrue();
            }
        }
        return environment;
    }

    private static String createRelease(HubApi admin, String service, String version, String manifests) {
        return admin.post("/api/v1/releases", Map.of("serviceName", service, "version", version, "manifests", manifests))
                .expect(201).path("id").asText();
    }

    private static ConfigMap configMap(KubernetesClient kube, String namespace, String name) {
        ConfigMap configMap = kube.configMaps().inNamespace(namespace).withName(name).get();
        assertThat(configMap).as("ConfigMap %s/%s", namespace, name).isNotNull();
        return configMap;
    }

    private static String image(KubernetesClient kube, String namespace, String name) {
        Deployment deployment = kube.apps().deployments().inNamespace(namespace).withName(name).get();
        assertThat(deployment).as("Deployment %s/%s", namespace, name).isNotNull();
        return deployment.getSpec().getTemplate().getSpec().getContainers().getFirst().getImage();
    }
}

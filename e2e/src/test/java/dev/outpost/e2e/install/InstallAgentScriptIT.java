package dev.outpost.e2e.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.e2e.install.InstallerScripts.Run;
import dev.outpost.e2e.support.AgentProcess;
import dev.outpost.e2e.support.ChildProcess;
import dev.outpost.e2e.support.Cleanup;
import dev.outpost.e2e.support.HubApi;
import dev.outpost.e2e.support.HubProcess;
import dev.outpost.e2e.support.TestDatabase;
import dev.outpost.testcluster.KubeCluster;
import dev.outpost.testcluster.KubeClusterExtension;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * installer-scripts/install-agent.sh and uninstall-agent.sh run as a user runs them (bash, kubectl,
 * KUBECONFIG) against a real API server. kwok runs no containers but marks the agent's pod Ready once
 * its state claim is bound, so the rollout wait succeeds; each test makes a PersistentVolume for the
 * claim (the test cluster has no provisioner). The hub is a listening socket on loopback, or a real
 * hub process where the script waits for the agent to come online.
 */
@ExtendWith(KubeClusterExtension.class)
class InstallAgentScriptIT {
    private static final String TOKEN = "abcdef.0123456789abcdef";
    private static final String CA_HASH = "sha256:" + "ab12".repeat(16);
    private static final String NAME = "outpost-agent";

    private final KubeCluster cluster;
    private final KubernetesClient admin;
    private final Cleanup cleanup = new Cleanup();
    private ServerSocket hub;

    @TempDir
    Path work;

    InstallAgentScriptIT(KubeCluster cluster) {
        this.cluster = cluster;
        this.admin = cluster.adminClient();
    }

    @BeforeEach
    void listen() throws IOException {
        hub = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void close() throws Exception {
        hub.close();
        cleanup.close();
    }

    @Test
    void installsEverythingThenASecondRunChangesNothing() {
        String agentNs = freshName("agent");
        String apps = cluster.newNamespace("apps");
        String data = cluster.newNamespace("data");
        volumeFor(agentNs);

        Run first = install(agentNs, "--namespaces", apps + "," + data);

        assertThat(first.exit()).as(first.output()).isZero();
        assertThat(first.output()).contains("Preflight passed.")
                .contains("  ok      hub 127.0.0.1:" + hub.getLocalPort() + " reachable from here")
                .contains("  created    Namespace/" + agentNs)
                .contains("  created    Deployment/outpost-agent in " + agentNs)
                .contains("  created    Secret/outpost-agent-join-token in " + agentNs)
                .contains("  created    Role/outpost-agent in " + apps)
                .contains("  created    RoleBinding/outpost-agent in " + data)
                .contains("deployment \"outpost-agent\" successfully rolled out")
                .contains("Done: the Outpost agent is installed in namespace " + agentNs)
                .doesNotContain(TOKEN);
        Deployment deployment = admin.apps().deployments().inNamespace(agentNs).withName(NAME).get();
        Map<String, String> env = deployment.getSpec().getTemplate().getSpec().getContainers().getFirst().getEnv().stream()
                .filter(e -> e.getValue() != null).collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
        assertThat(env).containsEntry("OUTPOST_HUB", "127.0.0.1:" + hub.getLocalPort())
                .containsEntry("OUTPOST_CA_HASH", CA_HASH)
                .containsEntry("OUTPOST_NAMESPACES", apps + "," + data)
                .containsEntry("OUTPOST_NAMESPACE_MODE", "existing");
        assertThat(admin.secrets().inNamespace(agentNs).withName("outpost-agent-join-token").get().getData())
                .containsEntry("token", java.util.Base64.getEncoder().encodeToString(TOKEN.getBytes(StandardCharsets.UTF_8)));
        assertThat(admin.namespaces().withName(agentNs).get().getMetadata().getLabels())
                .containsEntry("outpost.dev/installed-by", "outpost-installer");
        Map<String, String> versions = versions(agentNs, apps, data);
        assertThat(versions).hasSize(10);

        Run second = install(agentNs, "--namespaces", apps + "," + data);

        assertThat(second.exit()).as(second.output()).isZero();
        assertThat(second.output()).contains("  unchanged  Deployment/outpost-agent in " + agentNs)
                .contains("  unchanged  NetworkPolicy/outpost-agent in " + agentNs)
                .contains("  unchanged  Role/outpost-agent in " + apps)
                .doesNotContain("  created ").doesNotContain("  configured ");
        assertThat(versions(agentNs, apps, data)).isEqualTo(versions);
    }

    @Test
    void aDryRunShowsThePlanAndChangesNothing() {
        String agentNs = freshName("dry");
        String apps = cluster.newNamespace("apps");

        Run dry = install(agentNs, "--namespaces", apps, "--dry-run");

        assertThat(dry.exit()).as(dry.output()).isZero();
        assertThat(dry.output()).contains("(dry run: nothing is changed)").contains("Preflight passed.")
                .contains("  would create          Namespace/" + agentNs)
                .contains("  would create          Deployment/outpost-agent in " + agentNs)
                .contains("  would create          Role/outpost-agent in " + apps)
                .contains("Dry run: nothing was changed.")
                .doesNotContain(TOKEN);
        assertThat(admin.namespaces().withName(agentNs).get()).isNull();
        assertThat(admin.rbac().roles().inNamespace(apps).list().getItems()).isEmpty();
        assertThat(admin.rbac().roleBindings().inNamespace(apps).list().getItems()).isEmpty();
    }

    @Test
    void anInstallerWithoutThePermissionsFailsThePreflightNamingEachAndChangesNothing() {
        String own = cluster.newNamespace("installer");
        admin.serviceAccounts().inNamespace(own).resource(new ServiceAccountBuilder().withNewMetadata()
                .withName("nobody").endMetadata().build()).create();
        Path kubeconfig = cluster.writeServiceAccountKubeconfig(own, "nobody", work.resolve("nobody.kubeconfig"));
        String agentNs = freshName("agent");
        String apps = cluster.newNamespace("apps");

        Run run = run(kubeconfig, "install-agent.sh", installArgs(agentNs, "--namespaces", apps));

        assertThat(run.exit()).as(run.output()).isEqualTo(3);
        assertThat(run.output())
                .contains("  ok      cluster reachable")
                .contains("  FAILED  you may not get, create, patch deployments.apps in namespace " + agentNs)
                .contains("  FAILED  you may not get, create, patch secrets in namespace " + agentNs)
                .contains("  FAILED  you may not get, create, patch roles.rbac.authorization.k8s.io in namespace " + apps)
                .contains("  FAILED  you may not get, create, patch rolebindings.rbac.authorization.k8s.io in namespace " + apps)
                .contains("-> fix: run the installer as someone who may (a cluster admin), or have one grant you get, create, patch on roles.rbac.authorization.k8s.io in namespace " + apps)
                .contains("Preflight failed:").contains("Nothing was changed.")
                .doesNotContain(TOKEN);
        assertThat(admin.namespaces().withName(agentNs).get()).isNull();
        assertThat(admin.rbac().roles().inNamespace(apps).list().getItems()).isEmpty();
    }

    @Test
    void anUnreachableHubFailsThePreflight() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        String agentNs = freshName("agent");
        String apps = cluster.newNamespace("apps");
        List<String> args = new ArrayList<>(installArgs(agentNs, "--namespaces", apps));
        args.set(args.indexOf("--hub") + 1, "127.0.0.1:" + closed);

        Run run = run(cluster.kubeconfig(), "install-agent.sh", args);

        assertThat(run.exit()).as(run.output()).isEqualTo(3);
        assertThat(run.output())
                .contains("  FAILED  cannot connect to the hub at 127.0.0.1:" + closed + ": Connection refused")
                .contains("-> fix: check --hub (the gateway's HOST:PORT from the join-token answer), DNS and firewalls")
                .contains("Nothing was changed.");
        assertThat(admin.namespaces().withName(agentNs).get()).isNull();
    }

    @Test
    void behindAProxyTheHubIsCheckedThroughItAndTheAgentGetsTheProxySettings() throws Exception {
        ConnectProxy proxy = cleanup.track(new ConnectProxy(true));
        String agentNs = cluster.newNamespace("proxied");
        String apps = cluster.newNamespace("apps");
        volumeFor(agentNs);
        String proxyUrl = "http://127.0.0.1:" + proxy.port();

        // Proxy credentials the customer keeps in a Secret: a missing one fails the preflight.
        Run noSecret = install(agentNs, "--namespaces", apps, "--https-proxy", proxyUrl,
                "--proxy-credentials-secret", "proxy-login");
        assertThat(noSecret.exit()).as(noSecret.output()).isEqualTo(3);
        assertThat(noSecret.output()).contains("  FAILED  Secret proxy-login not found in namespace " + agentNs)
                .contains("-> fix: kubectl -n " + agentNs + " create secret generic proxy-login --from-literal=username=");
        admin.secrets().inNamespace(agentNs).resource(new io.fabric8.kubernetes.api.model.SecretBuilder()
                .withNewMetadata().withName("proxy-login").endMetadata()
                .addToStringData("username", "acme").addToStringData("password", "s3cret-proxy").build()).create();

        Run run = install(agentNs, "--namespaces", apps, "--https-proxy", proxyUrl, "--no-proxy", "localhost,.svc,10.0.0.0/24",
                "--proxy-credentials-secret", "proxy-login", "--allowed-images", "registry.vendor.example,ghcr.io/vendor/",
                "--denied-kinds", "Secret");

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output()).contains("  ok      hub 127.0.0.1:" + hub.getLocalPort()
                + " reachable from here through the proxy 127.0.0.1:" + proxy.port());
        assertThat(proxy.requested()).contains("127.0.0.1:" + hub.getLocalPort());
        Map<String, String> env = admin.apps().deployments().inNamespace(agentNs).withName(NAME).get().getSpec().getTemplate()
                .getSpec().getContainers().getFirst().getEnv().stream().filter(e -> e.getValue() != null)
                .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
        assertThat(env).containsEntry("HTTPS_PROXY", proxyUrl).containsEntry("NO_PROXY", "localhost,.svc,10.0.0.0/24")
                .containsEntry("OUTPOST_ALLOWED_IMAGES", "registry.vendor.example,ghcr.io/vendor/")
                .containsEntry("OUTPOST_DENIED_KINDS", "Secret")
                .doesNotContainKeys("OUTPOST_DENIED_IMAGES", "OUTPOST_ALLOWED_KINDS");
        assertThat(admin.apps().deployments().inNamespace(agentNs).withName(NAME).get().getSpec().getTemplate().getSpec()
                .getContainers().getFirst().getEnv()).filteredOn(e -> e.getName().startsWith("OUTPOST_PROXY_"))
                .extracting(e -> e.getName() + "=" + e.getValueFrom().getSecretKeyRef().getName() + "/"
                        + e.getValueFrom().getSecretKeyRef().getKey())
                .containsExactly("OUTPOST_PROXY_USERNAME=proxy-login/username", "OUTPOST_PROXY_PASSWORD=proxy-login/password");
        assertThat(env.get("JAVA_TOOL_OPTIONS")).endsWith("-Dhttps.proxyHost=127.0.0.1 -Dhttps.proxyPort=" + proxy.port()
                + " -Dhttp.nonProxyHosts=localhost|*.svc");
        assertThat(admin.network().networkPolicies().inNamespace(agentNs).withName(NAME).get().getSpec().getEgress().get(2)
                .getPorts()).extracting(p -> p.getPort().getIntVal()).containsExactly(hub.getLocalPort(), proxy.port());

        // A proxy that refuses the hub: the preflight says what the proxy answered.
        ConnectProxy refusing = cleanup.track(new ConnectProxy(false));
        Run refused = install(agentNs, "--namespaces", apps, "--https-proxy", "http://127.0.0.1:" + refusing.port());

        assertThat(refused.exit()).as(refused.output()).isEqualTo(3);
        assertThat(refused.output())
                .contains("  FAILED  cannot connect to the hub at 127.0.0.1:" + hub.getLocalPort()
                        + ": the proxy answered 'HTTP/1.1 403 Forbidden' to CONNECT 127.0.0.1:" + hub.getLocalPort())
                .contains("-> fix: check --https-proxy");
    }

    @Test
    void aStorageClassGoesToTheStateClaimAndAMissingOneFailsThePreflight() {
        String agentNs = freshName("sc");
        String apps = cluster.newNamespace("apps");
        String storageClass = "installer-" + agentNs;
        admin.storage().v1().storageClasses().resource(new io.fabric8.kubernetes.api.model.storage.StorageClassBuilder()
                .withNewMetadata().withName(storageClass).endMetadata()
                .withProvisioner("kubernetes.io/no-provisioner").withVolumeBindingMode("Immediate").build()).create();
        volumeFor(agentNs, storageClass);

        Run run = install(agentNs, "--namespaces", apps, "--storage-class", storageClass);

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output()).contains("  ok      StorageClass " + storageClass + " exists");
        assertThat(admin.persistentVolumeClaims().inNamespace(agentNs).withName(NAME + "-state").get().getSpec()
                .getStorageClassName()).isEqualTo(storageClass);

        Run missing = install(freshName("sc"), "--namespaces", apps, "--storage-class", "no-such-class");

        assertThat(missing.exit()).as(missing.output()).isEqualTo(3);
        assertThat(missing.output()).contains("  FAILED  StorageClass no-such-class does not exist")
                .contains("-> fix: pass one that does (kubectl get storageclass lists them)");
    }

    @Test
    void aClaimThatNeverBindsTimesOutNamingTheCause() {
        String agentNs = freshName("nopv");
        String apps = cluster.newNamespace("apps");

        Run run = install(agentNs, "--namespaces", apps, "--timeout", "3s");

        assertThat(run.exit()).as(run.output()).isEqualTo(5);
        assertThat(run.output())
                .contains("  WARN    no default StorageClass")
                .contains("pass --storage-class NAME")
                .contains("  FAILED  the agent's Deployment did not become ready within 3s")
                .contains("the state claim outpost-agent-state is Pending")
                .contains("fix: rerun with --storage-class NAME");
    }

    @Test
    void uninstallRemovesTheAgentButKeepsItsStateUntilPurged() {
        String agentNs = freshName("agent");
        String apps = cluster.newNamespace("apps");
        volumeFor(agentNs);
        Run installed = install(agentNs, "--namespaces", apps);
        assertThat(installed.exit()).as(installed.output()).isZero();

        Run uninstalled = run(cluster.kubeconfig(), "uninstall-agent.sh", List.of("--namespace", agentNs));

        assertThat(uninstalled.exit()).as(uninstalled.output()).isZero();
        assertThat(uninstalled.output())
                .contains("  deleted  deployment.apps/outpost-agent in " + agentNs)
                .contains("  deleted  secret/outpost-agent-join-token in " + agentNs)
                .contains("  deleted  role.rbac.authorization.k8s.io/outpost-agent in " + apps)
                .contains("  kept     persistentvolumeclaim/outpost-agent-state in " + agentNs)
                .contains("  kept     namespace/" + agentNs + " (--purge deletes it");
        assertThat(admin.apps().deployments().inNamespace(agentNs).withName(NAME).get()).isNull();
        assertThat(admin.serviceAccounts().inNamespace(agentNs).withName(NAME).get()).isNull();
        assertThat(admin.network().networkPolicies().inNamespace(agentNs).withName(NAME).get()).isNull();
        assertThat(admin.rbac().roles().inNamespace(apps).withName(NAME).get()).isNull();
        assertThat(admin.rbac().roleBindings().inNamespace(apps).withName(NAME).get()).isNull();
        assertThat(admin.persistentVolumeClaims().inNamespace(agentNs).withName(NAME + "-state").get()).isNotNull();

        Run purged = run(cluster.kubeconfig(), "uninstall-agent.sh", List.of("--namespace", agentNs, "--purge"));

        assertThat(purged.exit()).as(purged.output()).isZero();
        assertThat(purged.output()).contains("  deleted  persistentvolumeclaim/outpost-agent-state in " + agentNs)
                .contains("  deleted  namespace/" + agentNs);
        await().atMost(Duration.ofSeconds(60)).until(() -> gone(admin.namespaces().withName(agentNs).get()));
    }

    @Test
    void aNamespacePerDeploymentInstallsTheClusterRbacAndUninstallRemovesIt() {
        String agentNs = freshName("perdep");
        volumeFor(agentNs);

        Run installed = install(agentNs);

        assertThat(installed.exit()).as(installed.output()).isZero();
        assertThat(installed.output()).contains("a namespace per deployment")
                .contains("  ok      may get, create and patch validatingadmissionpolicies.admissionregistration.k8s.io cluster-wide")
                .contains("  created    ClusterRoleBinding/outpost-agent-namespaces-" + agentNs)
                .contains("  created    ValidatingAdmissionPolicy/outpost-agent-own-namespaces-" + agentNs);
        assertThat(admin.rbac().clusterRoles().withName("outpost-agent-namespaces-" + agentNs).get()).isNotNull();
        assertThat(admin.rbac().clusterRoles().withName("outpost-agent-deployer").get()).isNotNull();

        Run uninstalled = run(cluster.kubeconfig(), "uninstall-agent.sh", List.of("--namespace", agentNs));

        assertThat(uninstalled.exit()).as(uninstalled.output()).isZero();
        assertThat(uninstalled.output())
                .contains("  deleted  clusterrolebinding.rbac.authorization.k8s.io/outpost-agent-namespaces-" + agentNs)
                .contains("  deleted  validatingadmissionpolicy.admissionregistration.k8s.io/outpost-agent-own-namespaces-" + agentNs);
        assertThat(admin.rbac().clusterRoles().withName("outpost-agent-namespaces-" + agentNs).get()).isNull();
        assertThat(admin.rbac().clusterRoleBindings().withName("outpost-agent-namespaces-" + agentNs).get()).isNull();
    }

    /**
     * A real hub hands out the join token; the script installs and waits on the hub's REST API while
     * the agent (a process on this host, as the installed ServiceAccount, standing in for the pod kwok
     * does not run) enrols; the script returns once the hub shows it online.
     */
    @Test
    void waitsUntilTheHubShowsTheAgentOnline() throws Exception {
        HubProcess realHub = cleanup.track(new HubProcess(work.resolve("hub-data"), cleanup.track(TestDatabase.embeddedH2()),
                "opa_e2e-" + UUID.randomUUID()).start());
        HubApi api = new HubApi(realHub.baseUrl(), realHub.adminToken());
        String tenantId = api.post("/api/v1/tenants", Map.of("name", "acme")).expect(201).path("id").asText();
        String environmentId = api.post("/api/v1/environments", Map.of("tenantId", tenantId, "name", "prod",
                "cloud", "aws", "region", "eu-west-1", "clusterName", "acme-prod")).expect(201).path("id").asText();
        JsonNode joinToken = api.post("/api/v1/environments/" + environmentId + "/join-tokens", Map.of()).expect(201);
        String token = joinToken.path("token").asText();
        String agentNs = freshName("online");
        String apps = cluster.newNamespace("apps");
        volumeFor(agentNs);
        List<String> args = List.of("--hub", realHub.gatewayAddress(), "--ca-hash", joinToken.path("caFingerprint").asText(),
                "--namespace", agentNs, "--namespaces", apps, "--timeout", "120s",
                "--hub-api", realHub.baseUrl(), "--environment", environmentId);
        Map<String, String> secrets = Map.of("OUTPOST_JOIN_TOKEN", token, "OUTPOST_API_TOKEN", realHub.adminToken());
        Process script = start(cluster.kubeconfig(), "install-agent.sh", args, secrets, work.resolve("online.log"));

        await().atMost(Duration.ofSeconds(90)).until(() -> Files.readString(work.resolve("online.log"))
                .contains("for the hub to show environment " + environmentId) || !script.isAlive());
        assertThat(script.isAlive()).as(Files.readString(work.resolve("online.log"))).isTrue();
        Path agentKubeconfig = cluster.writeServiceAccountKubeconfig(agentNs, NAME, work.resolve("agent.kubeconfig"));
        ChildProcess agent = cleanup.track(AgentProcess.start("agent", realHub, token, joinToken.path("caFingerprint").asText(),
                work.resolve("agent-state"), agentKubeconfig, apps));

        assertThat(script.waitFor(150, TimeUnit.SECONDS)).as(agent.logTail()).isTrue();
        String output = Files.readString(work.resolve("online.log"));
        assertThat(script.exitValue()).as(output + agent.logTail()).isZero();
        assertThat(output).contains("  ok      hub " + realHub.gatewayAddress() + " reachable from here")
                .contains("  ok      the hub shows the agent online")
                .doesNotContain(token).doesNotContain(realHub.adminToken());

        // A wrong API token: installed (unchanged), but the hub refuses to say; exit 4 with the fix.
        Process refused = start(cluster.kubeconfig(), "install-agent.sh", args,
                Map.of("OUTPOST_JOIN_TOKEN", token, "OUTPOST_API_TOKEN", "opa_wrong"), work.resolve("refused.log"));
        assertThat(refused.waitFor(150, TimeUnit.SECONDS)).isTrue();
        String refusedOutput = Files.readString(work.resolve("refused.log"));
        assertThat(refused.exitValue()).as(refusedOutput).isEqualTo(4);
        assertThat(refusedOutput).contains("  unchanged  Deployment/outpost-agent in " + agentNs)
                .contains("  FAILED  the hub refused the API token (401)")
                .contains("-> fix: pass a valid hub API token");
    }

    // --- helpers ---------------------------------------------------------------------------------

    private Run install(String agentNs, String... more) {
        return run(cluster.kubeconfig(), "install-agent.sh", installArgs(agentNs, more));
    }

    private List<String> installArgs(String agentNs, String... more) {
        List<String> args = new ArrayList<>(List.of("--hub", "127.0.0.1:" + hub.getLocalPort(), "--token", TOKEN,
                "--ca-hash", CA_HASH, "--namespace", agentNs, "--timeout", "60s"));
        args.addAll(List.of(more));
        return args;
    }

    private Run run(Path kubeconfig, String script, List<String> args) {
        return InstallerScripts.run(kubeconfig, script, args, work, cleanup, TOKEN);
    }

    private Process start(Path kubeconfig, String script, List<String> args, Map<String, String> env, Path log) {
        return InstallerScripts.start(kubeconfig, script, args, env, log, cleanup);
    }

    /** A namespace name no test has used, which the script is to create. */
    private static String freshName(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A PersistentVolume the agent's state claim in {@code namespace} binds to (no provisioner here). */
    private void volumeFor(String namespace) {
        volumeFor(namespace, "");
    }

    private void volumeFor(String namespace, String storageClass) {
        admin.persistentVolumes().resource(new PersistentVolumeBuilder()
                .withNewMetadata().withName("pv-" + namespace).endMetadata()
                .withNewSpec()
                .withCapacity(Map.of("storage", new Quantity("1Gi")))
                .withAccessModes("ReadWriteOnce")
                .withStorageClassName(storageClass)
                .withNewClaimRef().withNamespace(namespace).withName(NAME + "-state").endClaimRef()
                .withNewHostPath().withPath("/tmp/" + namespace).endHostPath()
                .endSpec().build()).create();
    }

    /** Kind/namespace/name to resourceVersion of every object the script installs. */
    private Map<String, String> versions(String agentNs, String... managed) {
        List<HasMetadata> objects = new ArrayList<>();
        objects.add(admin.namespaces().withName(agentNs).get());
        objects.add(admin.apps().deployments().inNamespace(agentNs).withName(NAME).get());
        objects.add(admin.serviceAccounts().inNamespace(agentNs).withName(NAME).get());
        objects.add(admin.secrets().inNamespace(agentNs).withName(NAME + "-join-token").get());
        objects.add(admin.persistentVolumeClaims().inNamespace(agentNs).withName(NAME + "-state").get());
        objects.add(admin.network().networkPolicies().inNamespace(agentNs).withName(NAME).get());
        for (String ns : managed) {
            objects.add(admin.rbac().roles().inNamespace(ns).withName(NAME).get());
            objects.add(admin.rbac().roleBindings().inNamespace(ns).withName(NAME).get());
        }
        Map<String, String> versions = new LinkedHashMap<>();
        for (HasMetadata object : objects) {
            assertThat(object).isNotNull();
            versions.put(object.getKind() + "/" + object.getMetadata().getNamespace() + "/" + object.getMetadata().getName(),
                    object.getMetadata().getResourceVersion());
        }
        return versions;
    }

    private static boolean gone(HasMetadata object) {
        return object == null || object.getMetadata().getDeletionTimestamp() != null;
    }
}

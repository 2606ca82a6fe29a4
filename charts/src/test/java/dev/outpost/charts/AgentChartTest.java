package dev.outpost.charts;

import static dev.outpost.charts.Rendered.at;
import static dev.outpost.charts.Rendered.listAt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.LintResult;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent chart rendered with each values set, checked for what a user installing it would notice. */
class AgentChartTest {
    private static final String RELEASE = "acme";
    private static final String NAMESPACE = "outpost";
    private static final String NAME = "acme-outpost-agent";

    @TempDir
    Path work;

    @Test
    void lintsCleanWithEveryValuesSet() {
        AgentValues.all("acme-apps", "acme-data").forEach((name, values) -> {
            LintResult lint = Charts.lint(Charts.AGENT, values, work);

            assertThat(lint.isFailed()).as("lint with %s: %s", name, lint.getMessages()).isFalse();
            assertThat(lint.getMessages()).as("lint with %s", name).allMatch(m -> m.startsWith("[INFO]"));
        });
    }

    @Test
    void defaultsAreOneRecreatedAgentWithARolePerNamespaceAndNothingClusterWide() {
        Rendered objects = render(AgentValues.defaults("acme-apps", "acme-data"));

        assertThat(objects.kindCounts()).isEqualTo(Map.of("Deployment", 1, "NetworkPolicy", 1,
                "PersistentVolumeClaim", 1, "Role", 2, "RoleBinding", 2, "Secret", 1, "ServiceAccount", 1));
        Map<String, Object> deployment = objects.one("Deployment", NAME);
        assertThat(at(deployment, "spec.replicas")).isEqualTo(1);
        assertThat(at(deployment, "spec.strategy.type")).isEqualTo("Recreate");
        assertThat(at(deployment, "spec.template.spec.serviceAccountName")).isEqualTo(NAME);
        assertThat(at(objects.container(), "image")).isEqualTo("ghcr.io/outpost-dev/outpost-agent:0.1.0");
        assertThat(objects.env()).containsEntry("OUTPOST_HUB", AgentValues.HUB)
                .containsEntry("OUTPOST_CA_HASH", AgentValues.CA_HASH)
                .containsEntry("OUTPOST_NAMESPACE_MODE", "existing")
                .containsEntry("OUTPOST_NAMESPACES", "acme-apps,acme-data")
                .containsEntry("OUTPOST_STATE_DIR", "/var/lib/outpost-agent")
                .containsEntry("OUTPOST_METRICS_ADDRESS", "0.0.0.0:9464")
                .doesNotContainKeys("HTTPS_PROXY", "NO_PROXY");
        assertThat(objects.all("Role")).extracting(r -> at(r, "metadata.namespace"))
                .containsExactlyInAnyOrder("acme-apps", "acme-data");
        for (Map<String, Object> binding : objects.all("RoleBinding")) {
            assertThat(at(binding, "subjects[0]")).isEqualTo(Map.of("kind", "ServiceAccount", "name", NAME, "namespace", NAMESPACE));
            assertThat(at(binding, "roleRef.kind")).isEqualTo("Role");
        }
        assertThat(objects.all("ClusterRole")).isEmpty();
        assertThat(objects.all("ClusterRoleBinding")).isEmpty();
    }

    @Test
    void theJoinTokenComesFromItsSecretAndThePinWithIt() {
        Rendered objects = render(AgentValues.defaults("acme-apps"));

        Map<String, Object> secret = objects.one("Secret", NAME + "-join-token");
        assertThat(at(secret, "stringData.token")).isEqualTo("abcdef.0123456789abcdef");
        Map<String, Object> tokenRef = objects.envVar("OUTPOST_JOIN_TOKEN");
        assertThat(at(tokenRef, "valueFrom.secretKeyRef"))
                .isEqualTo(Map.of("name", NAME + "-join-token", "key", "token", "optional", true));
        assertThat(objects.text()).doesNotContain("value: abcdef.0123456789abcdef");
    }

    @Test
    void thePodIsHardened() {
        Rendered objects = render(AgentValues.defaults("acme-apps"));

        Map<String, Object> pod = Rendered.mapAt(objects.only("Deployment"), "spec.template.spec");
        assertThat(at(pod, "securityContext.runAsNonRoot")).isEqualTo(true);
        assertThat(at(pod, "securityContext.seccompProfile.type")).isEqualTo("RuntimeDefault");
        Map<String, Object> container = objects.container();
        assertThat(at(container, "securityContext.readOnlyRootFilesystem")).isEqualTo(true);
        assertThat(at(container, "securityContext.allowPrivilegeEscalation")).isEqualTo(false);
        assertThat(at(container, "securityContext.capabilities.drop")).isEqualTo(List.of("ALL"));
        assertThat(mounts(container)).containsEntry("tmp", "/tmp").containsEntry("state", "/var/lib/outpost-agent");
        assertThat(volumes(objects)).containsEntry("tmp", "emptyDir").containsEntry("state", "persistentVolumeClaim");
        assertThat(at(pod, "volumes[0].persistentVolumeClaim.claimName")).isEqualTo(NAME + "-state");
        assertThat(at(container, "resources.limits.memory")).isEqualTo("768Mi");
        assertThat(at(container, "resources.requests.cpu")).isEqualTo("100m");
        assertThat(at(container, "readinessProbe.httpGet")).isEqualTo(Map.of("path", "/healthz", "port", "metrics"));
        assertThat(at(container, "livenessProbe.httpGet")).isEqualTo(Map.of("path", "/healthz", "port", "metrics"));
        assertThat(at(container, "ports[0].containerPort")).isEqualTo(9464);
    }

    @Test
    void theNetworkPolicyLetsNothingInAndTheAgentOutToItsPeersOnly() {
        Rendered objects = render(AgentValues.defaults("acme-apps"));

        Map<String, Object> policy = objects.one("NetworkPolicy", NAME);
        assertThat(at(policy, "spec.policyTypes")).isEqualTo(List.of("Ingress", "Egress"));
        // no ingress rules at all (not an empty list, which the API server drops: server-side apply would change it every time)
        assertThat(policy).extractingByKey("spec").asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .doesNotContainKey("ingress");
        assertThat(at(policy, "spec.egress[2].ports")).isEqualTo(List.of(Map.of("protocol", "TCP", "port", 8443)));
        assertThat(at(policy, "spec.egress[3].to[0].namespaceSelector.matchExpressions[0].values")).isEqualTo(List.of("acme-apps"));
    }

    @Test
    void aProxyGoesToTheKubernetesClientAndToTheJvmForGrpc() {
        Rendered objects = render(AgentValues.proxyAndCustomCa("acme-apps"));

        Map<String, String> env = objects.env();
        assertThat(env).containsEntry("HTTPS_PROXY", AgentValues.PROXY)
                .containsEntry("NO_PROXY", "localhost,127.0.0.1,kubernetes.default.svc,.svc,.cluster.local,10.96.0.0/12");
        // gRPC-Java reads the JVM's proxy properties, not HTTPS_PROXY; Java's list takes no CIDRs.
        assertThat(env.get("JAVA_TOOL_OPTIONS")).contains("-Dhttps.proxyHost=proxy.corp.example", "-Dhttps.proxyPort=3128",
                "-Dhttp.nonProxyHosts=localhost|127.0.0.1|kubernetes.default.svc|*.svc|*.cluster.local")
                .doesNotContain("10.96.0.0");
        assertThat(at(objects.only("NetworkPolicy"), "spec.egress[2].ports"))
                .isEqualTo(List.of(Map.of("protocol", "TCP", "port", 8443), Map.of("protocol", "TCP", "port", 3128)));
    }

    @Test
    @SuppressWarnings("unchecked")
    void aCustomCaBundleIsMountedReadOnlyAndGivenToTheAgent() {
        Rendered objects = render(AgentValues.proxyAndCustomCa("acme-apps"));

        assertThat(mounts(objects.container())).containsEntry("ca-bundle", "/etc/outpost/ca");
        assertThat(objects.env()).containsEntry("OUTPOST_CA_BUNDLE", "/etc/outpost/ca/ca.crt");
        Map<String, Object> volume = listAt(objects.only("Deployment"), "spec.template.spec.volumes").stream()
                .map(v -> (Map<String, Object>) v).filter(v -> "ca-bundle".equals(v.get("name"))).findFirst().orElseThrow();
        assertThat(at(volume, "configMap")).isEqualTo(Map.of("name", "corp-ca",
                "items", List.of(Map.of("key", "bundle.pem", "path", "ca.crt"))));
    }

    @Test
    void aPrivateRegistryGivesTheImageItsNameAndThePullSecrets() {
        Rendered objects = render(AgentValues.privateRegistry("acme-apps"));

        assertThat(at(objects.container(), "image")).isEqualTo("myregistry.example/outpost/outpost-agent:1.2.3");
        assertThat(at(objects.only("Deployment"), "spec.template.spec.imagePullSecrets"))
                .isEqualTo(List.of(Map.of("name", "regcred"), Map.of("name", "regcred-backup")));
        // the token comes from the Secret the user made: the chart makes none
        assertThat(objects.all("Secret")).isEmpty();
        assertThat(at(objects.envVar("OUTPOST_JOIN_TOKEN"), "valueFrom.secretKeyRef.name")).isEqualTo("agent-join");
        assertThat(at(objects.envVar("OUTPOST_JOIN_TOKEN"), "valueFrom.secretKeyRef.key")).isEqualTo("join-token");
    }

    @Test
    void clusterScopeIsOneClusterRoleInsteadOfTheRoles() {
        Rendered objects = render(AgentValues.clusterScope("acme-apps"));

        assertThat(objects.all("Role")).isEmpty();
        assertThat(objects.all("RoleBinding")).isEmpty();
        assertThat(objects.all("ClusterRole")).extracting(r -> at(r, "metadata.name"))
                .containsExactlyInAnyOrder(NAME + "-workloads-" + NAMESPACE, NAME + "-cluster-facts-" + NAMESPACE);
        assertThat(objects.all("ClusterRoleBinding")).allSatisfy(b -> assertThat(at(b, "subjects[0].name")).isEqualTo(NAME));
    }

    @Test
    void perDeploymentCreatesNamespacesWithinTheAdmissionPolicy() {
        Rendered objects = render(AgentValues.perDeployment());

        assertThat(objects.env()).containsEntry("OUTPOST_NAMESPACE_MODE", "per-deployment").doesNotContainKey("OUTPOST_NAMESPACES");
        assertThat(objects.all("Role")).isEmpty();
        assertThat(objects.all("ClusterRole")).extracting(r -> at(r, "metadata.name"))
                .containsExactlyInAnyOrder(NAME + "-namespaces-" + NAMESPACE, "outpost-agent-deployer");
        Map<String, Object> policy = objects.one("ValidatingAdmissionPolicy", NAME + "-own-namespaces-" + NAMESPACE);
        assertThat(at(policy, "spec.matchConditions[0].expression"))
                .isEqualTo("request.userInfo.username == 'system:serviceaccount:outpost:" + NAME + "'");
        assertThat(at(objects.only("ValidatingAdmissionPolicyBinding"), "spec.policyName")).isEqualTo(at(policy, "metadata.name"));
        assertThat(at(objects.only("NetworkPolicy"), "spec.egress[3].to[0].namespaceSelector.matchLabels"))
                .isEqualTo(Map.of("outpost.dev/managed-by", "outpost-agent"));
    }

    @Test
    void proxyCredentialsComeFromTheCustomersSecretAndOnlyWithAProxy() {
        Rendered objects = render(AgentValues.proxyAndCustomCa("acme-apps"));

        assertThat(at(objects.envVar("OUTPOST_PROXY_USERNAME"), "valueFrom.secretKeyRef"))
                .isEqualTo(Map.of("name", "proxy-login", "key", "username"));
        assertThat(at(objects.envVar("OUTPOST_PROXY_PASSWORD"), "valueFrom.secretKeyRef"))
                .isEqualTo(Map.of("name", "proxy-login", "key", "password"));
        assertThat(render(AgentValues.defaults("acme-apps")).env()).doesNotContainKeys("OUTPOST_PROXY_USERNAME",
                "OUTPOST_PROXY_PASSWORD");
        assertThatThrownBy(() -> render(AgentValues.defaults("acme-apps") + "proxy: {credentialsSecret: proxy-login}\n"))
                .hasMessageContaining("proxy.credentialsSecret needs proxy.httpsProxy");
    }

    @Test
    void theCustomersPolicyReachesTheAgentAsItsOptions() {
        Rendered objects = render(AgentValues.customerPolicy("acme-apps"));

        assertThat(objects.env()).containsEntry("OUTPOST_ALLOWED_IMAGES", "registry.vendor.example,ghcr.io/vendor/")
                .containsEntry("OUTPOST_DENIED_KINDS", "Secret,Role")
                .doesNotContainKeys("OUTPOST_DENIED_IMAGES", "OUTPOST_ALLOWED_KINDS");
        assertThat(render(AgentValues.defaults("acme-apps")).env()).doesNotContainKeys("OUTPOST_ALLOWED_IMAGES",
                "OUTPOST_DENIED_IMAGES", "OUTPOST_ALLOWED_KINDS", "OUTPOST_DENIED_KINDS");
        assertThatThrownBy(() -> render(AgentValues.defaults("acme-apps") + "policy: {deniedKinds: [secret]}\n"))
                .hasMessageContaining("at '/policy/deniedKinds/0': 'secret' does not match pattern");
    }

    @Test
    void approvalModeIsOffUnlessTheCustomerTurnsItOn() {
        assertThat(render(AgentValues.defaults("acme-apps")).env()).doesNotContainKey("OUTPOST_APPROVAL");
        assertThat(render(AgentValues.defaults("acme-apps") + "policy: {approval: true}\n").env())
                .containsEntry("OUTPOST_APPROVAL", "on");
        assertThatThrownBy(() -> render(AgentValues.defaults("acme-apps") + "policy: {approval: sometimes}\n"))
                .hasMessageContaining("at '/policy/approval'");
    }

    @Test
    void theSchemaRefusesWrongValuesNamingThem() {
        assertThatThrownBy(() -> render("namespaces: [acme-apps]"))
                .hasMessageContaining("at '/hub': missing property 'address'");
        assertThatThrownBy(() -> render(AgentValues.defaults("Acme_Apps")))
                .hasMessageContaining("at '/namespaces/0': 'Acme_Apps' does not match pattern");
        assertThatThrownBy(() -> render(AgentValues.defaults("acme-apps") + "replicas: 2\n"))
                .hasMessageContaining("at '/replicas': value must be 1");
        assertThatThrownBy(() -> render(AgentValues.defaults("acme-apps") + "namespaceMode: everywhere\n"))
                .hasMessageContaining("at '/namespaceMode': value must be one of 'existing', 'per-deployment'");
        assertThatThrownBy(() -> render("hub: {address: hub.vendor.example}\nnamespaces: [acme-apps]\n"))
                .hasMessageContaining("at '/hub/address'");
    }

    @Test
    void theChartRefusesValuesThatDoNotGoTogether() {
        assertThatThrownBy(() -> render("hub: {address: " + AgentValues.HUB + "}\njoinToken: {value: x}\nnamespaces: [a]\n"))
                .hasMessageContaining("hub.caHash is required with a join token");
        assertThatThrownBy(() -> render("hub: {address: " + AgentValues.HUB + "}\n"))
                .hasMessageContaining("namespaces must list at least one namespace");
    }

    @Test
    void withoutRbacTheChartGrantsNothingAndUsesTheServiceAccountNamed() {
        Rendered objects = render(AgentValues.defaults("acme-apps") + """
                rbac: {create: false}
                serviceAccount: {create: false, name: agent-by-hand}
                """);

        assertThat(objects.kindCounts()).containsOnlyKeys("Deployment", "NetworkPolicy", "PersistentVolumeClaim", "Secret");
        assertThat(at(objects.only("Deployment"), "spec.template.spec.serviceAccountName")).isEqualTo("agent-by-hand");
        assertThatThrownBy(() -> render(AgentValues.defaults("acme-apps") + "serviceAccount: {create: false}\n"))
                .hasMessageContaining("serviceAccount.name is required when serviceAccount.create is false");
    }

    @Test
    void aCaBundleComesFromAConfigMapOrASecretNotBoth() {
        Rendered objects = render(AgentValues.defaults("acme-apps") + "caBundle: {secret: corp-ca}\n");

        assertThat(volumes(objects)).containsEntry("ca-bundle", "secret");
        assertThatThrownBy(() -> render(AgentValues.defaults("acme-apps") + "caBundle: {secret: corp-ca, configMap: corp-ca}\n"))
                .hasMessageContaining("caBundle: set configMap or secret, not both");
    }

    @Test
    void withoutPersistenceTheStateIsAnEmptyDirAndNoClaimIsMade() {
        Rendered objects = render(AgentValues.defaults("acme-apps") + "persistence: {enabled: false}\n");

        assertThat(objects.all("PersistentVolumeClaim")).isEmpty();
        assertThat(volumes(objects)).containsEntry("state", "emptyDir");
    }

    @Test
    void anIpv6HubAddressIsAccepted() {
        Rendered objects = render("hub: {address: '[2001:db8::1]:8443'}\nnamespaces: [acme-apps]\n");

        assertThat(objects.env()).containsEntry("OUTPOST_HUB", "[2001:db8::1]:8443");
        assertThat(at(objects.only("NetworkPolicy"), "spec.egress[2].ports[0].port")).isEqualTo(8443);
    }

    private Rendered render(String values) {
        return Charts.render(Charts.AGENT, RELEASE, NAMESPACE, values, work);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> mounts(Map<String, Object> container) {
        return listAt(container, "volumeMounts").stream().map(m -> (Map<String, Object>) m)
                .collect(Collectors.toMap(m -> (String) m.get("name"), m -> (String) m.get("mountPath")));
    }

    /** Each volume's name and its source's kind. */
    @SuppressWarnings("unchecked")
    private static Map<String, String> volumes(Rendered objects) {
        return listAt(objects.only("Deployment"), "spec.template.spec.volumes").stream().map(v -> (Map<String, Object>) v)
                .collect(Collectors.toMap(v -> (String) v.get("name"),
                        v -> v.keySet().stream().filter(k -> !k.equals("name")).findFirst().orElse("")));
    }
}

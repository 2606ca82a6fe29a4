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

/** The hub chart rendered with each values set, checked for what a vendor installing it would notice. */
class HubChartTest {
    private static final String RELEASE = "vendor";
    private static final String NAMESPACE = "outpost";
    private static final String NAME = "vendor-outpost-hub";

    @TempDir
    Path work;

    @Test
    void lintsCleanWithEveryValuesSet() {
        HubValues.all().forEach((name, values) -> {
            LintResult lint = Charts.lint(Charts.HUB, values, work);

            assertThat(lint.isFailed()).as("lint with %s: %s", name, lint.getMessages()).isFalse();
            assertThat(lint.getMessages()).as("lint with %s", name).allMatch(m -> m.startsWith("[INFO]"));
        });
    }

    @Test
    void defaultsAreOneHubOnH2InAClaimWithBothServices() {
        Rendered objects = render(HubValues.defaults());

        assertThat(objects.kindCounts()).isEqualTo(Map.of("Deployment", 1, "PersistentVolumeClaim", 1,
                "PodDisruptionBudget", 1, "Service", 2, "ServiceAccount", 1));
        Map<String, Object> deployment = objects.one("Deployment", NAME);
        assertThat(at(deployment, "spec.replicas")).isEqualTo(1);
        assertThat(at(deployment, "spec.strategy.type")).isEqualTo("Recreate");
        assertThat(at(objects.container(), "image")).isEqualTo("ghcr.io/outpost-dev/outpost-hub:0.1.0");
        assertThat(objects.env()).containsEntry("OUTPOST_DATA_DIR", "/var/lib/outpost-hub")
                .containsEntry("OUTPOST_GRPC_HOSTNAMES",
                        NAME + "-gateway," + NAME + "-gateway.outpost," + NAME + "-gateway.outpost.svc")
                .doesNotContainKeys("OUTPOST_DB_URL");
        assertThat(ports(objects.one("Service", NAME))).isEqualTo(Map.of("http", 8080));
        assertThat(ports(objects.one("Service", NAME + "-gateway"))).isEqualTo(Map.of("grpc", 8443));
        assertThat(at(objects.only("PersistentVolumeClaim"), "spec.resources.requests.storage")).isEqualTo("5Gi");
        assertThat(at(objects.only("PodDisruptionBudget"), "spec.maxUnavailable")).isEqualTo(1);
    }

    @Test
    void probesAskHealthForReadinessAndOnlyThePortForLiveness() {
        Map<String, Object> container = render(HubValues.defaults()).container();

        assertThat(at(container, "readinessProbe.httpGet")).isEqualTo(Map.of("path", "/health", "port", "http"));
        assertThat(at(container, "livenessProbe.tcpSocket")).isEqualTo(Map.of("port", "http"));
        assertThat(at(container, "startupProbe.failureThreshold")).isEqualTo(60);
    }

    @Test
    void thePodIsHardened() {
        Rendered objects = render(HubValues.defaults());

        Map<String, Object> pod = Rendered.mapAt(objects.only("Deployment"), "spec.template.spec");
        assertThat(at(pod, "securityContext.runAsNonRoot")).isEqualTo(true);
        assertThat(at(pod, "securityContext.seccompProfile.type")).isEqualTo("RuntimeDefault");
        assertThat(at(pod, "automountServiceAccountToken")).isEqualTo(false);
        Map<String, Object> container = objects.container();
        assertThat(at(container, "securityContext.readOnlyRootFilesystem")).isEqualTo(true);
        assertThat(at(container, "securityContext.allowPrivilegeEscalation")).isEqualTo(false);
        assertThat(at(container, "securityContext.capabilities.drop")).isEqualTo(List.of("ALL"));
        assertThat(mounts(container)).containsEntry("/tmp", "tmp").containsEntry("/var/lib/outpost-hub", "data");
        assertThat(at(container, "resources.limits.memory")).isEqualTo("1536Mi");
    }

    @Test
    void replicasOnPostgresShareTheDatabaseAndTheCaFromSecrets() {
        Rendered objects = render(HubValues.postgresReplicas());

        Map<String, Object> deployment = objects.one("Deployment", NAME);
        assertThat(at(deployment, "spec.replicas")).isEqualTo(3);
        assertThat(at(deployment, "spec.strategy.type")).isEqualTo("RollingUpdate");
        assertThat(objects.all("PersistentVolumeClaim")).isEmpty();
        assertThat(objects.env()).containsEntry("OUTPOST_DB_URL", "jdbc:postgresql://db.vendor.internal:5432/outpost")
                .containsEntry("OUTPOST_DB_USER", "outpost")
                .containsEntry("OUTPOST_OFFLINE_AFTER", "45s")
                .containsEntry("OUTPOST_MAX_CONCURRENT_PACKAGE_RENDERS", "4")
                .containsEntry("MICRONAUT_SERVER_MAX_REQUEST_SIZE", "20971520")
                .containsEntry("OUTPOST_GRPC_HOSTNAMES", HubValues.PUBLIC_GATEWAY + "," + NAME + "-gateway,"
                        + NAME + "-gateway.outpost," + NAME + "-gateway.outpost.svc");
        assertThat(at(objects.envVar("OUTPOST_DB_PASSWORD"), "valueFrom.secretKeyRef"))
                .isEqualTo(Map.of("name", "hub-db", "key", "password"));
        assertThat(at(objects.envVar("OUTPOST_ADMIN_TOKEN"), "valueFrom.secretKeyRef"))
                .isEqualTo(Map.of("name", "hub-admin", "key", "token"));
        // the CA's files in a writable folder, where the hub adds its gateway certificate
        assertThat(mounts(objects.container())).containsEntry("/var/lib/outpost-hub/pki", "pki")
                .containsEntry("/var/lib/outpost-hub/pki/ca.crt", "ca").containsEntry("/var/lib/outpost-hub/pki/ca.key", "ca");
        Map<String, Object> gateway = objects.one("Service", NAME + "-gateway");
        assertThat(at(gateway, "spec.type")).isEqualTo("LoadBalancer");
        assertThat(at(gateway, "spec.loadBalancerSourceRanges")).isEqualTo(List.of("203.0.113.0/24"));
        assertThat(objects.text()).doesNotContain("password:").doesNotContain("kind: Secret");
    }

    @Test
    void theServiceMonitorScrapesTheApiServiceAndTheIngressServesIt() {
        Rendered objects = render(HubValues.monitoringAndIngress());

        Map<String, Object> monitor = objects.one("ServiceMonitor", NAME);
        assertThat(monitor.get("apiVersion")).isEqualTo("monitoring.coreos.com/v1");
        assertThat(at(monitor, "metadata.labels.release")).isEqualTo("prometheus");
        assertThat(at(monitor, "spec.endpoints[0]")).isEqualTo(Map.of("port", "http", "path", "/metrics",
                "interval", "30s", "scrapeTimeout", "10s"));
        Map<String, Object> selector = Rendered.mapAt(monitor, "spec.selector.matchLabels");
        assertThat(Rendered.mapAt(objects.one("Service", NAME), "metadata.labels")).containsAllEntriesOf(selector);
        assertThat(Rendered.mapAt(objects.one("Service", NAME + "-gateway"), "metadata.labels"))
                .doesNotContainEntry("outpost.dev/service", "api");
        Map<String, Object> ingress = objects.one("Ingress", NAME);
        assertThat(at(ingress, "spec.ingressClassName")).isEqualTo("nginx");
        assertThat(at(ingress, "spec.rules[0].host")).isEqualTo("api.vendor.example");
        assertThat(at(ingress, "spec.rules[0].http.paths[0].backend.service"))
                .isEqualTo(Map.of("name", NAME, "port", Map.of("name", "http")));
        assertThat(at(ingress, "spec.tls[0].secretName")).isEqualTo("api-tls");
    }

    @Test
    void aPrivateRegistryGivesTheImageItsNameAndThePullSecrets() {
        Rendered objects = render(HubValues.privateRegistry());

        assertThat(at(objects.container(), "image")).isEqualTo("myregistry.example/outpost/outpost-hub:1.2.3");
        assertThat(at(objects.only("Deployment"), "spec.template.spec.imagePullSecrets"))
                .isEqualTo(List.of(Map.of("name", "regcred")));
    }

    @Test
    void replicasOnEmbeddedH2AreRefusedWithTheReason() {
        assertThatThrownBy(() -> render("replicas: 3\n"))
                .hasMessageContaining("replicas: 3 needs PostgreSQL: the embedded H2 database belongs to one hub process")
                .hasMessageContaining("Set database.url (jdbc:postgresql://...) or replicas: 1");
    }

    @Test
    void replicasNeedASharedCaAndNoClaim() {
        String postgres = "replicas: 2\ndatabase: {url: 'jdbc:postgresql://db:5432/outpost'}\n";
        assertThatThrownBy(() -> render(postgres)).hasMessageContaining("replicas: 2 needs ca.existingSecret");
        assertThatThrownBy(() -> render(postgres + "ca: {existingSecret: hub-ca}\n"))
                .hasMessageContaining("replicas: 2 needs persistence.enabled: false");
    }

    @Test
    void valuesThatWouldLoseDataAreRefused() {
        assertThatThrownBy(() -> render("persistence: {enabled: false}\n"))
                .hasMessageContaining("would keep the embedded H2 database in an emptyDir");
        assertThatThrownBy(() -> render("database: {url: 'jdbc:postgresql://db:5432/outpost'}\npersistence: {enabled: false}\n"))
                .hasMessageContaining("persistence.enabled: false needs ca.existingSecret");
    }

    @Test
    void theSchemaRefusesWrongValuesNamingThem() {
        assertThatThrownBy(() -> render("replicas: 0\n")).hasMessageContaining("/replicas");
        assertThatThrownBy(() -> render("database: {url: 'jdbc:mysql://db/outpost'}\n"))
                .hasMessageContaining("/database/url");
        assertThatThrownBy(() -> render("gateway: {type: Ingress}\n")).hasMessageContaining("/gateway/type");
        assertThatThrownBy(() -> render("config: {offline-after: 30s}\n")).hasMessageContaining("offline-after");
    }

    private Rendered render(String values) {
        return Charts.render(Charts.HUB, RELEASE, NAMESPACE, values, work);
    }

    /** mountPath to volume name (one volume may be mounted at several paths). */
    @SuppressWarnings("unchecked")
    private static Map<String, String> mounts(Map<String, Object> container) {
        return listAt(container, "volumeMounts").stream().map(m -> (Map<String, Object>) m)
                .collect(Collectors.toMap(m -> (String) m.get("mountPath"), m -> (String) m.get("name")));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Integer> ports(Map<String, Object> service) {
        return listAt(service, "spec.ports").stream().map(p -> (Map<String, Object>) p)
                .collect(Collectors.toMap(p -> (String) p.get("name"), p -> (Integer) p.get("port")));
    }
}

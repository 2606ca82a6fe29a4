package dev.outpost.testcluster;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kubernetes control plane for tests, running as child processes on loopback: etcd,
 * kube-apiserver (RBAC enforced), kube-controller-manager, kube-scheduler and kwok, which plays the
 * kubelet of a few fake nodes so pods get scheduled and turn Running and Ready.
 *
 * <p>Everything lives in a temporary folder (certificates, kubeconfigs, etcd data, one log per
 * component) that {@link #close()} deletes after stopping every process; a JVM shutdown hook and a
 * watchdog process stop them too should the test run end abruptly.
 */
public final class KubeCluster implements AutoCloseable {

    /** The annotation kwok selects the nodes it plays by. */
    public static final String FAKE_NODE_ANNOTATION = "kwok.x-k8s.io/node";
    /** The label every fake node carries ({@code type=kwok}), for node selectors. */
    public static final String NODE_TYPE_LABEL = "type";
    /** The first address of the service range, which the apiserver certificate also names. */
    public static final String SERVICE_CLUSTER_IP_RANGE = "10.0.0.0/24";
    /** The issuer (and default audience) of service-account tokens. */
    public static final String SERVICE_ACCOUNT_ISSUER = "https://kubernetes.default.svc";

    /** Lifetime of the tokens {@link #serviceAccountToken} requests: longer than any test run. */
    public static final Duration TOKEN_LIFETIME = Duration.ofHours(24);

    private static final Logger LOG = LoggerFactory.getLogger(KubeCluster.class);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final int nodeCount;
    private final KubeBinaries binaries;
    private final Duration startTimeout;
    private final boolean keepWorkDir;

    private final List<ManagedProcess> processes = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Duration> startTimes = Collections.synchronizedMap(new LinkedHashMap<>());
    private Path workDir;
    private ProcessWatchdog watchdog;
    private Thread shutdownHook;
    private ClusterPki pki;
    private int apiServerPort;
    // Chosen before the apiserver starts: nothing needs it until kwok, but one place picks the ports.
    private int kubeletPort;
    private Path adminKubeconfig;
    // Set by the kwok start task; join() of that task publishes it to the starting thread.
    private volatile KubernetesClient adminClient;
    private boolean closed;
    // Started on first use by enableMetricsApi(): most tests never read metrics.k8s.io.
    private boolean metricsApiEnabled;

    private KubeCluster(Builder builder) {
        this.nodeCount = builder.nodes;
        this.binaries = builder.binaries != null ? builder.binaries : KubeBinaries.locate();
        this.startTimeout = builder.startTimeout;
        this.keepWorkDir = builder.keepWorkDir;
    }

    /** Starts a cluster with the defaults (2 nodes, binaries located by {@link KubeBinaries#locate()}). */
    public static KubeCluster start() {
        return builder().start();
    }

    /** Options for starting a cluster. */
    public static Builder builder() {
        return new Builder();
    }

    /** Options for starting a cluster. */
    public static final class Builder {
        private int nodes = 2;
        private KubeBinaries binaries;
        private Duration startTimeout = Duration.ofMinutes(2);
        private boolean keepWorkDir = Boolean.getBoolean("outpost.kube.keep");

        private Builder() {
        }

        /** How many fake (kwok) nodes to create; default 2. */
        public Builder nodes(int nodes) {
            if (nodes < 0) {
                throw new IllegalArgumentException("nodes must be >= 0: " + nodes);
            }
            this.nodes = nodes;
            return this;
        }

        /** Where the binaries are; default {@link KubeBinaries#locate()}. */
        public Builder binaries(KubeBinaries binaries) {
            this.binaries = Objects.requireNonNull(binaries);
            return this;
        }

        /** How long each component may take to become ready; default 2 minutes. */
        public Builder startTimeout(Duration startTimeout) {
            this.startTimeout = Objects.requireNonNull(startTimeout);
            return this;
        }

        /** Keep the work folder (logs, etcd data) after close; default from {@code -Doutpost.kube.keep}. */
        public Builder keepWorkDir(boolean keepWorkDir) {
            this.keepWorkDir = keepWorkDir;
            return this;
        }

        /** Starts the cluster and returns once nodes are Ready and the default ServiceAccount exists. */
        public KubeCluster start() {
            KubeCluster cluster = new KubeCluster(this);
            try {
                cluster.boot();
                return cluster;
            } catch (RuntimeException | Error e) {
                try {
                    cluster.close();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        }
    }

    // ---------------------------------------------------------------- start

    private void boot() {
        long started = System.nanoTime();
        // Fail before anything runs when a binary is missing: the message says how to build it.
        Path etcd = binaries.require("etcd");
        Path apiServer = binaries.require("kube-apiserver");
        Path controllerManager = binaries.require("kube-controller-manager");
        Path scheduler = binaries.require("kube-scheduler");
        Path kwok = binaries.require("kwok");
        try {
            workDir = Files.createTempDirectory("outpost-kube-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the cluster's work folder", e);
        }
        LOG.info("test cluster: starting in {} with binaries from {}", workDir, binaries.dir());
        watchdog = ProcessWatchdog.start(keepWorkDir ? null : workDir);
        shutdownHook = new Thread(this::stopAndClean, "outpost-kube-cluster-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);

        // etcd needs no certificates (plain HTTP on loopback): the PKI is generated while it starts.
        int etcdPort = FreePorts.next();
        String etcdUrl = "http://127.0.0.1:" + etcdPort;
        long t = System.nanoTime();
        ManagedProcess etcdProcess = launchEtcd(etcd, etcdPort);
        long tPki = System.nanoTime();
        pki = ClusterPki.generate(workDir.resolve("pki"));
        record("pki", tPki);
        awaitReady(etcdProcess, "healthy", () -> httpOk(etcdUrl + "/health", "\"health\":\"true\""));
        record("etcd", t);

        try (HealthProbe probe = new HealthProbe(pki)) {
            startApiServer(apiServer, etcdUrl, probe);
            adminKubeconfig = Kubeconfig.write(workDir.resolve("admin.kubeconfig"), Kubeconfig.withClientCertificate(
                    apiServerUrl(), caCertPem(), ClusterPki.ADMIN_USER, pki.admin().certificatePem(),
                    pki.admin().privateKeyPem()));

            // The rest only needs the apiserver: start it all at once and wait for each in parallel.
            ExecutorService waits = Executors.newFixedThreadPool(3);
            try {
                CompletableFuture<Void> cm = runAsync(waits, () -> startControllerManager(controllerManager, probe));
                CompletableFuture<Void> sched = runAsync(waits, () -> startScheduler(scheduler, probe));
                CompletableFuture<Void> nodes = runAsync(waits, () -> startKwokAndNodes(kwok));
                join(cm, sched, nodes);
            } finally {
                waits.shutdownNow();
            }
            // Created by the controller-manager's serviceaccount controller; pods cannot be admitted without it.
            t = System.nanoTime();
            awaitDefaultServiceAccount("default");
            record("default ServiceAccount", t);
        }
        record("total", started);
        LOG.info("test cluster: ready at {}; start times: {}", apiServerUrl(), formatStartTimes());
    }

    private ManagedProcess launchEtcd(Path binary, int clientPort) {
        int peerPort = FreePorts.next();
        String clientUrl = "http://127.0.0.1:" + clientPort;
        String peerUrl = "http://127.0.0.1:" + peerPort;
        return launch("etcd", binary, List.of(
                "--name=outpost-test",
                "--data-dir=" + workDir.resolve("etcd-data"),
                "--listen-client-urls=" + clientUrl,
                "--advertise-client-urls=" + clientUrl,
                "--listen-peer-urls=" + peerUrl,
                "--initial-advertise-peer-urls=" + peerUrl,
                "--initial-cluster=outpost-test=" + peerUrl,
                "--initial-cluster-state=new",
                // Throw-away data: skipping fsync makes every write (so every API call) much faster.
                "--unsafe-no-fsync=true",
                "--log-level=warn"), Map.of());
    }

    private void startApiServer(Path binary, String etcdUrl, HealthProbe probe) {
        apiServerPort = FreePorts.next();
        kubeletPort = FreePorts.next();
        long t = System.nanoTime();
        ManagedProcess apiServer = launch("kube-apiserver", binary, List.of(
                "--etcd-servers=" + etcdUrl,
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                "--secure-port=" + apiServerPort,
                "--cert-dir=" + workDir.resolve("apiserver-certs"),
                "--tls-cert-file=" + pki.apiServerCert(),
                "--tls-private-key-file=" + pki.apiServerKey(),
                "--client-ca-file=" + pki.caCert(),
                "--authorization-mode=RBAC",
                "--service-account-issuer=" + SERVICE_ACCOUNT_ISSUER,
                "--service-account-key-file=" + pki.serviceAccountPublicKey(),
                "--service-account-signing-key-file=" + pki.serviceAccountPrivateKey(),
                "--service-cluster-ip-range=" + SERVICE_CLUSTER_IP_RANGE,
                "--allow-privileged=true",
                // The "kubelet" is kwok on 127.0.0.1: dial the node's InternalIP (its Hostname address is
                // the node name, which resolves nowhere), verify kwok's certificate against the test CA
                // and present a client certificate as a real apiserver does.
                "--kubelet-preferred-address-types=InternalIP",
                "--kubelet-certificate-authority=" + pki.caCert(),
                "--kubelet-client-certificate=" + pki.kubeletClientCert(),
                "--kubelet-client-key=" + pki.kubeletClientKey(),
                // The lease reconciler would publish 127.0.0.1 as the kubernetes Service's endpoint, which
                // Endpoints validation rejects (loopback) in a loop; nothing here reaches the API through it.
                "--endpoint-reconciler-type=none",
                // The aggregation layer, so metrics-server can serve metrics.k8s.io (enableMetricsApi): the
                // apiserver proxies to it with its front-proxy client certificate and the user in headers.
                "--requestheader-client-ca-file=" + pki.frontProxyCaCert(),
                "--requestheader-allowed-names=" + ClusterPki.FRONT_PROXY_CLIENT,
                "--requestheader-username-headers=X-Remote-User",
                "--requestheader-group-headers=X-Remote-Group",
                "--requestheader-extra-headers-prefix=X-Remote-Extra-",
                "--proxy-client-cert-file=" + pki.frontProxyClientCert(),
                "--proxy-client-key-file=" + pki.frontProxyClientKey(),
                "--profiling=false"), Map.of());
        awaitReady(apiServer, "ready", () -> probe.ok(apiServerUrl() + "/readyz", "ok"));
        record("kube-apiserver", t);
    }

    private void startControllerManager(Path binary, HealthProbe probe) {
        int port = FreePorts.next();
        long t = System.nanoTime();
        ManagedProcess cm = launch("kube-controller-manager", binary, componentFlags(port,
                // One identity (admin) for all controllers: per-controller ServiceAccounts buy nothing here.
                "--use-service-account-credentials=false",
                "--service-account-private-key-file=" + pki.serviceAccountPrivateKey(),
                "--root-ca-file=" + pki.caCert(),
                // Lets CertificateSigningRequests be signed by the cluster CA, should a test need one.
                "--cluster-signing-cert-file=" + pki.caCert(),
                "--cluster-signing-key-file=" + pki.caKey(),
                "--service-cluster-ip-range=" + SERVICE_CLUSTER_IP_RANGE,
                "--controllers=*",
                "--cluster-name=outpost-test",
                // Its default is /usr/libexec/kubernetes/..., which it would create (as root) on the host.
                "--flex-volume-plugin-dir=" + workDir.resolve("flexvolume")), Map.of());
        awaitReady(cm, "healthy", () -> probe.ok("https://127.0.0.1:" + port + "/healthz", "ok"));
        record("kube-controller-manager", t);
    }

    private void startScheduler(Path binary, HealthProbe probe) {
        int port = FreePorts.next();
        long t = System.nanoTime();
        ManagedProcess scheduler = launch("kube-scheduler", binary, componentFlags(port), Map.of());
        awaitReady(scheduler, "healthy", () -> probe.ok("https://127.0.0.1:" + port + "/healthz", "ok"));
        record("kube-scheduler", t);
    }

    /** Flags the controller-manager and the scheduler share: admin identity, serving on loopback, no election. */
    private List<String> componentFlags(int port, String... more) {
        List<String> flags = new ArrayList<>(List.of(
                "--kubeconfig=" + adminKubeconfig,
                "--authentication-kubeconfig=" + adminKubeconfig,
                "--authorization-kubeconfig=" + adminKubeconfig,
                // Nothing calls them through the front proxy: no need to look its CA up in
                // kube-system/extension-apiserver-authentication; client certificates are checked against this CA.
                "--authentication-skip-lookup=true",
                "--client-ca-file=" + pki.caCert(),
                "--bind-address=127.0.0.1",
                "--secure-port=" + port,
                "--tls-cert-file=" + pki.componentCert(),
                "--tls-private-key-file=" + pki.componentKey(),
                "--leader-elect=false",
                "--profiling=false"));
        flags.addAll(List.of(more));
        return flags;
    }

    private void startKwokAndNodes(Path binary) {
        Path stages = copyResource("kwok-stages.yaml");
        Path metrics = copyResource("kwok-metrics.yaml");
        long t = System.nanoTime();
        // Built here, in parallel with the other components' start: fabric8's first client takes a while.
        adminClient = newClient(new ConfigBuilder(Config.empty())
                .withClientCertData(Pem.base64(pki.admin().certificatePem()))
                .withClientKeyData(Pem.base64(pki.admin().privateKeyPem()))
                .withClientKeyAlgo("RSA"));
        // kwok watches these from its start and does not create them. Created before kwok is launched;
        // kwok takes longer to reach its watches than the apiserver takes to serve them, and should it
        // not, its informers retry. Awaited below, so start() returns with them served.
        KwokCrds.create(adminClient);
        ManagedProcess kwok = launch("kwok", binary, List.of(
                "--kubeconfig=" + adminKubeconfig,
                "--config=" + stages,
                "--config=" + metrics,
                // Logs and usage come from objects tests create at run time, hence CRDs, not --config.
                "--enable-crds=" + KwokCrds.enableCrdsFlag(),
                // kwok's kubelet API (logs, metrics) on loopback only, with a certificate from the test CA.
                "--server-address=127.0.0.1:" + kubeletPort,
                "--node-port=" + kubeletPort,
                "--tls-cert-file=" + pki.kubeletCert(),
                "--tls-private-key-file=" + pki.kubeletKey(),
                "--manage-nodes-with-annotation-selector=" + FAKE_NODE_ANNOTATION + "=fake",
                // Leases are how the node lifecycle controller sees a node alive; without them, nodes would
                // turn NotReady (and their pods get evicted) after the grace period.
                "--node-lease-duration-seconds=40",
                // Nodes advertise 127.0.0.1 as InternalIP: the apiserver reaches kwok's kubelet API there.
                "--node-ip=127.0.0.1",
                // Pod IPs outside the service range, so pod and service addresses never collide.
                "--cidr=10.244.0.0/16"),
                // kwok would otherwise read ~/.kwok/kwok.yaml: keep the run independent of the user's setup.
                Map.of("KWOK_WORKDIR", workDir.resolve("kwok").toString()));
        for (int i = 0; i < nodeCount; i++) {
            createNode("kwok-node-" + i);
        }
        KwokCrds.awaitEstablished(adminClient, startTimeout);
        awaitReady(kwok, "running " + nodeCount + " Ready nodes", this::nodesReady);
        record("kwok (nodes Ready)", t);
    }

    private Path copyResource(String name) {
        Path target = workDir.resolve(name);
        try (InputStream in = KubeCluster.class.getResourceAsStream(name)) {
            Files.copy(Objects.requireNonNull(in, name + " resource missing"), target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }

    private void createNode(String name) {
        Map<String, Quantity> resources = Map.of(
                "cpu", new Quantity("32"), "memory", new Quantity("256Gi"), "pods", new Quantity("110"));
        Node node = new NodeBuilder()
                .withNewMetadata()
                    .withName(name)
                    .addToAnnotations(FAKE_NODE_ANNOTATION, "fake")
                    .addToAnnotations("node.alpha.kubernetes.io/ttl", "0")
                    // Where this node's resource metrics are on kwok's kubelet API (kwok-metrics.yaml).
                    .addToAnnotations("metrics.k8s.io/resource-metrics-path", resourceMetricsPath(name))
                    .addToLabels(NODE_TYPE_LABEL, "kwok")
                    .addToLabels("kubernetes.io/hostname", name)
                    .addToLabels("kubernetes.io/os", "linux")
                    .addToLabels("kubernetes.io/arch", "amd64")
                    .addToLabels("kubernetes.io/role", "agent")
                .endMetadata()
                // No taints: ordinary pods (no tolerations) must schedule onto these nodes.
                .withNewSpec().endSpec()
                .withNewStatus().withAllocatable(resources).withCapacity(resources).endStatus()
                .build();
        adminClient.nodes().resource(node).create();
    }

    private boolean nodesReady() {
        List<Node> nodes = adminClient.nodes().withLabel(NODE_TYPE_LABEL, "kwok").list().getItems();
        return nodes.size() >= nodeCount && nodes.stream().allMatch(n -> isReady(n) && untainted(n));
    }

    private static boolean isReady(Node node) {
        return node.getStatus() != null && node.getStatus().getConditions() != null
                && node.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    // The node lifecycle controller taints a node not-ready until it sees it Ready; wait that out too.
    private static boolean untainted(Node node) {
        return node.getSpec() == null || node.getSpec().getTaints() == null || node.getSpec().getTaints().isEmpty();
    }

    private void awaitDefaultServiceAccount(String namespace) {
        Awaitility.await("ServiceAccount default in " + namespace)
                .atMost(startTimeout).pollDelay(Duration.ZERO).pollInterval(POLL)
                .until(() -> adminClient.serviceAccounts().inNamespace(namespace).withName("default").get() != null);
    }

    // ---------------------------------------------------------------- API

    /** The admin client (cluster-admin via system:masters); owned by the cluster: do not close it. */
    public KubernetesClient adminClient() {
        return adminClient;
    }

    /** An admin kubeconfig file (inline certificates), usable by another process, e.g. kubectl. */
    public Path kubeconfig() {
        return adminKubeconfig;
    }

    /** The apiserver's URL, {@code https://127.0.0.1:<port>}. */
    public String apiServerUrl() {
        return "https://127.0.0.1:" + apiServerPort;
    }

    /**
     * kwok's kubelet API, {@code https://127.0.0.1:<port>}, shared by every fake node; its serving
     * certificate chains to {@link #caCertPem()}. The apiserver streams pod logs from here.
     */
    public String kubeletUrl() {
        return "https://127.0.0.1:" + kubeletPort;
    }

    /** The path of a node's resource metrics (the kubelet's {@code /metrics/resource}) on {@link #kubeletUrl()}. */
    public static String resourceMetricsPath(String nodeName) {
        return "/metrics/nodes/" + nodeName + "/metrics/resource";
    }

    /** The cluster CA certificate (PEM) that the apiserver's serving certificate chains to. */
    public String caCertPem() {
        return pki.ca().ca().certificatePem();
    }

    /** The folder holding this cluster's logs (one per component), certificates and kubeconfigs. */
    public Path workDir() {
        return workDir;
    }

    /** How long each component took to become ready, and the total, in start order. */
    public Map<String, Duration> startTimes() {
        synchronized (startTimes) {
            return Collections.unmodifiableMap(new LinkedHashMap<>(startTimes));
        }
    }

    /**
     * Creates a namespace named {@code prefix-<random>} and waits for its default ServiceAccount, so
     * pods can be created in it at once. Tests isolate themselves from each other this way.
     */
    public String newNamespace(String prefix) {
        StringBuilder name = new StringBuilder(prefix).append('-');
        for (int i = 0; i < 6; i++) {
            name.append("abcdefghijklmnopqrstuvwxyz0123456789".charAt(RANDOM.nextInt(36)));
        }
        return createNamespace(name.toString());
    }

    /** Creates the namespace {@code name} and waits for its default ServiceAccount; returns the name. */
    public String createNamespace(String name) {
        adminClient.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
                .create();
        awaitDefaultServiceAccount(name);
        return name;
    }

    /**
     * Makes kwok serve {@code file} as the log of every container of the pod (a kwok {@code Logs}
     * object named after the pod), followed as the test appends to it: {@code pods().getLog()} and
     * {@code watchLog()} then read it through the apiserver. kwok picks the object up within a moment
     * of this call, so read it with a bounded retry. Write the file with {@link CriLogFile} (kwok reads
     * the CRI log format, as a kubelet does).
     */
    public void podLogsFromFile(String namespace, String pod, Path file) {
        KwokObjects.apply(adminClient, KwokObjects.logs(namespace, pod, file));
    }

    /**
     * Gives every container of the pod a constant usage (a kwok {@code ResourceUsage} named after the
     * pod), e.g. {@code "250m"}, {@code "64Mi"}: served on the node's {@link #resourceMetricsPath} as
     * {@code container_cpu_usage_seconds_total} (growing by cpu per second) and
     * {@code container_memory_working_set_bytes}. Calling again replaces the values.
     */
    public void podResourceUsage(String namespace, String pod, String cpu, String memory) {
        KwokObjects.apply(adminClient, KwokObjects.resourceUsage(namespace, pod, cpu, memory));
    }

    /**
     * Serves {@code metrics.k8s.io} as a real cluster does, on first call: starts metrics-server (built by
     * {@code e2e/cluster/build.sh}), which scrapes every node's resource metrics on kwok's kubelet API
     * (the path in the node's {@code metrics.k8s.io/resource-metrics-path} annotation), and registers it
     * with the aggregator through an {@code ExternalName} Service pointing at {@code localhost}. Returns
     * once the APIService is Available; a pod's metrics appear after two scrapes of its usage
     * ({@link #podResourceUsage}), about 20 s, as metrics-server needs two samples for a CPU rate.
     */
    public synchronized void enableMetricsApi() {
        if (metricsApiEnabled) {
            return;
        }
        Path binary = binaries.require("metrics-server");
        int port = FreePorts.next();
        long t = System.nanoTime();
        ManagedProcess metricsServer = launch("metrics-server", binary, List.of(
                "--kubeconfig=" + adminKubeconfig,
                "--authentication-kubeconfig=" + adminKubeconfig,
                "--authorization-kubeconfig=" + adminKubeconfig,
                "--requestheader-client-ca-file=" + pki.frontProxyCaCert(),
                "--requestheader-allowed-names=" + ClusterPki.FRONT_PROXY_CLIENT,
                "--bind-address=127.0.0.1",
                "--secure-port=" + port,
                "--tls-cert-file=" + pki.metricsServerCert(),
                "--tls-private-key-file=" + pki.metricsServerKey(),
                // kwok's kubelet API: the nodes' InternalIP (127.0.0.1) and the port they publish, verified
                // against the test CA, with the client certificate a kubelet would check.
                "--kubelet-preferred-address-types=InternalIP",
                "--kubelet-use-node-status-port",
                "--kubelet-certificate-authority=" + pki.caCert(),
                "--kubelet-client-certificate=" + pki.kubeletClientCert(),
                "--kubelet-client-key=" + pki.kubeletClientKey(),
                // its shortest (it must exceed the kubelet request timeout): tests wait two resolutions
                // for a first CPU rate
                "--kubelet-request-timeout=5s",
                "--metric-resolution=10s"), Map.of());
        MetricsApiObjects.apply(adminClient, port, caCertPem());
        awaitReady(metricsServer, "serving metrics.k8s.io", () -> MetricsApiObjects.available(adminClient));
        record("metrics-server (metrics.k8s.io Available)", t);
        metricsApiEnabled = true;
    }

    /** A fresh bearer token for a ServiceAccount from the TokenRequest API, valid {@link #TOKEN_LIFETIME}. */
    public String serviceAccountToken(String namespace, String serviceAccount) {
        TokenRequest request = new TokenRequestBuilder()
                .withNewSpec().withExpirationSeconds(TOKEN_LIFETIME.toSeconds()).endSpec()
                .build();
        return adminClient.serviceAccounts().inNamespace(namespace).withName(serviceAccount)
                .tokenRequest(request).getStatus().getToken();
    }

    /** A new client acting as the ServiceAccount (bearer token, cluster CA); the caller closes it. */
    public KubernetesClient serviceAccountClient(String namespace, String serviceAccount) {
        return newClient(new ConfigBuilder(Config.empty())
                .withOauthToken(serviceAccountToken(namespace, serviceAccount))
                .withNamespace(namespace));
    }

    /**
     * Writes a kubeconfig acting as the ServiceAccount (bearer token, cluster CA, context namespace =
     * {@code namespace}) for another process to use; returns {@code file}.
     */
    public Path writeServiceAccountKubeconfig(String namespace, String serviceAccount, Path file) {
        String user = "system:serviceaccount:" + namespace + ":" + serviceAccount;
        return Kubeconfig.write(file, Kubeconfig.withToken(apiServerUrl(), caCertPem(), user,
                serviceAccountToken(namespace, serviceAccount), namespace));
    }

    private KubernetesClient newClient(ConfigBuilder config) {
        // Config.empty(): nothing from ~/.kube/config, the environment or system properties leaks in.
        return new KubernetesClientBuilder().withConfig(config
                .withMasterUrl(apiServerUrl())
                .withCaCertData(Pem.base64(caCertPem()))
                .build()).build();
    }

    // ---------------------------------------------------------------- stop

    /** Stops every process of the cluster and deletes its work folder (unless asked to keep it). */
    @Override
    public void close() {
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // The JVM is already shutting down: the hook is running or will run; stopping twice is harmless.
            }
        }
        stopAndClean();
    }

    private synchronized void stopAndClean() {
        if (closed) {
            return;
        }
        closed = true;
        if (adminClient != null) {
            adminClient.close();
        }
        List<ManagedProcess> toStop;
        synchronized (processes) {
            toStop = new ArrayList<>(processes);
        }
        Collections.reverse(toStop);
        long t = System.nanoTime();
        // Reverse start order, one at a time: an apiserver whose etcd vanished under it hangs in its
        // graceful shutdown until killed, so etcd must outlive it.
        List<String> killed = new ArrayList<>();
        for (ManagedProcess process : toStop) {
            killed.addAll(ManagedProcess.stopAll(List.of(process), STOP_GRACE));
        }
        if (!killed.isEmpty()) {
            LOG.warn("test cluster: killed after {} s without exiting on SIGTERM: {}", STOP_GRACE.toSeconds(), killed);
        }
        LOG.info("test cluster: processes stopped in {} ms", Duration.ofNanos(System.nanoTime() - t).toMillis());
        if (watchdog != null) {
            watchdog.close();
        }
        if (workDir != null) {
            if (keepWorkDir) {
                LOG.info("test cluster: stopped; kept {}", workDir);
            } else {
                deleteRecursively(workDir);
                LOG.info("test cluster: stopped");
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private ManagedProcess launch(String name, Path binary, List<String> args, Map<String, String> env) {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(args);
        ManagedProcess process = ManagedProcess.start(name, command, workDir.resolve(name + ".log"), workDir, env);
        processes.add(process);
        watchdog.watch(process.pid());
        LOG.debug("test cluster: started {}", process);
        return process;
    }

    /** Waits until {@code ready}, failing with the end of the component's log if it exits or times out. */
    private void awaitReady(ManagedProcess process, String what, Callable<Boolean> ready) {
        try {
            Awaitility.await(process.name() + " " + what)
                    .atMost(startTimeout).pollDelay(Duration.ZERO).pollInterval(POLL)
                    .until(() -> {
                        process.checkAlive();
                        return ready.call();
                    });
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException(process.name() + " not " + what + " within " + startTimeout + "; end of "
                    + process.log() + ":\n" + process.tail(), e);
        }
    }

    private static boolean httpOk(String url, String expected) {
        try {
            HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
            connection.setConnectTimeout(2000);
            connection.setReadTimeout(2000);
            try (InputStream in = connection.getInputStream()) {
                return connection.getResponseCode() == 200
                        && new String(in.readAllBytes(), StandardCharsets.UTF_8).contains(expected);
            } finally {
                connection.disconnect();
            }
        } catch (IOException e) {
            return false;
        }
    }

    private void record(String component, long startedNanos) {
        Duration took = Duration.ofNanos(System.nanoTime() - startedNanos);
        startTimes.put(component, took);
        LOG.info("test cluster: {} ready in {} ms", component, took.toMillis());
    }

    private String formatStartTimes() {
        synchronized (startTimes) {
            StringBuilder out = new StringBuilder();
            startTimes.forEach((k, v) -> out.append(out.isEmpty() ? "" : ", ").append(k).append('=')
                    .append(v.toMillis()).append("ms"));
            return out.toString();
        }
    }

    private static CompletableFuture<Void> runAsync(ExecutorService executor, Runnable task) {
        return CompletableFuture.runAsync(task, executor);
    }

    /** Waits for all, but fails as soon as one fails (the caller then interrupts the others). */
    private static void join(CompletableFuture<?>... futures) {
        CompletableFuture<Void> all = CompletableFuture.allOf(futures);
        for (CompletableFuture<?> future : futures) {
            future.whenComplete((ignored, failure) -> {
                if (failure != null) {
                    all.completeExceptionally(failure);
                }
            });
        }
        try {
            all.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error cause) {
                throw cause;
            }
            throw e;
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // Best effort: a leftover temp file must not fail the test run.
                }
            });
        } catch (IOException e) {
            LOG.warn("test cluster: cannot delete {}: {}", dir, e.toString());
        }
    }
}

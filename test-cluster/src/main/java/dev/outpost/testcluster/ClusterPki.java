package dev.outpost.testcluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Every certificate and key the test cluster needs, written as PEM files in one folder: the CA, the
 * apiserver's serving certificate, the admin client certificate and the service-account signing key,
 * and for the aggregation layer a front-proxy CA, the apiserver's front-proxy client certificate and
 * metrics-server's serving certificate.
 */
public final class ClusterPki {

    /** The admin user's name (CN of its client certificate). */
    public static final String ADMIN_USER = "outpost-test-admin";
    /** The admin's group: bound to cluster-admin by Kubernetes' bootstrap RBAC policy. */
    public static final String ADMIN_GROUP = "system:masters";

    /** Names the apiserver answers to: loopback for tests, the in-cluster names for anything that uses them. */
    static final List<String> APISERVER_DNS_NAMES =
            List.of("localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc");
    /** 10.0.0.1 is the kubernetes Service's ClusterIP: the first address of --service-cluster-ip-range. */
    static final List<String> APISERVER_IPS = List.of("127.0.0.1", "10.0.0.1");
    /** The CN the apiserver's front-proxy client certificate has, the only one aggregated servers trust. */
    public static final String FRONT_PROXY_CLIENT = "front-proxy-client";
    /**
     * The name the aggregator checks metrics-server's certificate against: it dials the APIService's
     * Service and verifies {@code <service>.<namespace>.svc}, whatever address the Service resolves to.
     */
    static final String METRICS_SERVER_DNS_NAME = "metrics-server.kube-system.svc";

    private final CertificateAuthority ca;
    private final CertificateAuthority.Issued apiServer;
    private final CertificateAuthority.Issued admin;
    private final CertificateAuthority.Issued componentServing;
    private final CertificateAuthority.Issued kubeletServing;
    private final CertificateAuthority.Issued kubeletClient;
    private final CertificateAuthority frontProxyCa;
    private final CertificateAuthority.Issued frontProxyClient;
    private final CertificateAuthority.Issued metricsServerServing;
    private final KeyPair serviceAccountKeys;
    private final Path dir;

    private ClusterPki(Path dir) {
        this.dir = dir;
        // The RSA key is the slow part (~0.3-0.6 s on a cold JVM): make it on a second core meanwhile.
        CompletableFuture<KeyPair> adminKeys = CompletableFuture.supplyAsync(CertificateAuthority::newRsaKeyPair);
        this.ca = CertificateAuthority.create("outpost-test-ca");
        this.apiServer = ca.issueServer("kube-apiserver", APISERVER_DNS_NAMES, APISERVER_IPS);
        this.admin = ca.issueClient(ADMIN_USER, List.of(ADMIN_GROUP), adminKeys.join());
        // Controller-manager and scheduler serve /healthz with it, so their health checks verify TLS too.
        this.componentServing = ca.issueServer("outpost-test-components", List.of("localhost"), List.of("127.0.0.1"));
        // kwok's kubelet API serves with it, so the apiserver verifies the "kubelet" it streams logs from.
        this.kubeletServing = ca.issueServer("outpost-test-kubelet", List.of("localhost"), List.of("127.0.0.1"));
        // The apiserver's identity towards kubelets, as in a real cluster (kwok does not check it).
        this.kubeletClient = ca.issueClient("kube-apiserver-kubelet-client", List.of(ADMIN_GROUP),
                CertificateAuthority.newEcKeyPair());
        // A CA of its own, as kubeadm does: a client certificate from the cluster CA must not be able to
        // assert any user it likes to an aggregated server through the request headers.
        this.frontProxyCa = CertificateAuthority.create("outpost-test-front-proxy-ca");
        this.frontProxyClient = frontProxyCa.issueClient(FRONT_PROXY_CLIENT, List.of(), CertificateAuthority.newEcKeyPair());
        this.metricsServerServing = ca.issueServer("metrics-server",
                List.of(METRICS_SERVER_DNS_NAME, "localhost"), List.of("127.0.0.1"));
        // ES256 service-account tokens: the apiserver accepts RSA or ECDSA signing keys.
        this.serviceAccountKeys = CertificateAuthority.newEcKeyPair();
    }

    /** Generates all keys and certificates and writes them into {@code dir}. */
    public static ClusterPki generate(Path dir) {
        ClusterPki pki = new ClusterPki(dir);
        pki.write();
        return pki;
    }

    private void write() {
        try {
            Files.createDirectories(dir);
            writeFile(caCert(), ca.ca().certificatePem());
            writeFile(caKey(), ca.ca().privateKeyPem());
            writeFile(apiServerCert(), apiServer.certificatePem());
            writeFile(apiServerKey(), apiServer.privateKeyPem());
            writeFile(adminCert(), admin.certificatePem());
            writeFile(adminKey(), admin.privateKeyPem());
            writeFile(componentCert(), componentServing.certificatePem());
            writeFile(componentKey(), componentServing.privateKeyPem());
            writeFile(kubeletCert(), kubeletServing.certificatePem());
            writeFile(kubeletKey(), kubeletServing.privateKeyPem());
            writeFile(kubeletClientCert(), kubeletClient.certificatePem());
            writeFile(kubeletClientKey(), kubeletClient.privateKeyPem());
            writeFile(frontProxyCaCert(), frontProxyCa.ca().certificatePem());
            writeFile(frontProxyClientCert(), frontProxyClient.certificatePem());
            writeFile(frontProxyClientKey(), frontProxyClient.privateKeyPem());
            writeFile(metricsServerCert(), metricsServerServing.certificatePem());
            writeFile(metricsServerKey(), metricsServerServing.privateKeyPem());
            writeFile(serviceAccountPrivateKey(), Pem.privateKey(serviceAccountKeys.getPrivate()));
            writeFile(serviceAccountPublicKey(), Pem.publicKey(serviceAccountKeys.getPublic()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the test cluster's PKI to " + dir, e);
        }
    }

    private static void writeFile(Path path, String pem) throws IOException {
        Files.writeString(path, pem, StandardCharsets.US_ASCII);
    }

    /** The certificate authority (also signs CSRs in the controller-manager). */
    public CertificateAuthority ca() {
        return ca;
    }

    /** The admin client certificate and key. */
    public CertificateAuthority.Issued admin() {
        return admin;
    }

    /** The CA certificate file. */
    public Path caCert() {
        return dir.resolve("ca.crt");
    }

    /** The CA private key file. */
    public Path caKey() {
        return dir.resolve("ca.key");
    }

    /** The apiserver's serving certificate file. */
    public Path apiServerCert() {
        return dir.resolve("apiserver.crt");
    }

    /** The apiserver's serving key file. */
    public Path apiServerKey() {
        return dir.resolve("apiserver.key");
    }

    /** The admin client certificate file. */
    public Path adminCert() {
        return dir.resolve("admin.crt");
    }

    /** The admin client key file. */
    public Path adminKey() {
        return dir.resolve("admin.key");
    }

    /** The serving certificate file of the controller-manager and the scheduler. */
    public Path componentCert() {
        return dir.resolve("component.crt");
    }

    /** The serving key file of the controller-manager and the scheduler. */
    public Path componentKey() {
        return dir.resolve("component.key");
    }

    /** The serving certificate file of kwok's kubelet API (SANs 127.0.0.1, localhost). */
    public Path kubeletCert() {
        return dir.resolve("kubelet.crt");
    }

    /** The serving key file of kwok's kubelet API. */
    public Path kubeletKey() {
        return dir.resolve("kubelet.key");
    }

    /** The client certificate file the apiserver presents to kubelets. */
    public Path kubeletClientCert() {
        return dir.resolve("apiserver-kubelet-client.crt");
    }

    /** The client key file the apiserver presents to kubelets. */
    public Path kubeletClientKey() {
        return dir.resolve("apiserver-kubelet-client.key");
    }

    /** The front-proxy CA certificate file: aggregated servers trust request headers only from its clients. */
    public Path frontProxyCaCert() {
        return dir.resolve("front-proxy-ca.crt");
    }

    /** The client certificate file the apiserver presents to aggregated servers (CN {@value #FRONT_PROXY_CLIENT}). */
    public Path frontProxyClientCert() {
        return dir.resolve("front-proxy-client.crt");
    }

    /** The client key file the apiserver presents to aggregated servers. */
    public Path frontProxyClientKey() {
        return dir.resolve("front-proxy-client.key");
    }

    /** metrics-server's serving certificate file (the Service name the aggregator verifies, and 127.0.0.1). */
    public Path metricsServerCert() {
        return dir.resolve("metrics-server.crt");
    }

    /** metrics-server's serving key file. */
    public Path metricsServerKey() {
        return dir.resolve("metrics-server.key");
    }

    /** The service-account token signing key (apiserver signs, controller-manager signs legacy tokens). */
    public Path serviceAccountPrivateKey() {
        return dir.resolve("sa.key");
    }

    /** The service-account token verification key. */
    public Path serviceAccountPublicKey() {
        return dir.resolve("sa.pub");
    }
}

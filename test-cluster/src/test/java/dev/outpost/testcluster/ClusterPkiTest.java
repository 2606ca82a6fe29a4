package dev.outpost.testcluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterPkiTest {

    @TempDir
    static Path dir;
    static ClusterPki pki;

    @BeforeAll
    static void generate() {
        pki = ClusterPki.generate(dir);
    }

    @Test
    void apiServerCertificateNamesLoopbackAndInClusterNamesAndChainsToTheCa() throws Exception {
        X509Certificate ca = read(pki.caCert());
        X509Certificate server = read(pki.apiServerCert());

        server.verify(ca.getPublicKey());
        assertThat(ca.getBasicConstraints()).isGreaterThanOrEqualTo(0);
        assertThat(server.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        assertThat(server.getSubjectAlternativeNames())
                .extracting(san -> (Object) san.get(1))
                .containsExactlyInAnyOrder("localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
                        "127.0.0.1", "10.0.0.1");
    }

    @Test
    void adminCertificateIsAClientCertificateInSystemMasters() throws Exception {
        X509Certificate admin = read(pki.adminCert());

        admin.verify(read(pki.caCert()).getPublicKey());
        assertThat(admin.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
        assertThat(admin.getSubjectX500Principal().getName()).isEqualTo("CN=outpost-test-admin,O=system:masters");
    }

    @Test
    void keysAreWrittenAsPkcs8AndServiceAccountPublicKeyAsSpki() throws Exception {
        for (Path key : List.of(pki.caKey(), pki.apiServerKey(), pki.adminKey(), pki.componentKey(),
                pki.serviceAccountPrivateKey())) {
            assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("-----END PRIVATE KEY-----\n");
        }
        assertThat(Files.readString(pki.serviceAccountPublicKey())).startsWith("-----BEGIN PUBLIC KEY-----\n");
    }

    private static X509Certificate read(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }
}

package dev.outpost.agent.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The certificate authorities of a customer's network (a TLS-inspecting proxy's, an internal PKI's),
 * trusted by the agent's HTTPS clients besides the JVM's own: {@code --ca-bundle}. The hub's gateway is
 * not concerned (its CA is pinned by fingerprint at enrolment), nor the API server (its CA comes with
 * the kubeconfig or the ServiceAccount).
 */
public final class CaBundleTrust {
    /** Most certificates one bundle may hold. */
    static final int MAX_CERTIFICATES = 500;
    /** Largest bundle file read. */
    static final long MAX_BYTES = 4L << 20;

    private CaBundleTrust() {
    }

    /** Makes the bundle's CAs trusted, with the JVM's, by every client that uses the default SSLContext. */
    public static int installAsDefault(Path bundle) throws IOException {
        List<X509Certificate> certificates = read(bundle);
        SSLContext context = sslContext(certificates);
        SSLContext.setDefault(context);
        HttpsURLConnection.setDefaultSSLSocketFactory(context.getSocketFactory());
        return certificates.size();
    }

    /** An SSLContext trusting the JVM's CAs and {@code extra}. */
    static SSLContext sslContext(List<X509Certificate> extra) throws IOException {
        try {
            X509TrustManager jvm = trustManager(null);
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            for (int i = 0; i < extra.size(); i++) {
                store.setCertificateEntry("ca-bundle-" + i, extra.get(i));
            }
            X509TrustManager bundle = trustManager(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new EitherTrustManager(jvm, bundle)}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot build a trust store from the CA bundle: " + e.getMessage(), e);
        }
    }

    /** The X.509 certificates of a PEM file; a clear error for a missing, empty, oversized or unreadable one. */
    static List<X509Certificate> read(Path bundle) throws IOException {
        if (!Files.isRegularFile(bundle)) {
            throw new IOException("--ca-bundle " + bundle + " is not a file");
        }
        if (Files.size(bundle) > MAX_BYTES) {
            throw new IOException("--ca-bundle " + bundle + " is larger than " + MAX_BYTES + " bytes");
        }
        Collection<? extends Certificate> parsed;
        try (InputStream in = Files.newInputStream(bundle)) {
            parsed = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (CertificateException e) {
            throw new IOException("--ca-bundle " + bundle + " is not a PEM file of certificates: " + e.getMessage(), e);
        }
        List<X509Certificate> certificates = new ArrayList<>();
        for (Certificate certificate : parsed) {
            if (certificate instanceof X509Certificate x509) {
                certificates.add(x509);
            }
        }
        if (certificates.isEmpty()) {
            throw new IOException("--ca-bundle " + bundle + " holds no certificate");
        }
        if (certificates.size() > MAX_CERTIFICATES) {
            throw new IOException("--ca-bundle " + bundle + " holds more than " + MAX_CERTIFICATES + " certificates");
        }
        return certificates;
    }

    private static X509TrustManager trustManager(KeyStore store) throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        return Arrays.stream(factory.getTrustManagers()).filter(X509TrustManager.class::isInstance)
                .map(X509TrustManager.class::cast).findFirst()
                .orElseThrow(() -> new GeneralSecurityException("no X509TrustManager"));
    }

    /** Trusts a chain either of two trust managers trusts. */
    private record EitherTrustManager(X509TrustManager first, X509TrustManager second) implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            try {
                first.checkClientTrusted(chain, authType);
            } catch (CertificateException e) {
                second.checkClientTrusted(chain, authType);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            try {
                first.checkServerTrusted(chain, authType);
            } catch (CertificateException e) {
                second.checkServerTrusted(chain, authType);
            }
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            X509Certificate[] a = first.getAcceptedIssuers();
            X509Certificate[] b = second.getAcceptedIssuers();
            X509Certificate[] both = Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, both, a.length, b.length);
            return both;
        }
    }
}

package dev.outpost.testcluster;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Polls the components' health endpoints over HTTPS, trusting only the cluster CA and presenting the
 * admin client certificate.
 */
final class HealthProbe implements AutoCloseable {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final HttpClient client;

    HealthProbe(ClusterPki pki) {
        this.client = HttpClient.newBuilder()
                .sslContext(sslContext(pki))
                .connectTimeout(TIMEOUT)
                .build();
    }

    /** True when {@code url} answers 200 and its body contains {@code expected}; false on any error. */
    boolean ok(String url, String expected) {
        try {
            HttpResponse<String> response = client.send(
                    HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 && response.body().contains(expected);
        } catch (IOException e) {
            // Not listening yet, or the TLS handshake raced the server's start.
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        client.close();
    }

    private static SSLContext sslContext(ClusterPki pki) {
        try {
            char[] password = "unused".toCharArray();
            Certificate caCert = pki.ca().ca().certificate();
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("admin", pki.admin().keyPair().getPrivate(), password,
                    new Certificate[] {pki.admin().certificate(), caCert});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, password);

            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", caCert);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);

            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build the TLS context for health checks", e);
        }
    }
}

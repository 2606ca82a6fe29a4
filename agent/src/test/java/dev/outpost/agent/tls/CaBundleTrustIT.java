package dev.outpost.agent.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.outpost.agent.connection.TestPki;
import dev.outpost.protocol.Pem;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real HTTPS server on loopback whose certificate comes from a CA the JVM does not know (as a
 * TLS-inspecting proxy's would): refused with the JVM's trust, accepted with the bundle's.
 */
class CaBundleTrustIT {
    private final TestPki pki = new TestPki();
    private HttpsServer server;

    @TempDir
    Path dir;

    @BeforeEach
    void serve() throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("server", pki.serverKeys.getPrivate(), new char[0], new Certificate[] {pki.server, pki.ca});
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(keys, new char[0]);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(factory.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/", exchange -> {
            byte[] body = "inspected".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void aServerSignedByTheBundlesCaIsTrustedBesidesTheJvmsOwn() throws Exception {
        Path bundle = dir.resolve("ca.crt");
        Files.writeString(bundle, Pem.certificate(pki.ca));
        URI uri = URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/");

        assertThatThrownBy(() -> get(SSLContext.getDefault(), uri)).isInstanceOf(SSLHandshakeException.class);

        SSLContext withBundle = CaBundleTrust.sslContext(CaBundleTrust.read(bundle));
        assertThat(get(withBundle, uri)).isEqualTo("inspected");
    }

    @Test
    void aMissingEmptyOrWrongBundleSaysWhat() throws IOException {
        Path empty = Files.writeString(dir.resolve("empty.crt"), "");
        Path key = Files.writeString(dir.resolve("key.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");

        assertThatThrownBy(() -> CaBundleTrust.read(dir.resolve("missing.crt"))).hasMessageContaining("is not a file");
        assertThatThrownBy(() -> CaBundleTrust.read(empty)).hasMessageContaining("holds no certificate");
        assertThatThrownBy(() -> CaBundleTrust.read(key)).hasMessageContaining(key.toString());
    }

    private static String get(SSLContext context, URI uri) throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(5)).build();
        return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}

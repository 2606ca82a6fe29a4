package dev.outpost.protocol;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/** The JDK's PKIX trust manager anchored at exactly the given CAs: how both ends of outpost.v1 check a peer's chain. */
public final class TrustAnchors {
    private TrustAnchors() {
    }

    /**
     * A trust manager that trusts {@code cas} and nothing else (with the JDK's checks: chain,
     * validity, and the host name when the connection asks for one).
     *
     * @throws IllegalStateException when the JVM offers no such trust manager
     */
    public static X509ExtendedTrustManager trusting(List<X509Certificate> cas) {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            for (int i = 0; i < cas.size(); i++) {
                store.setCertificateEntry("ca-" + i, cas.get(i));
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
            factory.init(store);
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509ExtendedTrustManager extended) {
                    return extended;
                }
            }
            throw new IllegalStateException("the JDK offers no X509ExtendedTrustManager");
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot set up trust in the CAs " + cas.stream()
                    .map(CaFingerprint::of).toList() + ": " + e.getMessage(), e);
        }
    }
}

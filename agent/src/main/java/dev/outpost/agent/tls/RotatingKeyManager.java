package dev.outpost.agent.tls;

import dev.outpost.agent.identity.AgentCredentials;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The agent's client key and certificate for TLS to the hub, replaceable while the process runs: a
 * renewed certificate is used from the next handshake on, and open connections keep the one they
 * were made with. Replacing also forgets cached sessions, so no new connection resumes with the old one.
 */
public final class RotatingKeyManager extends X509ExtendedKeyManager {
    private static final String ALIAS = "outpost-agent";

    private final List<SSLSessionContext> sessionCaches = new CopyOnWriteArrayList<>();
    private volatile AgentCredentials current;

    public RotatingKeyManager(AgentCredentials credentials) {
        this.current = credentials;
    }

    /** The credentials new handshakes use. */
    public AgentCredentials current() {
        return current;
    }

    /** Uses {@code renewed} from the next handshake on; the identity must stay the same. */
    public void replace(AgentCredentials renewed) {
        if (!renewed.identity().equals(current.identity())) {
            throw new IllegalArgumentException("renewed credentials belong to " + renewed.identity() + ", not "
                    + current.identity());
        }
        current = renewed;
        for (SSLSessionContext cache : sessionCaches) {
            for (byte[] id : Collections.list(cache.getIds())) {
                SSLSession session = cache.getSession(id);
                if (session != null) {
                    session.invalidate();
                }
            }
        }
    }

    /** A client TLS context whose cached sessions {@link #replace} invalidates. */
    public void forgetSessionsOnReplace(SSLSessionContext cache) {
        if (cache != null) {
            sessionCaches.add(cache);
        }
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return choose(keyTypes);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return choose(keyTypes);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return choose(new String[] {keyType}) == null ? null : new String[] {ALIAS};
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return ALIAS.equals(alias) ? new X509Certificate[] {current.certificate()} : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return ALIAS.equals(alias) ? current.key() : null;
    }

    /** The agent is a client only. */
    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return null;
    }

    /** Our alias when the handshake asks for a key of our key's type (EC), else none. */
    private String choose(String[] keyTypes) {
        String algorithm = current.key().getAlgorithm();
        return keyTypes != null && Arrays.asList(keyTypes).contains(algorithm) ? ALIAS : null;
    }
}

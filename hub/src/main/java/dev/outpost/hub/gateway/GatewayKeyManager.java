package dev.outpost.hub.gateway;

import dev.outpost.hub.pki.GatewayKeyMaterial;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The gateway's server key and chain, replaceable while it runs: after a CA rollover the next
 * handshake presents the certificate of the new CA, and open connections keep theirs.
 */
final class GatewayKeyManager extends X509ExtendedKeyManager {
    private static final String ALIAS = "outpost-gateway";

    private volatile GatewayKeyMaterial current;

    GatewayKeyManager(GatewayKeyMaterial material) {
        this.current = material;
    }

    /** Presents {@code material} from the next handshake on. */
    void replace(GatewayKeyMaterial material) {
        this.current = material;
    }

    // One key only: whatever type the handshake asks about, this is the one it gets.
    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return ALIAS;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return ALIAS;
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return new String[] {ALIAS};
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return ALIAS.equals(alias) ? current.chain().toArray(X509Certificate[]::new) : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return ALIAS.equals(alias) ? current.key() : null;
    }

    /** The gateway is a server only. */
    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return null;
    }
}

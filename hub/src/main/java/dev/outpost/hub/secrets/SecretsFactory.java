package dev.outpost.hub.secrets;

import dev.outpost.hub.pki.HubCertificateAuthority;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub's {@link SecretSealer}. Its keys: those of outpost.secrets.keys, if set, then always one
 * derived from the CA's private key. The derived key needs no setting and no file: every replica
 * shares the CA already, and a hub that keeps its CA keeps its secrets.
 */
@Factory
public class SecretsFactory {
    private static final Logger LOG = LoggerFactory.getLogger(SecretsFactory.class);
    /** What the CA-derived key is derived for; a new purpose would be a new key. */
    static final String DERIVATION_PURPOSE = "outpost secrets at rest v1";

    @Singleton
    SecretSealer sealer(SecretsConfig config, HubCertificateAuthority ca) {
        String derived = Base64.getEncoder().encodeToString(ca.derivedSecret(DERIVATION_PURPOSE));
        boolean configured = config.getKeys() != null && !config.getKeys().isBlank();
        SecretKeyring keys = SecretKeyring.parse(configured ? config.getKeys() + "," + derived : derived);
        LOG.info("Sealing secrets at rest with {}{}", keys, configured ? " (outpost.secrets.keys, then the CA's)"
                : " (derived from the CA key)");
        return new SecretSealer(keys);
    }
}

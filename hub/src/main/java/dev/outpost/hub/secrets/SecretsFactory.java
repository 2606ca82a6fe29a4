package dev.outpost.hub.secrets;

import dev.outpost.hub.pki.HubCertificateAuthority;
import dev.outpost.hub.store.Database;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub's {@link SecretSealer}. Its keys: the data key OpenBao's Transit unwraps, when
 * outpost.secrets.openbao-address is set; then those of outpost.secrets.keys, if set; then always one
 * derived from the CA's private key, which needs no setting and no file (every replica shares the CA
 * already, and a hub that keeps its CA keeps its secrets). The first seals, all open, and the
 * resealer moves what an older key sealed to the first.
 */
@Factory
public class SecretsFactory {
    private static final Logger LOG = LoggerFactory.getLogger(SecretsFactory.class);
    /** What the CA-derived key is derived for; a new purpose would be a new key. */
    static final String DERIVATION_PURPOSE = "outpost secrets at rest v1";

    @Singleton
    SecretSealer sealer(SecretsConfig config, HubCertificateAuthority ca, Database db, Clock clock) {
        List<String> keys = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        if (config.getOpenbaoAddress() != null && !config.getOpenbaoAddress().isBlank()) {
            OpenBaoTransit transit = new OpenBaoTransit(config.getOpenbaoAddress(), openBaoToken(config),
                    config.getOpenbaoTransitMount(), config.getOpenbaoTransitKey(),
                    (int) Math.max(1, config.getOpenbaoTimeout().toSeconds()));
            keys.add(Base64.getEncoder().encodeToString(WrappedDataKey.load(transit, db, clock, Duration.ofSeconds(1))));
            sources.add("the data key " + transit.keyName() + " at " + config.getOpenbaoAddress());
        }
        if (config.getKeys() != null && !config.getKeys().isBlank()) {
            keys.add(config.getKeys());
            sources.add("outpost.secrets.keys");
        }
        List<String> derived = caDerivedKeys(ca);
        keys.addAll(derived);
        sources.add("the key derived from the CA's" + (derived.size() == 1 ? ""
                : ", then, for opening only, " + (derived.size() - 1) + " derived from the other CA keys kept "
                        + "(next, previous, retired)"));
        SecretKeyring keyring = SecretKeyring.parse(String.join(",", keys));
        LOG.info("Sealing secrets at rest with {} ({})", keyring, String.join(", then ", sources));
        return new SecretSealer(keyring);
    }

    /** Where deployments' secret values are kept: OpenBao's KV v2 when outpost.secrets.openbao-kv-mount is set. */
    @Singleton
    SecretValues values(SecretsConfig config, SecretSealer sealer) {
        String mount = config.getOpenbaoKvMount();
        if (mount == null || mount.isBlank()) {
            return new SealedSecretValues(sealer);
        }
        if (config.getOpenbaoAddress() == null || config.getOpenbaoAddress().isBlank()) {
            throw new IllegalStateException("outpost.secrets.openbao-kv-mount is set but outpost.secrets.openbao-address "
                    + "(OUTPOST_SECRETS_OPENBAO_ADDRESS) is not");
        }
        LOG.info("Keeping deployments' secret values in OpenBao's KV v2 at {}/{}", config.getOpenbaoAddress(), mount);
        return new OpenBaoKvSecretValues(new OpenBaoKv(config.getOpenbaoAddress(), openBaoToken(config), mount.strip(),
                (int) Math.max(1, config.getOpenbaoTimeout().toSeconds())), sealer);
    }

    /**
     * Base64 keys derived from the CA keys: the signing CA's at start first (it seals), then those of
     * the other CAs kept, so that what was sealed before a CA rollover still opens and is resealed.
     */
    static List<String> caDerivedKeys(HubCertificateAuthority ca) {
        List<String> keys = new ArrayList<>();
        keys.add(Base64.getEncoder().encodeToString(ca.derivedSecret(DERIVATION_PURPOSE)));
        ca.olderDerivedSecrets(DERIVATION_PURPOSE).forEach(secret -> keys.add(Base64.getEncoder().encodeToString(secret)));
        return keys;
    }

    /** The token, from outpost.secrets.openbao-token or the file outpost.secrets.openbao-token-file names. */
    static String openBaoToken(SecretsConfig config) {
        if (config.getOpenbaoToken() != null && !config.getOpenbaoToken().isBlank()) {
            return config.getOpenbaoToken().trim();
        }
        if (config.getOpenbaoTokenFile() != null) {
            try {
                return Files.readString(config.getOpenbaoTokenFile(), StandardCharsets.UTF_8).trim();
            } catch (IOException e) {
                throw new IllegalStateException("cannot read outpost.secrets.openbao-token-file "
                        + config.getOpenbaoTokenFile() + ": " + e.getMessage(), e);
            }
        }
        throw new IllegalStateException("outpost.secrets.openbao-address is set but neither outpost.secrets.openbao-token "
                + "(OUTPOST_SECRETS_OPENBAO_TOKEN) nor outpost.secrets.openbao-token-file is");
    }
}

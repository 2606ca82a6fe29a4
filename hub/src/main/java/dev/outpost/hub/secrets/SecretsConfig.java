package dev.outpost.hub.secrets;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;

/** Where the keys that seal secrets at rest come from, under {@code outpost.secrets.} (docs/configuration.md). */
@ConfigurationProperties("outpost.secrets")
public interface SecretsConfig {
    /**
     * Comma-separated base64 AES-256 keys, the first sealing and all opening (rotation: put the new
     * key first). Unset: only the key derived from the CA's private key, which also always opens.
     */
    @Nullable
    String getKeys();
}

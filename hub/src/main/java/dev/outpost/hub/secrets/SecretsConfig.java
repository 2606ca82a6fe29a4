package dev.outpost.hub.secrets;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.nio.file.Path;
import java.time.Duration;

/** Where the keys that seal secrets at rest come from, under {@code outpost.secrets.} (docs/configuration.md). */
@ConfigurationProperties("outpost.secrets")
public interface SecretsConfig {
    /**
     * Comma-separated base64 AES-256 keys, the first sealing and all opening (rotation: put the new
     * key first). Unset: only the key derived from the CA's private key, which also always opens.
     */
    @Nullable
    String getKeys();

    /**
     * OpenBao's (or Vault's) address, e.g. https://bao.vendor.internal:8200. Set: secrets are sealed with
     * a data key that its Transit engine wraps, and that the hub never stores in plain.
     */
    @Nullable
    String getOpenbaoAddress();

    /** The token the hub authenticates to OpenBao with (or {@link #getOpenbaoTokenFile()}); never logged. */
    @Nullable
    String getOpenbaoToken();

    /** A file holding the token (a mounted Kubernetes Secret), read at start. */
    @Nullable
    Path getOpenbaoTokenFile();

    /** Where the Transit engine is mounted. */
    @Bindable(defaultValue = "transit")
    String getOpenbaoTransitMount();

    /** The Transit key that wraps the data key (created by the first wrap if the token may). */
    @Bindable(defaultValue = "outpost-hub")
    String getOpenbaoTransitKey();

    /**
     * Where OpenBao's KV v2 engine is mounted, e.g. "secret". Set (with the address): the values of
     * deployments' generated secrets are kept there, one KV secret each, and the database holds only
     * where; unset: they are sealed in the database.
     */
    @Nullable
    String getOpenbaoKvMount();

    /** How long one OpenBao call may take. */
    @Bindable(defaultValue = "10s")
    Duration getOpenbaoTimeout();
}

package dev.outpost.hub.secrets;

import io.github.jopenlibs.vault.Vault;
import io.github.jopenlibs.vault.VaultException;
import io.github.jopenlibs.vault.api.WriteOptions;
import io.github.jopenlibs.vault.response.LogicalResponse;
import java.util.Map;

/**
 * Values in an OpenBao (or Vault) KV v2 engine, on the Vault Java driver: each written once (a
 * check-and-set that refuses an existing path) and read at the version written. The token and the
 * values are never in a message.
 */
final class OpenBaoKv {
    private static final String FIELD = "value";

    private final Vault vault;
    private final String address;
    private final String mount;

    OpenBaoKv(String address, String token, String mount, int timeoutSeconds) {
        this.vault = OpenBaoTransit.client(address, token, 2, timeoutSeconds);
        this.address = address;
        this.mount = mount;
    }

    /**
     * Writes {@code value} at {@code path} unless something is there already; answers the version.
     * A path written before with the same value (a store whose database write was lost) answers that
     * version; another value there is an error.
     */
    long create(String path, String value) {
        String full = mount + "/" + path;
        int status;
        try {
            LogicalResponse written = vault.logical().write(full, Map.of(FIELD, value), null,
                    new WriteOptions().checkAndSet(0L).build());
            status = written.getRestResponse().getStatus();
            if (status == 200) {
                return version(written, full);
            }
        } catch (VaultException e) {
            if (e.getHttpStatusCode() != 400) {
                throw refused("write", full, e);
            }
            status = 400;
        }
        if (status == 400) { // check-and-set: something is there already
            LogicalResponse existing = readLatest(full);
            if (value.equals(existing.getData().get(FIELD))) {
                return version(existing, full);
            }
            throw new IllegalStateException("OpenBao at " + address + " already holds another value at " + full);
        }
        throw new IllegalStateException("OpenBao at " + address + " answered " + status + " writing " + full);
    }

    /** The value at {@code path}, at {@code version}. */
    String read(String path, long version) {
        String full = mount + "/" + path;
        try {
            LogicalResponse response = vault.logical().read(full, Boolean.FALSE, (int) version);
            String value = response.getData().get(FIELD);
            if (response.getRestResponse().getStatus() != 200 || value == null) {
                throw new IllegalStateException("OpenBao at " + address + " has no value at " + full + " version "
                        + version + " (HTTP " + response.getRestResponse().getStatus() + ")");
            }
            return value;
        } catch (VaultException e) {
            throw refused("read", full + " version " + version, e);
        }
    }

    /** The version a KV v2 answer names: under data on a write, under data.metadata on a read. */
    private long version(LogicalResponse response, String full) {
        Long version = response.getDataMetadata() == null ? null : response.getDataMetadata().getVersion();
        String written = response.getData().get("version");
        if (version == null && written != null && written.matches("\\d{1,18}")) {
            version = Long.parseLong(written);
        }
        if (version == null) {
            throw new IllegalStateException("OpenBao at " + address + " answered for " + full + " without a version");
        }
        return version;
    }

    private LogicalResponse readLatest(String full) {
        try {
            return vault.logical().read(full);
        } catch (VaultException e) {
            throw refused("read", full, e);
        }
    }

    private IllegalStateException refused(String what, String path, VaultException e) {
        String message = e.getMessage() == null ? "no detail" : e.getMessage().lines().findFirst().orElse("no detail");
        return new IllegalStateException("OpenBao at " + address + " refused to " + what + " " + path + " (HTTP "
                + e.getHttpStatusCode() + "): " + message, e);
    }
}

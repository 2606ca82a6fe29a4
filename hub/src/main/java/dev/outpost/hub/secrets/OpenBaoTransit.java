package dev.outpost.hub.secrets;

import io.github.jopenlibs.vault.Vault;
import io.github.jopenlibs.vault.VaultConfig;
import io.github.jopenlibs.vault.VaultException;
import io.github.jopenlibs.vault.response.LogicalResponse;
import java.util.Base64;
import java.util.Map;

/**
 * Wraps and unwraps a data key with an OpenBao (or Vault) Transit key, on the Vault Java driver. The
 * paths are Transit's own (the driver's KV v2 path rewriting is off), the token is never in a message.
 */
final class OpenBaoTransit {
    private final Vault vault;
    private final String address;
    private final String mount;
    private final String key;

    OpenBaoTransit(String address, String token, String mount, String key, int timeoutSeconds) {
        this.vault = client(address, token, 1, timeoutSeconds);
        this.address = address;
        this.mount = mount;
        this.key = key;
    }

    /**
     * A Vault driver client for {@code address} with bounded timeouts; engine version 1 sends paths
     * as given (Transit), 2 rewrites them for KV v2.
     */
    static Vault client(String address, String token, int engineVersion, int timeoutSeconds) {
        try {
            return Vault.create(new VaultConfig().address(address).token(token).engineVersion(engineVersion)
                    .openTimeout(timeoutSeconds).readTimeout(timeoutSeconds).build());
        } catch (VaultException e) {
            throw new IllegalStateException("outpost.secrets.openbao-address " + address + " is not usable: "
                    + e.getMessage(), e);
        }
    }

    /** The name the wrapped key is stored under: which OpenBao key at which mount wraps it. */
    String keyName() {
        return "openbao:" + mount + "/" + key;
    }

    /** The Transit ciphertext ("vault:v1:...") of {@code plain}. */
    String wrap(byte[] plain) {
        LogicalResponse response = call("encrypt", Map.of("plaintext", Base64.getEncoder().encodeToString(plain)));
        String ciphertext = response.getData().get("ciphertext");
        if (ciphertext == null || !ciphertext.startsWith("vault:")) {
            throw new IllegalStateException("OpenBao at " + address + " answered Transit encrypt without a ciphertext");
        }
        return ciphertext;
    }

    /**
     * {@code ciphertext} wrapped again under the Transit key's latest version (the plain value never
     * leaves OpenBao); a new ciphertext every time, of the same version when there is no newer one.
     */
    String rewrap(String ciphertext) {
        String rewrapped = call("rewrap", Map.of("ciphertext", ciphertext)).getData().get("ciphertext");
        if (rewrapped == null || !rewrapped.startsWith("vault:")) {
            throw new IllegalStateException("OpenBao at " + address + " answered Transit rewrap without a ciphertext");
        }
        return rewrapped;
    }

    /** The plain bytes of a Transit ciphertext. */
    byte[] unwrap(String ciphertext) {
        String plain = call("decrypt", Map.of("ciphertext", ciphertext)).getData().get("plaintext");
        if (plain == null) {
            throw new IllegalStateException("OpenBao at " + address + " answered Transit decrypt without a plaintext");
        }
        return Base64.getDecoder().decode(plain);
    }

    private LogicalResponse call(String operation, Map<String, Object> body) {
        String path = mount + "/" + operation + "/" + key;
        try {
            LogicalResponse response = vault.logical().write(path, body);
            int status = response.getRestResponse().getStatus();
            if (status != 200) {
                throw new IllegalStateException("OpenBao at " + address + " answered " + status + " to " + path);
            }
            return response;
        } catch (VaultException e) {
            throw new IllegalStateException("OpenBao at " + address + " refused " + path + " (HTTP "
                    + e.getHttpStatusCode() + "): " + firstLine(e.getMessage()), e);
        }
    }

    private static String firstLine(String message) {
        return message == null ? "no detail" : message.lines().findFirst().orElse("no detail");
    }
}

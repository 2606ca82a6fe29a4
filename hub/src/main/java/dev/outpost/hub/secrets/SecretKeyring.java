package dev.outpost.hub.secrets;

import dev.outpost.protocol.Sha256;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The AES-256 keys secrets are sealed with: the first seals, every one opens (so a key can be
 * rotated: add the new one first, let the hub reseal, then drop the old). Each key is known by the
 * first 4 bytes of its SHA-256, which sealed values carry. {@code toString} shows ids only.
 */
public final class SecretKeyring {
    private final Map<String, SecretKey> byId = new LinkedHashMap<>();
    private final String currentId;

    private SecretKeyring(List<byte[]> keys) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no key to seal secrets with");
        }
        for (byte[] key : keys) {
            if (key.length != 32) {
                throw new IllegalArgumentException("a secrets key must be 32 bytes (AES-256), base64; one has "
                        + key.length);
            }
            byId.putIfAbsent(idOf(key), new SecretKeySpec(key, "AES"));
        }
        this.currentId = idOf(keys.getFirst());
    }

    /** The keys from comma- or newline-separated base64, the first current. */
    public static SecretKeyring parse(String text) {
        List<byte[]> keys = Arrays.stream(text.split("[,\\s]+")).map(String::trim).filter(k -> !k.isEmpty())
                .map(k -> {
                    try {
                        return Base64.getDecoder().decode(k);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("a secrets key is not base64 (" + e.getMessage() + ")");
                    }
                }).toList();
        return new SecretKeyring(keys);
    }

    /** The id sealed values name {@code key} by: hex of the first 4 bytes of its SHA-256. */
    static String idOf(byte[] key) {
        return Sha256.hex(key).substring(0, 8);
    }

    String currentId() {
        return currentId;
    }

    SecretKey current() {
        return byId.get(currentId);
    }

    Optional<SecretKey> find(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    static byte[] idBytes(String id) {
        return HexFormat.of().parseHex(id);
    }

    @Override
    public String toString() {
        return "keys " + byId.keySet() + " (sealing with " + currentId + ")";
    }
}

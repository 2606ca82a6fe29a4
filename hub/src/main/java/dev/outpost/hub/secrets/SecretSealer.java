package dev.outpost.hub.secrets;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Seals what the hub keeps that holds secrets (generated secret parameters, and the commands whose
 * rendered plans carry them) with AES-256-GCM before it reaches the database, and opens it again.
 * Sealed bytes: "OPS1", the 4-byte key id, a 12-byte random IV, then ciphertext and tag. A value
 * without that mark was stored before sealing existed and is returned as it is (a protobuf
 * message can never begin with it), until {@link SecretResealer} seals it. Pure apart from its keys.
 */
public final class SecretSealer {
    private static final byte[] MAGIC = "OPS1".getBytes(StandardCharsets.US_ASCII);
    private static final String TEXT_PREFIX = "sealed:";
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeyring keys;

    public SecretSealer(SecretKeyring keys) {
        this.keys = keys;
    }

    /** {@code plain} sealed with the current key. */
    public byte[] seal(byte[] plain) {
        byte[] iv = new byte[IV_BYTES];
        RANDOM.nextBytes(iv);
        byte[] id = SecretKeyring.idBytes(keys.currentId());
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, keys.current(), new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(id);
            byte[] sealed = cipher.doFinal(plain);
            return ByteBuffer.allocate(MAGIC.length + id.length + IV_BYTES + sealed.length).put(MAGIC).put(id).put(iv)
                    .put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot seal a secret (AES-GCM)", e);
        }
    }

    /**
     * The plain bytes of {@code stored}; a value stored before sealing is returned as it is.
     *
     * @throws IllegalStateException when its key is not in the keyring or it was altered
     */
    public byte[] open(byte[] stored) {
        if (!isSealed(stored)) {
            return stored;
        }
        String id = HexFormat.of().formatHex(stored, MAGIC.length, MAGIC.length + 4);
        SecretKey key = keys.find(id).orElseThrow(() -> new IllegalStateException("a stored secret is sealed with key "
                + id + ", which is not among the hub's " + keys + ": give every replica the same outpost.secrets.keys"));
        int ivAt = MAGIC.length + 4;
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, stored, ivAt, IV_BYTES));
            cipher.updateAAD(stored, MAGIC.length, 4);
            return cipher.doFinal(stored, ivAt + IV_BYTES, stored.length - ivAt - IV_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("a stored secret sealed with key " + id + " does not open: it was altered",
                    e);
        }
    }

    /** {@code plain} sealed, as text for a text column. */
    public String sealText(String plain) {
        return TEXT_PREFIX + Base64.getEncoder().encodeToString(seal(plain.getBytes(StandardCharsets.UTF_8)));
    }

    /** The plain text of {@code stored}; text stored before sealing is returned as it is. */
    public String openText(String stored) {
        if (!stored.startsWith(TEXT_PREFIX)) {
            return stored;
        }
        return new String(open(Base64.getDecoder().decode(stored.substring(TEXT_PREFIX.length()))),
                StandardCharsets.UTF_8);
    }

    /** Whether {@code stored} is sealed with the current key (else {@link SecretResealer} seals it again). */
    public boolean sealedWithCurrentKey(byte[] stored) {
        return isSealed(stored) && Arrays.equals(stored, MAGIC.length, MAGIC.length + 4,
                SecretKeyring.idBytes(keys.currentId()), 0, 4);
    }

    /** The same for text. */
    public boolean sealedWithCurrentKey(String stored) {
        return stored.startsWith(TEXT_PREFIX)
                && sealedWithCurrentKey(Base64.getDecoder().decode(stored.substring(TEXT_PREFIX.length())));
    }

    private static boolean isSealed(byte[] stored) {
        return stored.length > MAGIC.length + 4 + IV_BYTES && Arrays.equals(stored, 0, MAGIC.length, MAGIC, 0,
                MAGIC.length);
    }
}

package dev.outpost.hub.secrets;

import dev.outpost.hub.store.Database;
import dev.outpost.hub.store.StoreException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data key secrets are sealed with when OpenBao holds the key: stored wrapped by Transit in
 * {@code sealing_keys} (one row per Transit key, shared by the replicas), unwrapped at start into
 * memory only. The first replica to start creates it; one racing it reads the winner's.
 */
final class WrappedDataKey {
    private static final Logger LOG = LoggerFactory.getLogger(WrappedDataKey.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Attempts at start before the hub gives up on OpenBao (it may start a little after the hub). */
    static final int ATTEMPTS = 5;

    private WrappedDataKey() {
    }

    /** The plain data key, creating and storing it wrapped on the first start. */
    static byte[] load(OpenBaoTransit transit, Database db, Clock clock, Duration firstRetry) {
        for (int attempt = 1; ; attempt++) {
            try {
                return loadOnce(transit, db, clock);
            } catch (IllegalStateException e) {
                if (attempt >= ATTEMPTS) {
                    throw new IllegalStateException("cannot get the secrets key from OpenBao after " + attempt
                            + " attempts: " + e.getMessage(), e);
                }
                Duration wait = firstRetry.multipliedBy(1L << (attempt - 1));
                LOG.warn("Secrets key not available from OpenBao yet ({}); attempt {} of {}, retrying in {} ms",
                        e.getMessage(), attempt, ATTEMPTS, wait.toMillis());
                try {
                    Thread.sleep(wait.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for OpenBao", interrupted);
                }
            }
        }
    }

    private static byte[] loadOnce(OpenBaoTransit transit, Database db, Clock clock) {
        Optional<String> stored = find(db, transit.keyName());
        if (stored.isEmpty()) {
            byte[] fresh = new byte[32];
            RANDOM.nextBytes(fresh);
            String wrapped = transit.wrap(fresh);
            try {
                db.inTransaction(sql -> sql.update("insert into sealing_keys (name, wrapped, created_at) values (?, ?, ?)",
                        transit.keyName(), wrapped, clock.instant()));
                LOG.info("Created the secrets data key, wrapped by {}", transit.keyName());
            } catch (StoreException.DuplicateKeyException e) {
                LOG.info("Another replica created the secrets data key first; using it");
            }
            stored = find(db, transit.keyName());
        }
        byte[] key = transit.unwrap(stored.orElseThrow());
        if (key.length != 32) {
            throw new IllegalStateException("the data key " + transit.keyName() + " unwraps to " + key.length
                    + " bytes, not 32");
        }
        rewrapIfRotated(transit, db, stored.get());
        return key;
    }

    /**
     * After the Transit key was rotated, stores the data key wrapped under the latest version, so
     * that the vendor can retire the older versions (min_decryption_version). The data key itself, and
     * so every sealed value, stays the same. A replica that loses the race changes nothing.
     */
    private static void rewrapIfRotated(OpenBaoTransit transit, Database db, String stored) {
        String latest = transit.rewrap(stored);
        if (version(latest).equals(version(stored))) {
            return; // a rewrap is a new ciphertext every time: only a new key version is worth a write
        }
        int updated = db.inTransaction(sql -> sql.update("update sealing_keys set wrapped = ? where name = ? and wrapped = ?",
                latest, transit.keyName(), stored));
        if (updated == 1) {
            LOG.info("Rewrapped the secrets data key under the latest version of {} ({} -> {})", transit.keyName(),
                    version(stored), version(latest));
        }
    }

    /** "v2" of "vault:v2:…". */
    private static String version(String ciphertext) {
        String[] parts = ciphertext.split(":", 3);
        return parts.length == 3 ? parts[1] : "?";
    }

    private static Optional<String> find(Database db, String name) {
        return db.read(sql -> sql.queryOne("select wrapped from sealing_keys where name = ?", rs -> rs.getString("wrapped"),
                name));
    }
}

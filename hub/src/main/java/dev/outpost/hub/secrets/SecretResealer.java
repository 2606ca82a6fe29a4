package dev.outpost.hub.secrets;

import dev.outpost.hub.store.Database;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import jakarta.inject.Singleton;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seals, after each start, what is stored unsealed (from before sealing existed) or sealed with a
 * key that is no longer the first (a rotation), in the background and a batch at a time; with
 * OpenBao's KV ({@link SecretValues}), secret values sealed in the database move there. Replicas may
 * do it at once: each writes a valid sealing (or the same KV reference) of the same value.
 */
@Singleton
public class SecretResealer {
    private static final Logger LOG = LoggerFactory.getLogger(SecretResealer.class);
    static final int BATCH = 200;

    private final Database db;
    private final SecretSealer sealer;
    private final SecretValues values;

    public SecretResealer(Database db, SecretSealer sealer, SecretValues values) {
        this.db = db;
        this.sealer = sealer;
        this.values = values;
    }

    @EventListener
    void onStartup(StartupEvent event) {
        Thread.ofPlatform().daemon().name("outpost-reseal").start(() -> {
            try {
                int resealed = resealAll();
                if (resealed > 0) {
                    LOG.info("Sealed {} stored secret value(s) and command(s) with the current key", resealed);
                }
            } catch (RuntimeException e) {
                // Still readable as they are; the next start tries again.
                LOG.warn("Resealing stored secrets stopped: {}", e.getMessage());
            }
        });
    }

    /** Reseals every row not sealed with the current key; answers how many it changed. */
    public int resealAll() {
        return resealSecrets() + resealCommands();
    }

    private record SecretRow(String deploymentId, String name, String value) {
    }

    private int resealSecrets() {
        int changed = 0;
        String afterDeployment = "";
        String afterName = "";
        while (true) {
            String fromDeployment = afterDeployment;
            String fromName = afterName;
            List<SecretRow> rows = db.read(sql -> sql.query("select deployment_id, name, secret_value from "
                    + "deployment_secrets where deployment_id > ? or (deployment_id = ? and name > ?) "
                    + "order by deployment_id, name fetch first " + BATCH + " rows only",
                    rs -> new SecretRow(rs.getString(1), rs.getString(2), rs.getString(3)), fromDeployment, fromDeployment,
                    fromName));
            List<SecretRow> stale = rows.stream().filter(r -> !values.current(r.value())).toList();
            if (!stale.isEmpty()) {
                db.inTransaction(sql -> {
                    stale.forEach(r -> sql.update("update deployment_secrets set secret_value = ? where deployment_id = ? "
                            + "and name = ?", values.store(r.deploymentId(), r.name(),
                                    values.value(r.deploymentId(), r.name(), r.value())), r.deploymentId(), r.name()));
                    return null;
                });
                changed += stale.size();
            }
            if (rows.size() < BATCH) {
                return changed;
            }
            afterDeployment = rows.getLast().deploymentId();
            afterName = rows.getLast().name();
        }
    }

    private record CommandRow(String id, byte[] payload) {
    }

    private int resealCommands() {
        int changed = 0;
        String after = "";
        while (true) {
            String from = after;
            List<CommandRow> rows = db.read(sql -> sql.query("select id, payload from commands where id > ? order by id "
                    + "fetch first " + BATCH + " rows only", rs -> new CommandRow(rs.getString(1), rs.getBytes(2)), from));
            List<CommandRow> stale = rows.stream().filter(r -> !sealer.sealedWithCurrentKey(r.payload())).toList();
            if (!stale.isEmpty()) {
                db.inTransaction(sql -> {
                    stale.forEach(r -> sql.update("update commands set payload = ? where id = ?",
                            sealer.seal(sealer.open(r.payload())), r.id()));
                    return null;
                });
                changed += stale.size();
            }
            if (rows.size() < BATCH) {
                return changed;
            }
            after = rows.getLast().id();
        }
    }
}

package dev.outpost.hub.store;

import dev.outpost.hub.config.HubConfig;
import io.micronaut.context.annotation.Context;
import jakarta.annotation.PostConstruct;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks at start, on one of the hub's own pooled connections, that the database keeps every commit
 * the API confirms: the hub refuses to start on settings that can lose one (H2 with a write delay;
 * PostgreSQL with fsync, synchronous_commit or full_page_writes off), unless
 * {@code outpost.db-accept-losable-writes} is set, and then warns. docs/durability.md explains why.
 */
@Context
public class DurabilityCheck {
    private static final Logger LOG = LoggerFactory.getLogger(DurabilityCheck.class);
    /** The key that accepts the risk, as named in messages. */
    static final String ACCEPT_KEY = "outpost.db-accept-losable-writes (OUTPOST_DB_ACCEPT_LOSABLE_WRITES=true)";

    private final Database db;
    private final HubConfig config;

    public DurabilityCheck(Database db, HubConfig config) {
        this.db = db;
        this.config = config;
    }

    /**
     * Reads the settings and refuses or warns.
     *
     * @throws IllegalStateException naming every setting that can lose confirmed writes, unless accepted
     */
    @PostConstruct
    public void check() {
        DatabaseKind kind = DatabaseKind.configured(config);
        Map<String, String> settings = db.read(sql -> readSettings(sql, kind));
        List<String> risks = risks(kind, settings);
        if (risks.isEmpty()) {
            LOG.info("Database durability: every write the API confirms is committed to the database first ({}: {})",
                    kind.label(), settings);
            return;
        }
        if (!config.isDbAcceptLosableWrites()) {
            throw new IllegalStateException("The database can lose writes the hub has confirmed: "
                    + String.join("; ", risks) + ". Fix the setting, or set " + ACCEPT_KEY + " to start anyway");
        }
        for (String risk : risks) {
            LOG.warn("CONFIRMED WRITES CAN BE LOST, accepted by outpost.db-accept-losable-writes: {}", risk);
        }
    }

    /** The settings that decide durability, as the hub's connections see them (names in lower case). */
    static Map<String, String> readSettings(Sql sql, DatabaseKind kind) {
        String query = switch (kind) {
            case H2 -> "select setting_name, setting_value from information_schema.settings where setting_name = 'WRITE_DELAY'";
            // pg_settings shows this session's values: server, database, role and connection options combined.
            case POSTGRESQL -> "select name, setting from pg_settings where name in ('fsync', 'synchronous_commit', 'full_page_writes')";
        };
        Map<String, String> settings = new TreeMap<>();
        for (Map.Entry<String, String> setting : sql.query(query,
                rs -> Map.entry(rs.getString(1).toLowerCase(Locale.ROOT), rs.getString(2)))) {
            settings.put(setting.getKey(), setting.getValue());
        }
        return settings;
    }

    /** What each setting that can lose a confirmed write risks, one sentence each; empty when none can. */
    static List<String> risks(DatabaseKind kind, Map<String, String> settings) {
        List<String> risks = new ArrayList<>();
        switch (kind) {
            case H2 -> {
                String writeDelay = settings.get("write_delay");
                if (!"0".equals(writeDelay)) {
                    risks.add("H2 WRITE_DELAY is " + writeDelay + " ms: a commit stays in memory that long, so a "
                            + "killed hub loses writes it has confirmed (add ;WRITE_DELAY=0 to outpost.db-url; the "
                            + "embedded default has it)");
                }
            }
            case POSTGRESQL -> {
                if (!"on".equals(settings.get("fsync"))) {
                    risks.add("PostgreSQL fsync is " + settings.get("fsync") + ": an operating-system crash or power "
                            + "loss can lose or corrupt committed data (set fsync = on in postgresql.conf)");
                }
                if ("off".equals(settings.get("synchronous_commit")) || !settings.containsKey("synchronous_commit")) {
                    risks.add("PostgreSQL synchronous_commit is " + settings.get("synchronous_commit") + " for the "
                            + "hub's connections: a commit is acknowledged before it is on disk, so a crash of the "
                            + "PostgreSQL server loses the last confirmed writes (set synchronous_commit = on for the "
                            + "server, database or role)");
                }
                if (!"on".equals(settings.get("full_page_writes"))) {
                    risks.add("PostgreSQL full_page_writes is " + settings.get("full_page_writes") + ": a page torn "
                            + "by an operating-system crash cannot be repaired from the WAL (set full_page_writes = on "
                            + "unless the file system cannot tear pages)");
                }
            }
        }
        return risks;
    }
}

package dev.outpost.hub.usage;

import dev.outpost.hub.config.HubConfig;
import dev.outpost.hub.store.DatabaseKind;
import dev.outpost.hub.store.Sql;
import dev.outpost.protocol.v1.SpoolState;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/**
 * SQL that writes usage. On PostgreSQL (where several hubs may share the database) the inserts use
 * {@code ON CONFLICT}: a concurrent insert of the same key waits for the other transaction and then
 * skips, so the batch still commits. On H2 (one hub) they check first; a concurrent duplicate fails
 * on the unique constraint and the batch is rolled back unacknowledged, to be sent again.
 */
@Singleton
public class UsageWrites {
    private static final String COLUMNS = "idempotency_key, agent_id, tenant_id, environment_id, deployment_id, meter, "
            + "unit, window_start, window_end, quantity, received_at";
    private final DatabaseKind kind;

    @Inject
    public UsageWrites(HubConfig config) {
        this(DatabaseKind.configured(config));
    }

    /** For a known database (tests and benchmarks). */
    public UsageWrites(DatabaseKind kind) {
        this.kind = kind;
    }

    /** The agent's tenant and environment when it is enrolled and not revoked. */
    public Optional<AgentRef> activeAgent(Sql sql, String agentId) {
        return sql.queryOne("select tenant_id, environment_id from agents where id = ? and status <> 'revoked'",
                rs -> new AgentRef(rs.getString("tenant_id"), rs.getString("environment_id")), agentId);
    }

    /** An agent's tenant and environment as the store has them. */
    public record AgentRef(String tenantId, String environmentId) {
    }

    /** The deployment, whatever its status (usage of a deployment's last windows arrives after a delete). */
    public Optional<UsageTarget> deployment(Sql sql, String deploymentId) {
        return sql.queryOne("select id, tenant_id, environment_id, created_at from deployments where id = ?",
                rs -> new UsageTarget(rs.getString("id"), rs.getString("tenant_id"), rs.getString("environment_id"),
                        Sql.instant(rs, "created_at")), deploymentId);
    }

    /** Inserts each record unless its key is stored; for each, in order, whether it was new. */
    public boolean[] insertIfNew(Sql sql, List<UsageRow> rows, Instant receivedAt) {
        String insert = "insert into usage_records (" + COLUMNS + ") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        boolean[] inserted = new boolean[rows.size()];
        if (kind == DatabaseKind.POSTGRESQL) {
            // One batch, one round trip; ON CONFLICT DO NOTHING reports 0 rows for a key stored before.
            List<Object[]> params = rows.stream().map(r -> params(r, receivedAt)).toList();
            int[] counts = sql.batch(insert + " on conflict (idempotency_key) do nothing", params);
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] != 0 && counts[i] != 1) {
                    throw new IllegalStateException("the database did not report each usage insert (" + counts[i] + ")");
                }
                inserted[i] = counts[i] == 1;
            }
            return inserted;
        }
        // H2 (one hub): a concurrent insert of the same key fails on the unique constraint, which rolls
        // the whole batch back unacknowledged; the agent sends it again and finds the key stored.
        for (int i = 0; i < rows.size(); i++) {
            UsageRow r = rows.get(i);
            inserted[i] = sql.count("select count(*) from usage_records where idempotency_key = ?", r.idempotencyKey()) == 0
                    && sql.update(insert, params(r, receivedAt)) == 1;
        }
        return inserted;
    }

    private static Object[] params(UsageRow r, Instant receivedAt) {
        return new Object[] {r.idempotencyKey(), r.agentId(), r.tenantId(), r.environmentId(), r.deploymentId(),
                r.meter(), r.unit(), r.windowStart(), r.windowEnd(), r.quantity(), receivedAt};
    }

    /**
     * Adds {@code quantity} and {@code records} (new records only) to the aggregate of {@code like}'s
     * deployment and meter for {@code hour}.
     */
    public void addToHour(Sql sql, UsageRow like, Instant hour, BigDecimal quantity, long records) {
        String insert = "insert into usage_hourly (tenant_id, environment_id, deployment_id, meter, unit, hour_start, "
                + "quantity, records) values (?, ?, ?, ?, ?, ?, ?, ?)";
        if (kind == DatabaseKind.POSTGRESQL) {
            sql.update(insert + " on conflict (deployment_id, meter, hour_start) do update set "
                    + "quantity = usage_hourly.quantity + excluded.quantity, records = usage_hourly.records + excluded.records",
                    like.tenantId(), like.environmentId(), like.deploymentId(), like.meter(), like.unit(), hour, quantity,
                    records);
            return;
        }
        if (sql.update("update usage_hourly set quantity = quantity + ?, records = records + ? "
                + "where deployment_id = ? and meter = ? and hour_start = ?", quantity, records, like.deploymentId(),
                like.meter(), hour) == 0) {
            sql.update(insert, like.tenantId(), like.environmentId(), like.deploymentId(), like.meter(), like.unit(), hour,
                    quantity, records);
        }
    }

    /** Counts {@code count} more refused records of the agent for {@code reason}. */
    public void countRejections(Sql sql, String agentId, String tenantId, String reason, long count, String lastKey,
            Instant at) {
        if (sql.update("update usage_rejections set count = count + ?, last_key = ?, last_at = ? "
                + "where agent_id = ? and reason = ?", count, lastKey, at, agentId, reason) == 0) {
            insertOrAdd(sql, agentId, tenantId, reason, count, lastKey, at);
        }
    }

    private void insertOrAdd(Sql sql, String agentId, String tenantId, String reason, long count, String lastKey,
            Instant at) {
        if (kind == DatabaseKind.POSTGRESQL) {
            sql.update("insert into usage_rejections (agent_id, tenant_id, reason, count, last_key, last_at) "
                    + "values (?, ?, ?, ?, ?, ?) on conflict (agent_id, reason) do update set "
                    + "count = usage_rejections.count + excluded.count, last_key = excluded.last_key, "
                    + "last_at = excluded.last_at", agentId, tenantId, reason, count, lastKey, at);
        } else {
            sql.update("insert into usage_rejections (agent_id, tenant_id, reason, count, last_key, last_at) "
                    + "values (?, ?, ?, ?, ?, ?)", agentId, tenantId, reason, count, lastKey, at);
        }
    }

    /** The agent's spool as its latest batch left it; the dropped and unmeasured totals never go down. */
    public void reportSpool(Sql sql, String agentId, String tenantId, SpoolState spool, Instant at) {
        int updated = sql.update("update agent_usage_spool set tenant_id = ?, pending_records = ?, pending_bytes = ?, "
                + "max_bytes = ?, dropped_records_total = case when dropped_records_total > ? then dropped_records_total "
                + "else ? end, unmeasured_windows_total = case when unmeasured_windows_total > ? "
                + "then unmeasured_windows_total else ? end, reported_at = ? where agent_id = ?", tenantId,
                spool.getPendingRecords(), spool.getPendingBytes(), spool.getMaxBytes(), spool.getDroppedRecordsTotal(),
                spool.getDroppedRecordsTotal(), spool.getUnmeasuredWindowsTotal(), spool.getUnmeasuredWindowsTotal(),
                at, agentId);
        if (updated == 0) {
            String insert = "insert into agent_usage_spool (agent_id, tenant_id, pending_records, pending_bytes, max_bytes, "
                    + "dropped_records_total, unmeasured_windows_total, reported_at) values (?, ?, ?, ?, ?, ?, ?, ?)";
            sql.update(kind == DatabaseKind.POSTGRESQL ? insert + " on conflict (agent_id) do nothing" : insert,
                    agentId, tenantId, spool.getPendingRecords(), spool.getPendingBytes(), spool.getMaxBytes(),
                    spool.getDroppedRecordsTotal(), spool.getUnmeasuredWindowsTotal(), at);
        }
    }

    /** The start of the UTC hour {@code instant} falls in. */
    public static Instant hourOf(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC).truncatedTo(ChronoUnit.HOURS).toInstant();
    }

}

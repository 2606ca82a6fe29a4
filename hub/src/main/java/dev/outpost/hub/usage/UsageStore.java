package dev.outpost.hub.usage;

import dev.outpost.hub.store.Sql;
import dev.outpost.hub.store.Where;
import jakarta.inject.Singleton;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** SQL that reads usage: hourly aggregates, raw records in pages, agents' spools and rejections. */
@Singleton
public class UsageStore {

    /** Up to {@code max} hourly aggregates matching the filter, by hour, deployment and meter. */
    public List<UsagePeriod> hourly(Sql sql, UsageFilter filter, int max) {
        Where where = where(filter);
        List<Object> params = new ArrayList<>(List.of(where.params()));
        String range = range("hour_start", filter, params);
        params.add(max);
        return sql.query("select * from usage_hourly" + where.sql() + range
                + " order by hour_start, deployment_id, meter limit ?", rs -> new UsagePeriod(rs.getString("tenant_id"),
                rs.getString("environment_id"), rs.getString("deployment_id"), rs.getString("meter"), rs.getString("unit"),
                Sql.instant(rs, "hour_start"), rs.getBigDecimal("quantity"), rs.getLong("records")), params.toArray());
    }

    /** Up to {@code limit} records matching the filter after {@code after}, in (window start, id) order. */
    public List<StoredUsageRecord> records(Sql sql, UsageFilter filter, Optional<UsageCursor> after, int limit) {
        Where where = where(filter);
        List<Object> params = new ArrayList<>(List.of(where.params()));
        String range = range("window_start", filter, params);
        String page = "";
        if (after.isPresent()) {
            page = " and (window_start > ? or (window_start = ? and id > ?))";
            params.add(after.get().windowStart());
            params.add(after.get().windowStart());
            params.add(after.get().id());
        }
        params.add(limit);
        return sql.query("select * from usage_records" + where.sql() + range + page + " order by window_start, id limit ?",
                UsageStore::record, params.toArray());
    }

    /** The agents of the tenant (all when empty) that reported usage, by id, with their rejections. */
    public List<AgentUsage> agents(Sql sql, Optional<String> tenantId, int max) {
        Where where = new Where().equal("tenant_id", tenantId);
        Map<String, List<AgentUsage.Rejections>> rejections = new LinkedHashMap<>();
        sql.query("select agent_id, reason, count, last_at from usage_rejections" + where.sql()
                        + " order by agent_id, reason", rs -> Map.entry(rs.getString("agent_id"),
                        new AgentUsage.Rejections(rs.getString("reason"), rs.getLong("count"), Sql.instant(rs, "last_at"))),
                where.params())
                .forEach(e -> rejections.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
        List<Object> params = new ArrayList<>(List.of(where.params()));
        params.add(max);
        return sql.query("select * from agent_usage_spool" + where.sql() + " order by agent_id limit ?",
                rs -> new AgentUsage(rs.getString("agent_id"), rs.getString("tenant_id"), rs.getLong("pending_records"),
                        rs.getLong("pending_bytes"), rs.getLong("max_bytes"), rs.getLong("dropped_records_total"),
                        rs.getLong("unmeasured_windows_total"),
                        Sql.instant(rs, "reported_at"), rejections.getOrDefault(rs.getString("agent_id"), List.of())),
                params.toArray());
    }

    private static Where where(UsageFilter filter) {
        return new Where().equal("tenant_id", filter.tenantId()).equal("environment_id", filter.environmentId())
                .equal("deployment_id", filter.deploymentId()).equal("meter", filter.meter());
    }

    private static String range(String column, UsageFilter filter, List<Object> params) {
        StringBuilder range = new StringBuilder();
        filter.from().ifPresent(from -> {
            range.append(" and ").append(column).append(" >= ?");
            params.add(from);
        });
        filter.to().ifPresent(to -> {
            range.append(" and ").append(column).append(" < ?");
            params.add(to);
        });
        return range.toString();
    }

    private static StoredUsageRecord record(ResultSet rs) throws SQLException {
        Instant received = Sql.instant(rs, "received_at");
        return new StoredUsageRecord(rs.getLong("id"), new UsageRow(rs.getString("idempotency_key"),
                rs.getString("agent_id"), rs.getString("tenant_id"), rs.getString("environment_id"),
                rs.getString("deployment_id"), rs.getString("meter"), rs.getString("unit"),
                Sql.instant(rs, "window_start"), Sql.instant(rs, "window_end"), rs.getBigDecimal("quantity")), received);
    }
}

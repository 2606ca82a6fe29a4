package dev.outpost.hub.logs;

import dev.outpost.hub.store.Database;
import dev.outpost.hub.store.DatabaseKind;
import dev.outpost.hub.store.Sql;
import dev.outpost.hub.store.Where;
import jakarta.inject.Singleton;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** SQL that reads and expires logs: pages of lines, new lines for tails, sources' counts. */
@Singleton
public class LogStore {
    private static final String COLUMNS = "id, tenant_id, environment_id, deployment_id, namespace, pod, container, "
            + "time_ns, stream, text, truncated";
    private final DatabaseKind kind;

    public LogStore(LogWrites writes) {
        this.kind = writes.kind();
    }

    /** Up to {@code limit} lines matching the filter after {@code after}, in {@code order}. */
    public List<StoredLogLine> page(Sql sql, LogFilter filter, LogOrder order, Optional<LogCursor> after, int limit) {
        List<Object> params = new ArrayList<>();
        StringBuilder query = new StringBuilder("select " + COLUMNS + " from log_lines");
        query.append(where(filter, params));
        String direction = order == LogOrder.NEWEST ? "desc" : "asc";
        if (after.isPresent()) {
            String beyond = order == LogOrder.NEWEST ? "<" : ">";
            query.append(" and (time_ns ").append(beyond).append(" ? or (time_ns = ? and id ").append(beyond)
                    .append(" ?))");
            params.add(after.get().timeNs());
            params.add(after.get().timeNs());
            params.add(after.get().id());
        }
        query.append(" order by time_ns ").append(direction).append(", id ").append(direction).append(" limit ?");
        params.add(limit);
        return sql.query(query.toString(), LogStore::line, params.toArray());
    }

    /** Up to {@code limit} lines matching the filter with an id above {@code afterId}, by id (a tail's read). */
    public List<StoredLogLine> newer(Sql sql, LogFilter filter, long afterId, int limit) {
        List<Object> params = new ArrayList<>();
        String where = where(filter, params);
        params.add(afterId);
        params.add(limit);
        return sql.query("select " + COLUMNS + " from log_lines" + where + " and id > ? order by id limit ?",
                LogStore::line, params.toArray());
    }

    /** The highest line id stored now (0 when none): where a tail starts. */
    public long highestId(Sql sql) {
        return sql.count("select coalesce(max(id), 0) from log_lines");
    }

    /** The sources matching the filters, by deployment, pod and container, at most {@code max}. */
    public List<LogSourceSummary> sources(Sql sql, Optional<String> tenantId, Optional<String> environmentId,
            Optional<String> deploymentId, int max) {
        Where where = new Where().equal("tenant_id", tenantId).equal("environment_id", environmentId)
                .equal("deployment_id", deploymentId);
        List<Object> params = new ArrayList<>(List.of(where.params()));
        params.add(max);
        return sql.query("select * from log_sources" + where.sql()
                + " order by deployment_id, namespace, pod, container, pod_uid, agent_id limit ?", rs -> {
                    long last = rs.getLong("last_line_ns");
                    Long lastLine = rs.wasNull() ? null : last;
                    return new LogSourceSummary(rs.getString("agent_id"), rs.getString("tenant_id"),
                            rs.getString("environment_id"), rs.getString("deployment_id"), rs.getString("namespace"),
                            rs.getString("pod"), rs.getString("pod_uid"), rs.getString("container"),
                            rs.getLong("stored_lines"), rs.getLong("dropped_lines"), lastLine,
                            Sql.instant(rs, "updated_at"));
                }, params.toArray());
    }

    /** The pods of a deployment with a line at or after {@code sinceNs}, most recent first, at most {@code max}. */
    public List<String> podsWithLinesSince(Sql sql, String deploymentId, long sinceNs, int max) {
        return sql.query("select pod from log_sources where deployment_id = ? and last_line_ns >= ? group by pod"
                + " order by max(last_line_ns) desc, pod limit ?", rs -> rs.getString(1), deploymentId, sinceNs, max);
    }

    /** Deletes up to {@code max} of the oldest lines older than {@code beforeNs}; returns how many it deleted. */
    public int deleteOlder(Sql sql, long beforeNs, int max) {
        // A bounded subquery keeps each delete (and its locks and WAL) small; the time index finds the rows.
        return sql.update("delete from log_lines where id in (select id from log_lines where time_ns < ? "
                + "order by time_ns, id limit ?)", beforeNs, max);
    }

    /**
     * Runs {@code work} with each of its statements bounded by {@code timeout}: PostgreSQL cancels one
     * running longer (a costly regex), H2 checks between rows. The limit ends with the work.
     */
    public <T> T timeLimited(Sql sql, Duration timeout, Database.Work<T> work) {
        Runnable undo = limitStatements(sql, timeout);
        try {
            return work.run(sql);
        } finally {
            undo.run();
        }
    }

    /** Sets the limit for the current transaction; returns what undoes it on H2, whose setting is per session. */
    private Runnable limitStatements(Sql sql, Duration timeout) {
        long ms = Math.max(1, timeout.toMillis());
        if (kind == DatabaseKind.POSTGRESQL) {
            sql.update("set local statement_timeout = " + ms);
            return () -> {
            };
        }
        sql.update("set query_timeout " + ms);
        return () -> sql.update("set query_timeout 0");
    }

    private String where(LogFilter filter, List<Object> params) {
        Where where = new Where().equal("tenant_id", filter.tenantId()).equal("environment_id", filter.environmentId())
                .equal("deployment_id", filter.deploymentId()).equal("pod", filter.pod())
                .equal("container", filter.container());
        params.addAll(List.of(where.params()));
        StringBuilder clause = new StringBuilder(where.sql());
        filter.fromNs().ifPresent(from -> {
            clause.append(" and time_ns >= ?");
            params.add(from);
        });
        filter.toNs().ifPresent(to -> {
            clause.append(" and time_ns < ?");
            params.add(to);
        });
        filter.contains().ifPresent(text -> {
            // Case-insensitive; on PostgreSQL the trigram index serves ILIKE '%...%'.
            clause.append(" and text ilike ? escape '\\'");
            params.add("%" + escapeLike(text) + "%");
        });
        filter.regex().ifPresent(regex -> {
            clause.append(kind == DatabaseKind.POSTGRESQL ? " and text ~ ?" : " and regexp_like(text, ?)");
            params.add(regex);
        });
        return clause.toString();
    }

    static String escapeLike(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    private static StoredLogLine line(ResultSet rs) throws SQLException {
        return new StoredLogLine(rs.getLong("id"), rs.getString("tenant_id"), rs.getString("environment_id"),
                rs.getString("deployment_id"), rs.getString("namespace"), rs.getString("pod"), rs.getString("container"),
                rs.getLong("time_ns"), rs.getString("stream"), rs.getString("text"), rs.getBoolean("truncated"));
    }
}

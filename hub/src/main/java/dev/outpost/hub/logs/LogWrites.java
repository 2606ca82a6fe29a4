package dev.outpost.hub.logs;

import dev.outpost.hub.config.HubConfig;
import dev.outpost.hub.store.DatabaseKind;
import dev.outpost.hub.store.Sql;
import dev.outpost.protocol.v1.LogLine;
import dev.outpost.protocol.v1.LogSource;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * SQL that writes logs. A batch locks each of its sources' rows ({@code select ... for update}) before
 * it compares positions, so two copies of one batch (a resend racing the original on another hub
 * replica) are serialised per source and the second finds everything a duplicate.
 */
@Singleton
public class LogWrites {
    private final DatabaseKind kind;

    @Inject
    public LogWrites(HubConfig config) {
        this(DatabaseKind.configured(config));
    }

    /** For a known database (tests and benchmarks). */
    public LogWrites(DatabaseKind kind) {
        this.kind = kind;
    }

    DatabaseKind kind() {
        return kind;
    }

    /** The agent's tenant and environment when it is enrolled and not revoked. */
    Optional<AgentRef> activeAgent(Sql sql, String agentId) {
        return sql.queryOne("select tenant_id, environment_id from agents where id = ? and status <> 'revoked'",
                rs -> new AgentRef(rs.getString("tenant_id"), rs.getString("environment_id")), agentId);
    }

    record AgentRef(String tenantId, String environmentId) {
    }

    /** The deployment's environment, whatever its status (its last lines may arrive after a delete). */
    Optional<String> deploymentEnvironment(Sql sql, String deploymentId) {
        return sql.queryOne("select environment_id from deployments where id = ?", rs -> rs.getString(1), deploymentId);
    }

    /**
     * Locks the source's row, creating it first when it is new. On PostgreSQL a concurrent creation
     * waits for the other transaction; on H2 (one hub) it fails on the key and the batch is refused
     * unacknowledged, to be sent again.
     */
    LogSourceRow lockSource(Sql sql, String agentId, AgentRef agent, LogSource source, Instant now) {
        String select = "select position_ns, position_ordinal, last_line_ns from log_sources "
                + "where agent_id = ? and pod_uid = ? and container = ? for update";
        Optional<LogSourceRow> row = sql.queryOne(select, LogWrites::sourceRow, agentId, source.getPodUid(),
                source.getContainer());
        if (row.isPresent()) {
            return row.get();
        }
        String insert = "insert into log_sources (agent_id, pod_uid, container, tenant_id, environment_id, deployment_id, "
                + "namespace, pod, position_ns, position_ordinal, stored_lines, dropped_lines, last_line_ns, updated_at) "
                + "values (?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0, null, ?)";
        sql.update(kind == DatabaseKind.POSTGRESQL ? insert + " on conflict (agent_id, pod_uid, container) do nothing"
                        : insert, agentId, source.getPodUid(), source.getContainer(), agent.tenantId(),
                agent.environmentId(), source.getDeploymentId(), source.getNamespace(), source.getPod(), now);
        return sql.queryOne(select, LogWrites::sourceRow, agentId, source.getPodUid(), source.getContainer())
                .orElseThrow(() -> new IllegalStateException("log source row vanished while locked"));
    }

    private static LogSourceRow sourceRow(java.sql.ResultSet rs) throws java.sql.SQLException {
        long last = rs.getLong("last_line_ns");
        return new LogSourceRow(LogPositions.of(rs.getLong("position_ns"), rs.getInt("position_ordinal")),
                rs.wasNull() ? 0 : last);
    }

    /** Inserts the source's new lines in position order (so ids ascend with positions). */
    void insertLines(Sql sql, AgentRef agent, LogSource source, List<LogLine> lines) {
        if (lines.isEmpty()) {
            return;
        }
        List<Object[]> rows = lines.stream().map(line -> new Object[] {agent.tenantId(), agent.environmentId(),
                source.getDeploymentId(), source.getNamespace(), source.getPod(), source.getContainer(),
                line.getPosition().getTimeUnixNanos(), stream(line), LogBatchRules.storable(line.getText()),
                line.getTruncated()}).toList();
        sql.batch("insert into log_lines (tenant_id, environment_id, deployment_id, namespace, pod, container, time_ns, "
                + "stream, text, truncated) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows);
    }

    /** Moves the source's position and adds what the batch stored and counted. */
    void advanceSource(Sql sql, String agentId, LogSource source, LogSourceRow after, long stored, long dropped,
            Instant now) {
        sql.update("update log_sources set position_ns = ?, position_ordinal = ?, stored_lines = stored_lines + ?, "
                        + "dropped_lines = dropped_lines + ?, last_line_ns = ?, deployment_id = ?, namespace = ?, pod = ?, "
                        + "updated_at = ? where agent_id = ? and pod_uid = ? and container = ?",
                after.position().getTimeUnixNanos(), after.position().getOrdinal(), stored, dropped,
                after.lastLineNs() == 0 ? null : after.lastLineNs(), source.getDeploymentId(), source.getNamespace(),
                source.getPod(), now, agentId, source.getPodUid(), source.getContainer());
    }

    /** The stored name of a line's stream; agents that do not say send combined (the kubelet merges them). */
    static String stream(LogLine line) {
        return switch (line.getStream()) {
            case LOG_STREAM_STDOUT, LOG_STREAM_STDERR -> line.getStream().name().substring("LOG_STREAM_".length())
                    .toLowerCase(Locale.ROOT);
            default -> "combined";
        };
    }
}

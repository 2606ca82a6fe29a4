package dev.outpost.hub.enrollment;

import dev.outpost.hub.store.Sql;
import jakarta.inject.Singleton;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** SQL for join tokens. */
@Singleton
public class JoinTokenStore {

    /** A stored token with the hash of its secret. */
    public record StoredJoinToken(JoinToken token, String secretHash) {
    }

    public void insert(Sql sql, JoinToken token, String secretHash) {
        sql.update("insert into join_tokens (id, tenant_id, environment_id, secret_hash, expires_at, max_uses, uses, created_at) "
                        + "values (?, ?, ?, ?, ?, ?, ?, ?)",
                token.id(), token.tenantId(), token.environmentId(), secretHash, token.expiresAt(), token.uses(),
                token.used(), token.createdAt());
    }

    public Optional<StoredJoinToken> find(Sql sql, String id) {
        return sql.queryOne("select * from join_tokens where id = ?",
                rs -> new StoredJoinToken(map(rs), rs.getString("secret_hash")), id);
    }

    public List<JoinToken> listForEnvironment(Sql sql, String environmentId) {
        return sql.query("select * from join_tokens where environment_id = ? order by created_at, id",
                JoinTokenStore::map, environmentId);
    }

    /**
     * Consumes one use if the token is still valid at {@code now}. The check and the increment are one
     * statement, so of two enrollments racing for the last use only one changes a row.
     */
    public boolean consumeUse(Sql sql, String id, Instant now) {
        return sql.update("update join_tokens set uses = uses + 1 where id = ? and uses < max_uses and expires_at > ?",
                id, now) == 1;
    }

    /**
     * Revokes a token of the environment: it expires now (unless it already has), which every check of
     * a token refuses; revoking again changes nothing. False if the environment has no such token.
     */
    public boolean revoke(Sql sql, String environmentId, String id, Instant now) {
        return sql.update("update join_tokens set revoked_at = coalesce(revoked_at, ?), expires_at = least(expires_at, ?) "
                + "where id = ? and environment_id = ?", now, now, id, environmentId) == 1;
    }

    private static JoinToken map(ResultSet rs) throws SQLException {
        return new JoinToken(rs.getString("id"), rs.getString("tenant_id"), rs.getString("environment_id"),
                Sql.instant(rs, "expires_at"), rs.getInt("max_uses"), rs.getInt("uses"), Sql.instant(rs, "created_at"),
                Sql.instant(rs, "revoked_at"));
    }
}

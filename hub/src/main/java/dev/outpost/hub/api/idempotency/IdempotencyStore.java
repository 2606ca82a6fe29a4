package dev.outpost.hub.api.idempotency;

import dev.outpost.hub.store.Sql;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.Optional;

/** The idempotency_keys table; every method runs inside the caller's transaction. */
@Singleton
class IdempotencyStore {

    /** The unexpired response kept for {@code key} in {@code scope}, if any. */
    Optional<StoredResponse> find(Sql sql, String scope, String key, Instant now) {
        return sql.queryOne("select request_hash, method, route, status, response_json from idempotency_keys "
                        + "where scope = ? and idem_key = ? and expires_at > ?",
                rs -> new StoredResponse(rs.getString("request_hash"), rs.getString("method"), rs.getString("route"),
                        rs.getInt("status"), rs.getString("response_json")),
                scope, key, now);
    }

    /**
     * Keeps the response for {@code key}, replacing an expired one. A concurrent first use of the same
     * key makes this fail with a duplicate key (PostgreSQL waits for the other transaction first).
     */
    void insert(Sql sql, String scope, String key, StoredResponse response, Instant now, Instant expiresAt) {
        sql.update("delete from idempotency_keys where scope = ? and idem_key = ? and expires_at <= ?", scope, key, now);
        sql.update("insert into idempotency_keys (scope, idem_key, request_hash, method, route, status, response_json, "
                        + "created_at, expires_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                scope, key, response.requestHash(), response.method(), response.route(), response.status(),
                response.responseJson(), now, expiresAt);
    }

    /** Deletes up to {@code limit} expired keys; returns how many. */
    int deleteExpired(Sql sql, Instant now, int limit) {
        return sql.update("delete from idempotency_keys where (scope, idem_key) in (select scope, idem_key from "
                + "idempotency_keys where expires_at <= ? order by expires_at fetch first " + limit + " rows only)", now);
    }
}

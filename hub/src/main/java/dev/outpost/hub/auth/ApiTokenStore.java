package dev.outpost.hub.auth;

import dev.outpost.hub.access.Role;
import dev.outpost.hub.store.Database;
import dev.outpost.hub.store.Sql;
import jakarta.inject.Singleton;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** API tokens, stored by the hash of their secret. */
@Singleton
public class ApiTokenStore {
    private final Database db;
    private final Clock clock;

    public ApiTokenStore(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** A stored token, without its secret (only a hash of it is kept). */
    public record StoredToken(String id, Role role, String tenantId, String name, Instant createdAt, Instant expiresAt) {
    }

    /** The caller a presented token stands for, if the token is known and has not expired. */
    public Optional<Caller> find(String token) {
        String hash = Secrets.hash(token);
        Instant now = clock.instant();
        return db.read(sql -> sql.queryOne("select id, role, tenant_id, name, created_at, expires_at from api_tokens "
                + "where token_hash = ?", ApiTokenStore::stored, hash))
                .filter(stored -> stored.expiresAt() == null || stored.expiresAt().isAfter(now))
                .map(stored -> new Caller(stored.id(), stored.role(), stored.tenantId(), stored.name(), null));
    }

    /** Stores a token with {@code role} (and {@code tenantId} for a tenant role), expiring at {@code expiresAt} or never. */
    public void create(Sql sql, StoredToken token, String secret) {
        sql.update("insert into api_tokens (id, token_hash, role, tenant_id, name, created_at, expires_at) "
                        + "values (?, ?, ?, ?, ?, ?, ?)", token.id(), Secrets.hash(secret), token.role().json(),
                token.tenantId(), token.name(), token.createdAt(), token.expiresAt());
    }

    /** Every token of {@code tenantId}, or every token when empty; expired ones too, oldest first. */
    public List<StoredToken> list(Sql sql, Optional<String> tenantId) {
        String columns = "select id, role, tenant_id, name, created_at, expires_at from api_tokens";
        return tenantId.isPresent()
                ? sql.query(columns + " where tenant_id = ? order by created_at, id", ApiTokenStore::stored, tenantId.get())
                : sql.query(columns + " order by created_at, id", ApiTokenStore::stored);
    }

    public Optional<StoredToken> find(Sql sql, String id) {
        return sql.queryOne("select id, role, tenant_id, name, created_at, expires_at from api_tokens where id = ?",
                ApiTokenStore::stored, id);
    }

    /** Deletes a token: it is refused from the next request on. False if there is no such token. */
    public boolean delete(Sql sql, String id) {
        return sql.update("delete from api_tokens where id = ?", id) == 1;
    }

    /** How many admin tokens exist (the last one may not be revoked). */
    public long adminTokens(Sql sql) {
        return sql.count("select count(*) from api_tokens where role = 'admin'");
    }

    private static StoredToken stored(ResultSet rs) throws SQLException {
        return new StoredToken(rs.getString("id"), Role.stored(rs.getString("role")), rs.getString("tenant_id"),
                rs.getString("name"), Sql.instant(rs, "created_at"), Sql.instant(rs, "expires_at"));
    }

    /** Whether any admin token exists yet. */
    public boolean hasAdminToken() {
        return db.read(sql -> sql.count("select count(*) from api_tokens where role = 'admin'")) > 0;
    }

    /**
     * Makes {@code token} the one admin token: stores it unless it is stored already and deletes every
     * other admin token in the same transaction, so configuring a new one retires a leaked or generated
     * one at once. Returns how many were retired.
     */
    public int replaceAdminTokens(String token, String name) {
        String hash = Secrets.hash(token);
        return db.inTransaction(sql -> {
            if (sql.count("select count(*) from api_tokens where token_hash = ?", hash) == 0) {
                insert(sql, Secrets.id("tok_"), hash, "admin", null, name);
            }
            return sql.update("delete from api_tokens where role = 'admin' and token_hash <> ?", hash);
        });
    }

    /**
     * Stores a generated admin token beside any other. Two replicas starting on an empty database at
     * the same moment may each generate one; both then work, and neither retires the other's.
     */
    public void addAdminToken(String token, String name) {
        db.inTransaction(sql -> insert(sql, Secrets.id("tok_"), Secrets.hash(token), "admin", null, name));
    }

    /** Creates a token for {@code tenantId} and returns its id; the secret is only ever in the caller's hands. */
    public String createTenantToken(String tenantId, String name, String token) {
        String id = Secrets.id("tok_");
        db.inTransaction(sql -> insert(sql, id, Secrets.hash(token), Role.TENANT_ADMIN.json(), tenantId, name));
        return id;
    }

    /** Deletes a tenant's token, which stops working with the next request; false if the tenant has no such token. */
    public boolean deleteTenantToken(String tenantId, String tokenId) {
        return db.inTransaction(sql -> sql.update("delete from api_tokens where id = ? and tenant_id = ?",
                tokenId, tenantId)) == 1;
    }

    private int insert(Sql sql, String id, String hash, String role, String tenantId, String name) {
        return sql.update("insert into api_tokens (id, token_hash, role, tenant_id, name, created_at) values (?, ?, ?, ?, ?, ?)",
                id, hash, role, tenantId, name, clock.instant());
    }
}

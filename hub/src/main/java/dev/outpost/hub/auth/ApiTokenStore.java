package dev.outpost.hub.auth;

import dev.outpost.hub.store.Database;
import dev.outpost.hub.store.Sql;
import jakarta.inject.Singleton;
import java.time.Clock;
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

    /** The caller a presented token stands for, if the token is known. */
    public Optional<Caller> find(String token) {
        String hash = Secrets.hash(token);
        return db.read(sql -> sql.queryOne("select id, tenant_id, name from api_tokens where token_hash = ?",
                rs -> rs.getString("tenant_id") == null
                        ? Caller.admin(rs.getString("id"))
                        : Caller.tenant(rs.getString("id"), rs.getString("tenant_id"), rs.getString("name")),
                hash));
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
        db.inTransaction(sql -> insert(sql, id, Secrets.hash(token), "tenant", tenantId, name));
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

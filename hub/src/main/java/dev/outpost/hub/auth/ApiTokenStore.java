package dev.outpost.hub.auth;

import dev.outpost.hub.store.Database;
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
        return db.read(sql -> sql.queryOne("select id, tenant_id from api_tokens where token_hash = ?",
                rs -> rs.getString("tenant_id") == null
                        ? Caller.admin(rs.getString("id"))
                        : Caller.tenant(rs.getString("id"), rs.getString("tenant_id")),
                hash));
    }

    /** Whether any admin token exists yet. */
    public boolean hasAdminToken() {
        return db.read(sql -> sql.count("select count(*) from api_tokens where role = 'admin'")) > 0;
    }

    /** Stores an admin token unless one with the same secret is stored already. */
    public void ensureAdminToken(String token, String name) {
        String hash = Secrets.hash(token);
        db.inTransaction(sql -> {
            if (sql.count("select count(*) from api_tokens where token_hash = ?", hash) == 0) {
                sql.update("insert into api_tokens (id, token_hash, role, tenant_id, name, created_at) "
                        + "values (?, ?, 'admin', null, ?, ?)", Secrets.id("tok_"), hash, name, clock.instant());
            }
            return null;
        });
    }

    /** Creates a token for {@code tenantId} and returns its id; the secret is only ever in the caller's hands. */
    public String createTenantToken(String tenantId, String name, String token) {
        String id = Secrets.id("tok_");
        db.inTransaction(sql -> sql.update("insert into api_tokens (id, token_hash, role, tenant_id, name, created_at) "
                + "values (?, ?, 'tenant', ?, ?, ?)", id, Secrets.hash(token), tenantId, name, clock.instant()));
        return id;
    }
}

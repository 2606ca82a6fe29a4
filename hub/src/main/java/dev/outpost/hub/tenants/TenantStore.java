package dev.outpost.hub.tenants;

import dev.outpost.hub.store.Sql;
import jakarta.inject.Singleton;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** SQL for tenants. */
@Singleton
public class TenantStore {

    /** Inserts a tenant; a duplicate name raises DuplicateKeyException. */
    public void insert(Sql sql, Tenant tenant) {
        sql.update("insert into tenants (id, name, created_at) values (?, ?, ?)",
                tenant.id(), tenant.name(), tenant.createdAt());
    }

    public Optional<Tenant> find(Sql sql, String id) {
        return sql.queryOne("select * from tenants where id = ?", TenantStore::map, id);
    }

    /** The tenant {@code onlyId}, or all tenants when it is empty, by name. */
    public List<Tenant> list(Sql sql, Optional<String> onlyId) {
        return onlyId.isEmpty()
                ? sql.query("select * from tenants order by name", TenantStore::map)
                : sql.query("select * from tenants where id = ?", TenantStore::map, onlyId.get());
    }

    private static Tenant map(ResultSet rs) throws SQLException {
        return new Tenant(rs.getString("id"), rs.getString("name"), Sql.instant(rs, "created_at"));
    }
}

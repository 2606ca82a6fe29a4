package dev.outpost.hub.releases;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.outpost.hub.store.JsonColumns;
import dev.outpost.hub.store.Sql;
import jakarta.inject.Singleton;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** SQL for releases. */
@Singleton
public class ReleaseStore {
    private static final TypeReference<Map<String, String>> MAP = new TypeReference<>() {
    };
    private final JsonColumns json;

    public ReleaseStore(JsonColumns json) {
        this.json = json;
    }

    /** Inserts a release; a duplicate (service, version) raises DuplicateKeyException. */
    public void insert(Sql sql, Release release) {
        sql.update("insert into releases (id, service_name, version, manifests, default_parameters_json, created_at) "
                        + "values (?, ?, ?, ?, ?, ?)", release.id(), release.serviceName(), release.version(),
                release.manifests(), json.write(release.defaultParameters()), release.createdAt());
    }

    public Optional<Release> find(Sql sql, String id) {
        return sql.queryOne("select * from releases where id = ?", this::map, id);
    }

    /** Releases, optionally of one service, oldest first. */
    public List<Release> list(Sql sql, Optional<String> serviceName) {
        return serviceName.isEmpty()
                ? sql.query("select * from releases order by service_name, created_at, id", this::map)
                : sql.query("select * from releases where service_name = ? order by created_at, id", this::map,
                        serviceName.get());
    }

    private Release map(ResultSet rs) throws SQLException {
        return new Release(rs.getString("id"), rs.getString("service_name"), rs.getString("version"),
                rs.getString("manifests"), json.read(rs.getString("default_parameters_json"), MAP),
                Sql.instant(rs, "created_at"));
    }
}

package dev.outpost.hub.releases;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.outpost.hub.store.JsonColumns;
import dev.outpost.hub.store.Sql;
import jakarta.inject.Singleton;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** SQL for releases. Reads never load a package's archive, except {@link #archive}. */
@Singleton
public class ReleaseStore {
    private static final TypeReference<Map<String, String>> MAP = new TypeReference<>() {
    };
    private static final TypeReference<List<String>> LIST = new TypeReference<>() {
    };
    /** Every column but the archive. */
    private static final String COLUMNS = "id, service_name, version, manifests, default_parameters_json, created_at, "
            + "kind, archive_sha256, archive_bytes, manifest_json, plans_json, default_plan, secret_parameters_json, "
            + "status, status_reason, status_changed_at";
    private final JsonColumns json;

    public ReleaseStore(JsonColumns json) {
        this.json = json;
    }

    /** Inserts a manifests release; a duplicate (service, version) raises DuplicateKeyException. */
    public void insert(Sql sql, Release release) {
        insert(sql, release, null);
    }

    /**
     * Inserts a release, with its archive when it is a package; a duplicate (service, version) raises
     * DuplicateKeyException.
     */
    public void insert(Sql sql, Release release, byte[] archive) {
        ReleasePackage pkg = release.packageSummary();
        sql.update("insert into releases (id, service_name, version, manifests, default_parameters_json, created_at, "
                        + "kind, archive, archive_sha256, archive_bytes, manifest_json, plans_json, default_plan, "
                        + "secret_parameters_json, status, status_reason, status_changed_at) "
                        + "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                release.id(), release.serviceName(), release.version(), release.manifests(),
                json.write(release.defaultParameters()), release.createdAt(), release.kind(), archive,
                pkg == null ? null : pkg.archiveSha256(), pkg == null ? null : pkg.archiveBytes(),
                pkg == null ? null : pkg.manifestJson(), pkg == null ? null : json.write(pkg.plans()),
                pkg == null ? null : pkg.defaultPlan(), pkg == null ? null : json.write(pkg.secretParameters()),
                release.lifecycle().status(), release.lifecycle().reason(), release.lifecycle().changedAt());
    }

    public Optional<Release> find(Sql sql, String id) {
        return sql.queryOne("select " + COLUMNS + " from releases where id = ?", this::map, id);
    }

    /** The package whose archive has this SHA-256, if one was published. */
    public Optional<Release> findByArchive(Sql sql, String sha256) {
        return sql.queryOne("select " + COLUMNS + " from releases where archive_sha256 = ? order by created_at, id",
                this::map, sha256);
    }

    /** The release of that service and version, if any. */
    public Optional<Release> findVersion(Sql sql, String serviceName, String version) {
        return sql.queryOne("select " + COLUMNS + " from releases where service_name = ? and version = ?", this::map,
                serviceName, version);
    }

    /** A package's archive; empty for an unknown id and for a manifests release. */
    public Optional<byte[]> archive(Sql sql, String id) {
        return sql.queryOne("select archive from releases where id = ? and archive is not null",
                rs -> rs.getBytes("archive"), id);
    }

    /** Releases, optionally of one service and/or status, by service then oldest first. */
    public List<Release> list(Sql sql, Optional<String> serviceName, Optional<Release.Status> status) {
        StringBuilder query = new StringBuilder("select " + COLUMNS + " from releases where 1 = 1");
        List<Object> params = new ArrayList<>();
        serviceName.ifPresent(name -> {
            query.append(" and service_name = ?");
            params.add(name);
        });
        status.ifPresent(s -> {
            query.append(" and status = ?");
            params.add(s);
        });
        query.append(" order by service_name, created_at, id");
        return sql.query(query.toString(), this::map, params.toArray());
    }

    /** Sets a release's status if it is {@code from} now; returns whether it changed (false: it was not). */
    public boolean changeStatus(Sql sql, String id, Set<Release.Status> from, Release.Lifecycle to) {
        List<Object> params = new ArrayList<>(List.of(to.status()));
        params.add(to.reason());
        params.add(to.changedAt());
        params.add(id);
        params.addAll(from);
        return sql.update("update releases set status = ?, status_reason = ?, status_changed_at = ? where id = ? "
                + "and status in (" + String.join(", ", from.stream().map(s -> "?").toList()) + ")",
                params.toArray()) == 1;
    }

    private Release map(ResultSet rs) throws SQLException {
        Release.Kind kind = Release.Kind.valueOf(rs.getString("kind").toUpperCase(java.util.Locale.ROOT));
        ReleasePackage pkg = kind != Release.Kind.PACKAGE ? null : new ReleasePackage(rs.getString("manifest_json"),
                json.read(rs.getString("plans_json"), LIST), rs.getString("default_plan"),
                Set.copyOf(json.read(rs.getString("secret_parameters_json"), LIST)), rs.getString("archive_sha256"),
                rs.getLong("archive_bytes"));
        Release.Lifecycle lifecycle = new Release.Lifecycle(Release.Status.parse(rs.getString("status")).orElseThrow(),
                rs.getString("status_reason"), Sql.instant(rs, "status_changed_at"));
        Instant createdAt = Sql.instant(rs, "created_at");
        return new Release(rs.getString("id"), rs.getString("service_name"), rs.getString("version"),
                rs.getString("manifests"), json.read(rs.getString("default_parameters_json"), MAP), createdAt, kind,
                pkg, lifecycle);
    }
}

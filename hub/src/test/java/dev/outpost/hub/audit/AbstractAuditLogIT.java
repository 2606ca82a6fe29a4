package dev.outpost.hub.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.hub.testsupport.Api;
import dev.outpost.hub.testsupport.HubTestProperties;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The audit log through the REST API on a real database: changes are recorded with who, from where,
 * what and the ids before and after; a tenant reads only its own; a refused change records nothing;
 * and an edited, removed or cut-off row in the database is found by {@code GET /api/v1/audit/verify}.
 * Subclasses pick the database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractAuditLogIT implements TestPropertyProvider {
    static final String ADMIN = "opa_" + "au".repeat(16);
    private static final String MANIFESTS = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n"
            + "  greeting: \"{{ greeting }}\"\n";

    @Inject
    EmbeddedServer server;
    @Inject
    DataSource dataSource;

    Api api;

    abstract Map<String, String> databaseProperties();

    @Override
    public Map<String, String> getProperties() {
        return HubTestProperties.with(databaseProperties(), ADMIN);
    }

    @BeforeAll
    void client() {
        api = new Api(server.getURI());
    }

    @Test
    void everyChangeIsRecordedWithWhoFromWhereAndWhatAndATenantSeesOnlyItsOwn() {
        long before = lastSeq();
        String tenant = created(api.post("/api/v1/tenants", ADMIN, Map.of("name", "audited-" + suffix()))).get("id")
                .asText();
        String environment = created(api.post("/api/v1/environments", ADMIN, Map.of("tenantId", tenant, "name", "prod",
                "cloud", "aws", "region", "eu-west-1", "clusterName", "c1"))).get("id").asText();
        JsonNode token = created(api.post("/api/v1/tenants/" + tenant + "/tokens", ADMIN, Map.of("name", "ci")));
        String tenantToken = token.get("token").asText();
        String first = release("1.0.0");
        String second = release("1.1.0");
        Api.Response deployed = api.post("/api/v1/deployments", tenantToken, Map.of("environmentId", environment,
                "releaseId", first, "name", "app"));
        assertThat(deployed.status()).as(deployed.toString()).isEqualTo(202);
        String deployment = deployed.json().at("/deployment/id").asText();
        // No agent here: the create is cancelled so that the deployment may change again.
        assertThat(api.post("/api/v1/operations/" + deployed.json().at("/operation/id").asText() + "/cancel", ADMIN,
                Map.of()).status()).isEqualTo(200);
        Api.Response upgraded = api.patch("/api/v1/deployments/" + deployment, ADMIN, Map.of("releaseId", second));
        assertThat(upgraded.status()).as(upgraded.toString()).isEqualTo(202);
        String joinToken = created(api.post("/api/v1/environments/" + environment + "/join-tokens", ADMIN, Map.of()))
                .get("id").asText();
        assertThat(api.delete("/api/v1/environments/" + environment + "/join-tokens/" + joinToken, ADMIN).status())
                .isEqualTo(204);

        List<JsonNode> entries = entriesAfter(before, ADMIN);

        assertThat(entries).extracting(e -> e.get("action").asText()).containsExactly("tenant.create",
                "environment.create", "tenant.token.create", "release.create", "release.create", "deployment.create",
                "operation.cancel", "deployment.update", "join-token.create", "join-token.revoke");
        assertThat(entries).allSatisfy(e -> {
            assertThat(e.get("source").asText()).isEqualTo("127.0.0.1");
            assertThat(e.get("tokenId").asText()).startsWith("tok_");
        });
        JsonNode create = entries.get(5);
        assertThat(create.get("actor").asText()).isEqualTo("tenant-admin token 'ci'");
        assertThat(create.get("tokenId").asText()).isEqualTo(token.get("id").asText());
        assertThat(create.get("objectId").asText()).isEqualTo(deployment);
        assertThat(create.get("tenantId").asText()).isEqualTo(tenant);
        JsonNode update = entries.get(7);
        assertThat(update.get("actor").asText()).isEqualTo("admin");
        assertThat(update.get("detail").asText()).startsWith("release " + first + " -> " + second + ", generation 2");
        assertThat(entries.get(3).get("tenantId").isNull()).isTrue(); // a release is the vendor's own

        List<JsonNode> seenByTenant = entriesAfter(before, tenantToken);
        assertThat(seenByTenant).extracting(e -> e.get("seq").asLong())
                .containsExactlyElementsOf(entries.stream().filter(e -> tenant.equals(e.get("tenantId").asText(null)))
                        .map(e -> e.get("seq").asLong()).toList());
        assertThat(seenByTenant).hasSize(8);
        assertThat(page("?tenantId=ten_someone-else&afterSeq=" + before, tenantToken)).isEmpty();
        assertThat(verify(ADMIN).get("valid").asBoolean()).isTrue();
    }

    @Test
    void aRefusedChangeRecordsNothing() {
        String name = "unique-" + suffix();
        created(api.post("/api/v1/tenants", ADMIN, Map.of("name", name)));
        long before = lastSeq();

        assertThat(api.post("/api/v1/tenants", ADMIN, Map.of("name", name)).status()).isEqualTo(409);
        assertThat(api.post("/api/v1/deployments", ADMIN, Map.of("environmentId", "env_none", "releaseId", "rel_none",
                "name", "x")).status()).isEqualTo(404);

        assertThat(lastSeq()).isEqualTo(before);
    }

    @Test
    void concurrentChangesAppendOneUnbrokenChainWithEveryChangeOnce() throws Exception {
        long before = lastSeq();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            names.add("concurrent-" + i + "-" + suffix());
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Api.Response>> created = new ArrayList<>();
            for (String name : names) {
                created.add(pool.submit(() -> api.post("/api/v1/tenants", ADMIN, Map.of("name", name))));
            }
            for (Future<Api.Response> response : created) {
                assertThat(response.get(30, TimeUnit.SECONDS).status()).isEqualTo(201);
            }
        } finally {
            pool.shutdownNow();
        }

        List<JsonNode> entries = entriesAfter(before, ADMIN);
        assertThat(entries).extracting(e -> e.get("seq").asLong())
                .containsExactlyElementsOf(LongStream.rangeClosed(before + 1, before + names.size()).boxed().toList());
        assertThat(entries).extracting(e -> e.get("action").asText()).containsOnly("tenant.create");
        for (int i = 1; i < entries.size(); i++) {
            assertThat(entries.get(i).get("prevHash").asText()).isEqualTo(entries.get(i - 1).get("hash").asText());
        }
        assertThat(verify(ADMIN).get("valid").asBoolean()).isTrue();
    }

    @Test
    void anEditedRemovedOrCutOffRowIsFoundAndOnlyTheAdminMayVerify() throws SQLException {
        created(api.post("/api/v1/tenants", ADMIN, Map.of("name", "tampered-" + suffix())));
        created(api.post("/api/v1/tenants", ADMIN, Map.of("name", "tampered-" + suffix())));
        long last = lastSeq();
        String actor = column("select actor from audit_log where seq = ?", last - 1);

        execute("update audit_log set actor = ? where seq = ?", "tenant token 'someone else'", last - 1);
        JsonNode edited = verify(ADMIN);
        assertThat(edited.get("valid").asBoolean()).isFalse();
        assertThat(edited.get("brokenAtSeq").asLong()).isEqualTo(last - 1);
        assertThat(edited.get("reason").asText()).contains("was changed after it was written");
        execute("update audit_log set actor = ? where seq = ?", actor, last - 1);
        assertThat(verify(ADMIN).get("valid").asBoolean()).isTrue();

        List<Object> removed = row(last);
        execute("delete from audit_log where seq = ?", last);
        JsonNode cut = verify(ADMIN);
        assertThat(cut.get("valid").asBoolean()).isFalse();
        assertThat(cut.get("brokenAtSeq").asLong()).isEqualTo(last);
        assertThat(cut.get("reason").asText()).contains("removed from the end");
        execute("insert into audit_log (seq, at, actor, token_id, tenant_id, source, action, object_type, object_id, "
                + "detail, prev_hash, hash) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", removed.toArray());
        assertThat(verify(ADMIN).get("valid").asBoolean()).isTrue();

        String tenant = created(api.post("/api/v1/tenants", ADMIN, Map.of("name", "viewer-" + suffix()))).get("id")
                .asText();
        String tenantToken = created(api.post("/api/v1/tenants/" + tenant + "/tokens", ADMIN, Map.of("name", "t")))
                .get("token").asText();
        assertThat(api.get("/api/v1/audit/verify", tenantToken).status()).isEqualTo(403);
        assertThat(api.get("/api/v1/audit?limit=0", ADMIN).status()).isEqualTo(400);
    }

    private String release(String version) {
        return created(api.post("/api/v1/releases", ADMIN, Map.of("serviceName", "audited-" + suffix(), "version", version,
                "manifests", MANIFESTS, "defaultParameters", Map.of("greeting", "hi")))).get("id").asText();
    }

    private List<JsonNode> entriesAfter(long seq, String token) {
        List<JsonNode> all = new ArrayList<>();
        long after = seq;
        while (true) {
            List<JsonNode> page = page("?limit=3&afterSeq=" + after, token);
            if (page.isEmpty()) {
                return all;
            }
            all.addAll(page);
            after = page.getLast().get("seq").asLong();
        }
    }

    private List<JsonNode> page(String query, String token) {
        Api.Response response = api.get("/api/v1/audit" + query, token);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        List<JsonNode> entries = new ArrayList<>();
        response.json().forEach(entries::add);
        return entries;
    }

    private JsonNode verify(String token) {
        Api.Response response = api.get("/api/v1/audit/verify", token);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json();
    }

    private static JsonNode created(Api.Response response) {
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return response.json();
    }

    private long lastSeq() {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "select seq from audit_head where id = 1"); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private String column(String sql, long seq) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, seq);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private List<Object> row(long seq) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "select seq, at, actor, token_id, tenant_id, source, action, object_type, object_id, detail, prev_hash, "
                        + "hash from audit_log where seq = ?")) {
            ps.setLong(1, seq);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                List<Object> values = new ArrayList<>();
                for (int i = 1; i <= 12; i++) {
                    values.add(i == 2 ? rs.getObject(i, OffsetDateTime.class) : rs.getObject(i));
                }
                return values;
            }
        }
    }

    private void execute(String sql, Object... params) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            ps.executeUpdate();
        }
    }

    private static String suffix() {
        return UUID.randomUUID().toString().substring(0, 8);
    }
}

package dev.outpost.hub.api;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.hub.auth.Secrets;
import dev.outpost.hub.testsupport.Api;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Issue #7 item 4: one rule for every name a person types (FreeText: NFC, no control or format
 * characters, no lone surrogates, limits in characters that fit the columns), and log lines that print
 * names escaped. Run on both databases, which count varchar lengths differently.
 */
abstract class AbstractNameRuleIT extends AbstractRestIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MARK = "@@name@@";
    /** Raw JSON string contents (escapes as a client sends them) and what the refusal must say. */
    private static final Map<String, String> FORBIDDEN = Map.of(
            "a\\u0000b", "must not contain control characters (U+0000 at position 1)",
            "\\u001b[31mred", "must not contain control characters (U+001B at position 0)",
            "two\\nlines", "must not contain control characters (U+000A at position 3)",
            "evil\\u202etxt.exe", "must not contain invisible format characters (U+202E at position 4)",
            "zero\\u200bwidth", "must not contain invisible format characters (U+200B at position 4)",
            "\\ufeffbom", "must not contain invisible format characters (U+FEFF at position 0)",
            "lone\\ud800", "must not contain unpaired surrogates (U+D800 at position 4)");
    private static final String ROCKET = "\uD83D\uDE80"; // one character, two UTF-16 units
    /** Longest tenant, token, environment and cluster name, as docs/api.md states it. */
    private static final int NAME_MAX = 200;
    /** Longest region, as docs/api.md states it. */
    private static final int REGION_MAX = 100;

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private String tenant;
    private String environment;
    private String release;

    @BeforeAll
    void objectsAndLogs() {
        logs.start();
        hubLogger().addAppender(logs);
        tenant = createTenant();
        environment = createEnvironment(tenant);
        release = createRelease();
    }

    @AfterAll
    void detachLogs() {
        hubLogger().detachAppender(logs);
    }

    @Test
    void everyNameFieldRefusesControlAndFormatCharactersAndLoneSurrogates() {
        Map<String, Long> before = rowCounts();
        int requests = 0;
        for (NameField field : nameFields()) {
            for (Map.Entry<String, String> value : FORBIDDEN.entrySet()) {
                String body = field.body().replace("\"" + MARK + "\"", "\"" + value.getKey() + "\"");
                Api.Response response = api.send("POST", field.path(), ADMIN, body, "application/json");
                assertFieldRefused(response, "/" + field.name(), value.getValue());
                requests++;
            }
        }
        assertThat(requests).isEqualTo(9 * FORBIDDEN.size());
        assertThat(rowCounts()).isEqualTo(before);
        assertThat(logLines()).noneMatch(line -> line.contains("31mred") || line.contains("txt.exe"));
    }

    @Test
    void namesAreStoredInNfcSoLookalikesCannotCoexist() {
        String decomposed = "Zu\u0308rich-" + suffix(); // u + combining diaeresis
        String composed = decomposed.replace("u\u0308", "\u00fc");

        Api.Response created = api.post("/api/v1/tenants", ADMIN, Map.of("name", decomposed));
        assertThat(created(created).get("name").asText()).isEqualTo(composed);
        assertThat(column("select name from tenants where id = ?", created.json().get("id").asText())).isEqualTo(composed);
        Api.Response lookalike = api.post("/api/v1/tenants", ADMIN, Map.of("name", composed));
        assertThat(lookalike.status()).as(lookalike.toString()).isEqualTo(409);

        Api.Response env = api.post("/api/v1/environments", ADMIN, Map.of("tenantId", tenant, "name", decomposed,
                "cloud", "other", "region", "Zu\u0308rich", "clusterName", decomposed));
        assertThat(created(env).get("region").asText()).isEqualTo("Z\u00fcrich");
        assertThat(column("select cluster_name from environments where id = ?", env.json().get("id").asText()))
                .isEqualTo(composed);
    }

    @Test
    void limitsCountCharactersAndTheLongestNamesFitTheColumns() {
        String longest = ROCKET.repeat(NAME_MAX);
        Api.Response tenantCreated = api.post("/api/v1/tenants", ADMIN, Map.of("name", longest));
        assertThat(created(tenantCreated).get("name").asText()).isEqualTo(longest);
        assertThat(column("select name from tenants where id = ?", tenantCreated.json().get("id").asText()))
                .isEqualTo(longest);
        assertThat(created(api.post("/api/v1/tenants/" + tenant + "/tokens", ADMIN, Map.of("name", longest)))
                .get("name").asText()).isEqualTo(longest);
        Api.Response env = api.post("/api/v1/environments", ADMIN, Map.of("tenantId", tenant, "name", longest,
                "cloud", "gcp", "region", ROCKET.repeat(REGION_MAX), "clusterName", longest));
        assertThat(created(env).get("clusterName").asText()).isEqualTo(longest);
        assertThat(column("select region from environments where id = ?", env.json().get("id").asText()))
                .isEqualTo(ROCKET.repeat(REGION_MAX));

        Map<String, Long> before = rowCounts();
        assertFieldRefused(api.post("/api/v1/tenants", ADMIN, Map.of("name", longest + "a")), "/name",
                "must be at most 200 characters (has 201)");
        assertFieldRefused(api.post("/api/v1/environments", ADMIN, Map.of("tenantId", tenant, "name", "x",
                        "cloud", "gcp", "region", "r".repeat(101), "clusterName", "c")), "/region",
                "must be at most 100 characters (has 101)");
        assertFieldRefused(api.post("/api/v1/tenants", ADMIN, Map.of("name", " padded")), "/name",
                "must not start or end with white space");
        assertFieldRefused(api.post("/api/v1/deployments", ADMIN, Map.of("environmentId", environment,
                "releaseId", release, "name", "n".repeat(64))), "/name", "must be at most 63 characters");
        assertThat(rowCounts()).isEqualTo(before);
    }

    @Test
    void logLinesPrintNamesEscapedSoNoneCanForgeALine() throws SQLException {
        // A backslash is doubled: the escapes forLog writes cannot be faked by a name.
        String tenantName = "back\\nslash-" + suffix();
        created(api.post("/api/v1/tenants", ADMIN, Map.of("name", tenantName)));
        assertThat(logLines()).anyMatch(line -> line.contains("(name '" + tenantName.replace("\\", "\\\\") + "')"));

        // A token name stored before the rule existed, with a newline in it, is still printed on one line.
        String secret = "opt_" + suffix() + suffix() + suffix();
        insertTenantToken(tenant, "ci\nFAKE hub started", secret);
        String operation = deploy(ADMIN, environment, release).at("/operation/id").asText();
        Api.Response cancelled = api.post("/api/v1/operations/" + operation + "/cancel", secret, Map.of());
        assertThat(cancelled.status()).as(cancelled.toString()).isEqualTo(200);
        assertThat(logLines()).filteredOn(line -> line.contains(operation) && line.contains("cancelled by"))
                .singleElement().asString().contains("tenant-admin token 'ci\\u000aFAKE hub started'").doesNotContain("\n");
    }

    /** A name field of a request body: the body with {@link #MARK} where the name goes. */
    private record NameField(String path, String name, String body) {
    }

    private List<NameField> nameFields() {
        List<NameField> fields = new ArrayList<>();
        fields.add(field("/api/v1/tenants", "name", Map.of("name", MARK)));
        fields.add(field("/api/v1/tenants/" + tenant + "/tokens", "name", Map.of("name", MARK)));
        Map<String, Object> env = Map.of("tenantId", tenant, "name", "e", "cloud", "aws", "region", "r", "clusterName", "c");
        for (String name : List.of("name", "region", "clusterName")) {
            fields.add(field("/api/v1/environments", name, with(env, name)));
        }
        Map<String, Object> rel = Map.of("serviceName", "svc-" + suffix(), "version", "1.0.0", "manifests", MANIFESTS);
        for (String name : List.of("serviceName", "version")) {
            fields.add(field("/api/v1/releases", name, with(rel, name)));
        }
        Map<String, Object> dep = Map.of("environmentId", environment, "releaseId", release, "name", "d", "namespace", "n");
        for (String name : List.of("name", "namespace")) {
            fields.add(field("/api/v1/deployments", name, with(dep, name)));
        }
        return fields;
    }

    private static Map<String, Object> with(Map<String, Object> body, String field) {
        Map<String, Object> copy = new LinkedHashMap<>(body);
        copy.put(field, MARK);
        return copy;
    }

    private static NameField field(String path, String name, Map<String, Object> body) {
        try {
            return new NameField(path, name, JSON.writeValueAsString(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void insertTenantToken(String tenantId, String name, String secret) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "insert into api_tokens (id, token_hash, role, tenant_id, name, created_at) "
                        + "values (?, ?, 'tenant', ?, ?, current_timestamp)")) {
            ps.setString(1, "tok_" + suffix());
            ps.setString(2, Secrets.hash(secret));
            ps.setString(3, tenantId);
            ps.setString(4, name);
            ps.executeUpdate();
        }
    }

    private List<String> logLines() {
        synchronized (logs) { // the appender adds under this lock
            return logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    private static Logger hubLogger() {
        return (Logger) LoggerFactory.getLogger("dev.outpost.hub");
    }
}

package dev.outpost.hub.releases;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.hub.testsupport.Api;
import dev.outpost.hub.testsupport.HubTestProperties;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The catalogue's handling of uploads, independent of the package format: with
 * {@link FakePackageInspection} standing in for the real inspection, what is stored, what a retry and a
 * clash answer, and that a refused package stores nothing. The real packages are in
 * {@code AbstractPackagePublishingIT}.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PackageCatalogueWithFakeInspectionTest implements TestPropertyProvider {
    private static final String ADMIN = "opa_" + "fake-pkgs".repeat(4);

    @Inject
    EmbeddedServer server;
    @Inject
    DataSource dataSource;

    private Api api;

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> props = new HashMap<>(HubTestProperties.with(Map.of(), ADMIN));
        props.put(FakePackageInspection.PROPERTY, "true");
        return props;
    }

    @BeforeAll
    void client() {
        api = new Api(server.getURI());
    }

    @Test
    void aPublishedPackageIsListedReadAndDownloadedByteForByte() {
        String service = service();
        byte[] archive = FakePackageInspection.accepted(service, "1.0.0");

        Api.Response created = api.publishPackage(ADMIN, archive);

        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode release = created.json();
        assertThat(release.get("kind").asText()).isEqualTo("package");
        assertThat(release.get("status").asText()).isEqualTo("active");
        assertThat(release.get("serviceName").asText()).isEqualTo(service);
        assertThat(release.get("version").asText()).isEqualTo("1.0.0");
        assertThat(release.at("/package/plans")).extracting(JsonNode::asText).containsExactly("small", "large");
        assertThat(release.at("/package/defaultPlan").asText()).isEqualTo("small");
        assertThat(release.at("/package/secretParameters")).extracting(JsonNode::asText).containsExactly("password");
        assertThat(release.at("/package/parameters/properties/password/secret").asBoolean()).isTrue();
        assertThat(release.at("/package/description").asText()).isEqualTo("A fake service.");
        assertThat(release.at("/package/archiveBytes").asLong()).isEqualTo(archive.length);
        String id = release.get("id").asText();

        assertThat(api.get("/api/v1/releases/" + id, ADMIN).json()).isEqualTo(release);
        assertThat(api.get("/api/v1/releases?serviceName=" + service, ADMIN).json()).containsExactly(release);
        Api.Download download = api.download("/api/v1/releases/" + id + "/archive", ADMIN);
        assertThat(download.status()).isEqualTo(200);
        assertThat(download.body()).isEqualTo(archive);
        assertThat(download.header("Content-Disposition")).isEqualTo("attachment; filename=\"" + service + "-1.0.0.tgz\"");
    }

    @Test
    void anArchiveNearTheLimitIsStoredAndDownloadedWhole() {
        String padding = "#".repeat(1023);
        String[] lines = new String[18 * 1024]; // 18 MiB of comment lines
        java.util.Arrays.fill(lines, padding);
        byte[] archive = FakePackageInspection.accepted(service(), "1.0.0", lines);
        assertThat(archive.length).isBetween(18 * 1024 * 1024, PackagePublisher.MAX_PACKAGE_BYTES);

        Api.Response created = api.publishPackage(ADMIN, archive);

        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(api.download("/api/v1/releases/" + created.json().get("id").asText() + "/archive", ADMIN).body())
                .isEqualTo(archive);
    }

    @Test
    void theSameBytesAgainAreASafeRetryAndOtherBytesForTheSameVersionAConflict() {
        String service = service();
        byte[] archive = FakePackageInspection.accepted(service, "1.0.0");
        String id = api.publishPackage(ADMIN, archive).json().get("id").asText();
        long releases = releaseCount();

        Api.Response retry = api.sendBytes("POST", "/api/v1/packages", ADMIN, archive, "application/octet-stream");
        assertThat(retry.status()).as(retry.toString()).isEqualTo(200);
        assertThat(retry.json().get("id").asText()).isEqualTo(id);

        Api.Response clash = api.publishPackage(ADMIN, FakePackageInspection.accepted(service, "1.0.0", "# changed"));
        assertThat(clash.status()).as(clash.toString()).isEqualTo(409);
        assertThat(clash.json().get("detail").asText()).contains(service + " 1.0.0 already exists", "publish a new version");
        assertThat(releaseCount()).isEqualTo(releases);
    }

    @Test
    void aRefusedPackageListsEveryFileAndProblemAndStoresNothing() {
        long releases = releaseCount();
        byte[] archive = FakePackageInspection.accepted(service(), "1.0.0",
                "refuse=outpost.yaml:dependsOn: 'app' and 'db' depend on each other",
                "refuse=charts/redis/templates/svc.yaml:line 3: mapping values are not allowed here");

        Api.Response refused = api.publishPackage(ADMIN, archive);

        assertThat(refused.status()).as(refused.toString()).isEqualTo(422);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.json().get("detail").asText()).isEqualTo("the package was refused: 2 problems (each is listed in problems)");
        assertThat(refused.json().get("problems")).extracting(p -> p.get("file").asText() + " | " + p.get("problem").asText())
                .containsExactly("outpost.yaml | dependsOn: 'app' and 'db' depend on each other",
                        "charts/redis/templates/svc.yaml | line 3: mapping values are not allowed here");
        assertThat(releaseCount()).isEqualTo(releases);
    }

    @Test
    void aServiceNameOrVersionTheCatalogueCannotHoldIsRefusedNamingOutpostYaml() {
        Api.Response refused = api.publishPackage(ADMIN, FakePackageInspection.accepted("Not_A_Label", "one"));

        assertThat(refused.status()).as(refused.toString()).isEqualTo(422);
        assertThat(refused.json().get("problems")).extracting(p -> p.get("file").asText()).containsOnly("outpost.yaml");
        assertThat(refused.json().get("problems")).extracting(p -> p.get("problem").asText()).containsExactly(
                "service must be a DNS-1123 label (lower-case letters, digits, '-')",
                "version must be a semantic version such as 1.2.3");
    }

    @Test
    void uploadsOfTheWrongKindSizeOrCallerAreRefusedWithAProblem() {
        byte[] archive = FakePackageInspection.accepted(service(), "1.0.0");
        long releases = releaseCount();

        Api.Response json = api.sendBytes("POST", "/api/v1/packages", ADMIN, "{}".getBytes(), "application/json");
        assertThat(json.status()).as(json.toString()).isEqualTo(415);
        Api.Response empty = api.sendBytes("POST", "/api/v1/packages", ADMIN, new byte[0], "application/gzip");
        assertThat(empty.status()).as(empty.toString()).isEqualTo(400);
        assertThat(empty.json().get("detail").asText()).contains("the package as a .tgz");
        Api.Response tooLarge = api.publishPackage(ADMIN, new byte[PackagePublisher.MAX_PACKAGE_BYTES + 1]);
        assertThat(tooLarge.status()).as(tooLarge.toString()).isEqualTo(413);
        Api.Response anonymous = api.publishPackage(null, archive);
        assertThat(anonymous.status()).as(anonymous.toString()).isEqualTo(401);
        String tenant = api.post("/api/v1/tenants", ADMIN, Map.of("name", "t-" + service())).json().get("id").asText();
        String tenantToken = api.post("/api/v1/tenants/" + tenant + "/tokens", ADMIN, Map.of("name", "ci")).json()
                .get("token").asText();
        Api.Response forbidden = api.publishPackage(tenantToken, archive);
        assertThat(forbidden.status()).as(forbidden.toString()).isEqualTo(403);

        assertThat(releaseCount()).isEqualTo(releases);
    }

    private long releaseCount() {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from releases")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String service() {
        return "svc-" + UUID.randomUUID().toString().substring(0, 8);
    }
}

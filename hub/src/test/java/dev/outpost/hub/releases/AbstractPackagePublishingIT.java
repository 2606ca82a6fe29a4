package dev.outpost.hub.releases;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.hub.packages.TestPackages;
import dev.outpost.hub.packages.archive.PackageArchiver;
import dev.outpost.hub.testsupport.Api;
import dev.outpost.hub.testsupport.HubTestProperties;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Publishing real packages through a running hub with the real inspection (helm-java): the test
 * package is stored, listed, read and downloaded as it was sent; a retry of the same bytes is answered
 * with the same release, other bytes for the same version are a conflict; each bad package is refused
 * naming its file and problem, with nothing stored; a deprecated or yanked package refuses new
 * deployments. Subclasses pick the database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractPackagePublishingIT implements TestPropertyProvider {
    private static final String ADMIN = "opa_" + "packages-it".repeat(3);

    @Inject
    EmbeddedServer server;
    @Inject
    DataSource dataSource;

    private Api api;

    /** Database-specific properties (outpost.db-url and friends, or nothing for H2). */
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
    void theTestPackageIsPublishedListedReadAndDownloadedAsItWasSent() {
        byte[] archive = TestPackages.archive("good");

        Api.Response created = api.publishPackage(ADMIN, archive);

        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode release = created.json();
        assertThat(release.get("kind").asText()).isEqualTo("package");
        assertThat(release.get("status").asText()).isEqualTo("active");
        assertThat(release.get("serviceName").asText()).isEqualTo("cache");
        assertThat(release.get("version").asText()).isEqualTo("1.2.0");
        assertThat(release.at("/package/description").asText()).startsWith("A cache on a chart");
        assertThat(release.at("/package/plans")).extracting(JsonNode::asText).containsExactly("small", "large");
        assertThat(release.at("/package/defaultPlan").asText()).isEqualTo("small");
        assertThat(release.at("/package/secretParameters")).extracting(JsonNode::asText).containsExactly("password");
        assertThat(release.at("/package/parameters/properties/password/secret").asBoolean()).isTrue();
        assertThat(release.at("/package/parameters/properties/replicas/maximum").asInt()).isEqualTo(9);
        String id = release.get("id").asText();

        assertThat(api.get("/api/v1/releases/" + id, ADMIN).json()).isEqualTo(release);
        assertThat(api.get("/api/v1/releases?serviceName=cache&status=active", ADMIN).json()).contains(release);
        Api.Download download = api.download("/api/v1/releases/" + id + "/archive", ADMIN);
        assertThat(download.status()).isEqualTo(200);
        assertThat(download.body()).as("the archive round-trips byte for byte").isEqualTo(archive);

        Api.Response retry = api.publishPackage(ADMIN, archive);
        assertThat(retry.status()).as("the same bytes again: " + retry).isEqualTo(200);
        assertThat(retry.json()).isEqualTo(release);
    }

    @Test
    void theExamplePackagesArePublishedAsTheyAre() throws IOException {
        for (String example : List.of("redis", "gpu-inference")) {
            byte[] archive = PackageArchiver.pack(repository().resolve("examples").resolve(example));

            Api.Response published = api.publishPackage(ADMIN, archive);

            assertThat(published.status()).as(example + ": " + published).isIn(200, 201);
            assertThat(published.json().get("kind").asText()).isEqualTo("package");
            assertThat(api.download("/api/v1/releases/" + published.json().get("id").asText() + "/archive", ADMIN)
                    .body()).as(example + " round-trips").isEqualTo(archive);
        }
        JsonNode redis = api.get("/api/v1/releases?serviceName=redis", ADMIN).json();
        assertThat(redis).anySatisfy(release -> {
            assertThat(release.get("version").asText()).isEqualTo("1.0.0");
            assertThat(release.at("/package/plans")).extracting(JsonNode::asText).contains("small", "large");
            assertThat(release.at("/package/secretParameters")).extracting(JsonNode::asText).containsExactly("password");
            assertThat(release.at("/package/parameters/properties/architecture/enum"))
                    .extracting(JsonNode::asText).containsExactly("standalone", "replication");
        });
    }

    @Test
    void aPackagePackedWithDevPackageIsAccepted() throws Exception {
        Path directory = copyOfGood(dir -> replace(dir.resolve("outpost.yaml"), "version: 1.2.0", "version: 1.2.1"));
        Path archive = Files.createTempFile("outpost-dev-package", ".tgz");
        Process pack = new ProcessBuilder(repository().resolve("dev").toString(), "package", directory.toString(),
                archive.toString()).redirectErrorStream(true).start();
        assertThat(pack.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).as("./dev package finished").isTrue();
        assertThat(pack.exitValue()).as(new String(pack.getInputStream().readAllBytes())).isZero();

        Api.Response published = api.publishPackage(ADMIN, Files.readAllBytes(archive));

        assertThat(published.status()).as(published.toString()).isIn(200, 201);
        assertThat(published.json().get("version").asText()).isEqualTo("1.2.1");
        delete(directory);
        Files.delete(archive);
    }

    @Test
    void otherBytesForAPublishedVersionAreAConflictAndStoreNothing() {
        api.publishPackage(ADMIN, TestPackages.archive("good")); // 201, or 200 after the other test
        long releases = releaseCount();

        Api.Response clash = api.publishPackage(ADMIN, good(dir -> append(dir.resolve("charts/app/values.yaml"),
                "\n# another comment\n")));

        assertThat(clash.status()).as(clash.toString()).isEqualTo(409);
        assertThat(clash.json().get("detail").asText()).contains("cache 1.2.0 already exists", "publish a new version");
        assertThat(releaseCount()).isEqualTo(releases);
    }

    @Test
    void eachBadTestPackageIsRefusedNamingItsFilesAndProblemsAndNothingIsStored() {
        // package → "file | words of the problem" for every problem it must list
        Map<String, List<String>> expected = Map.of(
                "broken-chart", List.of("chart/templates/service.yaml | helm lint"),
                "cyclic", List.of("outpost.yaml | components: dependsOn has a cycle: db → api → cache → db"),
                "invalid-schema", List.of("outpost.yaml | parameters.properties.replicas.minimum:"),
                "missing-file", List.of("charts/app | does not exist in the package",
                        "manifests/extras.yaml | does not exist in the package"),
                "values-do-not-render", List.of("chart/templates/deployment.yaml | image.tag is required",
                        "outpost.yaml | unknown reference plan.replicaz"),
                "cluster-scoped", List.of("chart | a cluster-scoped ClusterRole", "chart | in namespace 'kube-system'"));
        long releases = releaseCount();

        SoftAssertions soft = new SoftAssertions();
        expected.forEach((name, problems) -> {
            Api.Response refused = api.publishPackage(ADMIN, TestPackages.archive(name));
            soft.assertThat(refused.status()).as(name + ": " + refused).isEqualTo(422);
            if (refused.status() != 422) {
                return;
            }
            soft.assertThat(refused.contentType()).startsWith("application/problem+json");
            List<String> listed = new java.util.ArrayList<>();
            refused.json().get("problems").forEach(p -> listed.add(p.get("file").asText() + " | "
                    + p.get("problem").asText()));
            for (String problem : problems) {
                String file = problem.substring(0, problem.indexOf(" | ") + 3);
                String words = problem.substring(problem.indexOf(" | ") + 3);
                soft.assertThat(listed).as(name + ": " + refused)
                        .anySatisfy(line -> assertThat(line).startsWith(file).contains(words));
            }
        });
        Api.Response notAnArchive = api.publishPackage(ADMIN, "just text".getBytes(StandardCharsets.UTF_8));
        soft.assertThat(notAnArchive.status()).as(notAnArchive.toString()).isEqualTo(422);
        soft.assertThat(notAnArchive.raw().body()).contains("{\"file\":\"\",\"problem\":\"not a gzip'ed tar archive");
        soft.assertAll();
        assertThat(releaseCount()).as("nothing stored").isEqualTo(releases);
    }

    @Test
    void aChangeToTheGoodPackageThatBreaksItIsRefusedToo() {
        long releases = releaseCount();

        Api.Response refused = api.publishPackage(ADMIN, good(dir -> write(dir.resolve("manifests/role.yaml"),
                "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: reader\nrules: []\n")));

        assertThat(refused.status()).as(refused.toString()).isEqualTo(422);
        assertThat(refused.json().get("problems")).anySatisfy(problem -> {
            assertThat(problem.get("file").asText()).startsWith("manifests");
            assertThat(problem.get("problem").asText()).contains("cluster-scoped ClusterRole");
        });
        assertThat(releaseCount()).isEqualTo(releases);
    }

    @Test
    void anUploadUpTo20MiBIsReadWholeAndALargerOneIs413() {
        byte[] fifteenMiB = new byte[15 * 1024 * 1024];
        new java.util.Random(8).nextBytes(fifteenMiB);

        Api.Response inspected = api.publishPackage(ADMIN, fifteenMiB);
        assertThat(inspected.status()).as("read whole and inspected: " + inspected).isEqualTo(422);
        assertThat(inspected.json().at("/problems/0/problem").asText()).contains("not a gzip'ed tar archive");

        Api.Response tooLarge = api.publishPackage(ADMIN, new byte[PackagePublisher.MAX_PACKAGE_BYTES + 1]);
        assertThat(tooLarge.status()).as(tooLarge.toString()).isEqualTo(413);
    }

    @Test
    void aDeprecatedOrYankedPackageRefusesNewDeploymentsNamingWhy() {
        String id = api.publishPackage(ADMIN, TestPackages.archive("good")).json().get("id").asText();
        String tenant = api.post("/api/v1/tenants", ADMIN, Map.of("name", "pkg-" + id)).json().get("id").asText();
        String environment = api.post("/api/v1/environments", ADMIN, Map.of("tenantId", tenant, "name", "prod",
                "cloud", "aws", "region", "eu-west-1", "clusterName", "prod")).json().get("id").asText();
        Map<String, Object> deployment = Map.of("environmentId", environment, "releaseId", id, "name", "shop");
        try {
            api.post("/api/v1/releases/" + id + "/deprecate", ADMIN, Map.of("reason", "use 1.3.0"));
            Api.Response deprecated = api.post("/api/v1/deployments", ADMIN, deployment);
            assertThat(deprecated.status()).as(deprecated.toString()).isEqualTo(409);
            assertThat(deprecated.json().get("detail").asText()).contains("cache 1.2.0", "is deprecated", "use 1.3.0");
            // The catalogue stays readable and downloadable whatever the status.
            assertThat(api.download("/api/v1/releases/" + id + "/archive", ADMIN).status()).isEqualTo(200);
        } finally {
            api.post("/api/v1/releases/" + id + "/undeprecate", ADMIN, Map.of());
        }
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

    /** The good test package, copied and changed by {@code edit}, packed. */
    private static byte[] good(Consumer<Path> edit) {
        try {
            Path copy = copyOfGood(edit);
            byte[] archive = PackageArchiver.pack(copy);
            delete(copy);
            return archive;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A temporary copy of the good test package, changed by {@code edit}. */
    private static Path copyOfGood(Consumer<Path> edit) throws IOException {
        Path copy = Files.createTempDirectory("outpost-package-it");
        Path source = TestPackages.directory("good");
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : files.toList()) {
                Path target = copy.resolve(source.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
        edit.accept(copy);
        return copy;
    }

    private static void delete(Path directory) throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    /** The root of the repository this test runs in (the folder holding examples/). */
    private static Path repository() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("examples/redis"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no examples/redis above " + Path.of("").toAbsolutePath());
    }

    private static void replace(Path file, String from, String to) {
        String text = read(file);
        assertThat(text).as(file + " has the text to replace").contains(from);
        write(file, text.replace(from, to));
    }

    private static void append(Path file, String text) {
        write(file, read(file) + text);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

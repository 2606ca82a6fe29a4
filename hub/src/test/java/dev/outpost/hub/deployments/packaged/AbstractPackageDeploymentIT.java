package dev.outpost.hub.deployments.packaged;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.hub.agents.AgentPresence;
import dev.outpost.hub.deployments.CommandOutbox;
import dev.outpost.hub.enrollment.EnrollmentStore;
import dev.outpost.hub.enrollment.NewAgent;
import dev.outpost.hub.packages.TestPackages;
import dev.outpost.hub.secrets.SecretResealer;
import dev.outpost.hub.secrets.SecretSealer;
import dev.outpost.hub.secrets.SecretValues;
import dev.outpost.hub.testsupport.Api;
import dev.outpost.hub.testsupport.HubTestProperties;
import dev.outpost.protocol.v1.ClusterFacts;
import dev.outpost.protocol.v1.Command;
import dev.outpost.protocol.v1.CommandResult;
import dev.outpost.protocol.v1.Outcome;
import dev.outpost.protocol.v1.Hello;
import dev.outpost.protocol.v1.NamespaceMode;
import dev.outpost.protocol.v1.PlanStep;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.GZIPInputStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Deploying package releases through the REST API of a running hub with a real database, the real
 * package planner (helm-java) and the catalogue: parameters checked against the package's schema,
 * plans in the queued command, secrets generated and never shown, namespaces, previews, and agents
 * too old for plans. The agent is the gateway's view of it (its Hello recorded, its queue read).
 * Subclasses pick the database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractPackageDeploymentIT implements TestPropertyProvider {
    private static final String ADMIN = "opa_" + "packaged".repeat(4);

    @Inject
    EmbeddedServer server;
    @Inject
    DataSource dataSource;
    @Inject
    CommandOutbox outbox;
    @Inject
    SecretSealer sealer;
    @Inject
    SecretResealer resealer;
    @Inject
    SecretValues values;
    @Inject
    EnrollmentStore enrollment;
    @Inject
    AgentPresence presence;

    private Api api;
    private String tenantId;
    private String releaseId;

    /** Database-specific properties (outpost.db-url and friends, or nothing for H2). */
    abstract Map<String, String> databaseProperties();

    /** How a stored secret value starts: sealed in the database, unless a subclass keeps them elsewhere. */
    String storedSecretPrefix() {
        return "sealed:";
    }

    @Override
    public Map<String, String> getProperties() {
        return HubTestProperties.with(databaseProperties(), ADMIN);
    }

    @BeforeAll
    void publishThePackage() {
        api = new Api(server.getURI());
        tenantId = ok(api.post("/api/v1/tenants", ADMIN, Map.of("name", "pkg-" + suffix())), 201).get("id").asText();
        Api.Response published = api.publishPackage(ADMIN, TestPackages.archive("good"));
        assertThat(published.status()).as(published.toString()).isIn(200, 201);
        releaseId = published.json().get("id").asText();
    }

    @Test
    void badParametersAreRefusedWithEveryViolationAndNothingIsWritten() {
        Environment env = environment(Agent.current());
        long before = count("deployments");
        long secretsBefore = count("deployment_secrets");

        Api.Response refused = api.post("/api/v1/deployments", ADMIN, Map.of("environmentId", env.id(), "releaseId",
                releaseId, "name", "bad", "plan", "huge", "parameters",
                Map.of("replicas", 0, "memory", "lots", "password", "mine")));

        assertThat(refused.status()).as(refused.toString()).isEqualTo(422);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.json().get("errors")).extracting(e -> e.get("field").asText())
                .contains("/plan", "/parameters/replicas", "/parameters/memory", "/parameters/password");
        assertThat(refused.raw().body()).doesNotContain("mine");
        assertThat(count("deployments")).isEqualTo(before);
        assertThat(count("deployment_secrets")).isEqualTo(secretsBefore);
    }

    @Test
    void aPackageDeploymentQueuesThePlanInItsOwnNamespaceWithAGeneratedSecretThatNoResponseShows() throws SQLException {
        Environment env = environment(Agent.current());

        Api.Response created = api.post("/api/v1/deployments", ADMIN, Map.of("environmentId", env.id(),
                "releaseId", releaseId, "name", "cache", "parameters", Map.of("replicas", 2, "greeting", "hey")));

        assertThat(created.status()).as(created.toString()).isEqualTo(202);
        JsonNode deployment = created.json().get("deployment");
        String id = deployment.get("id").asText();
        assertThat(deployment.get("namespace").asText()).isEqualTo("op-cache");
        assertThat(deployment.get("namespaceMode").asText()).isEqualTo("per-deployment");
        assertThat(deployment.get("plan").asText()).isEqualTo("small");
        assertThat(deployment.get("parameters").get("replicas").asInt()).isEqualTo(2);
        assertThat(deployment.get("parameters").has("password")).isFalse();

        Command command = onlyCommand(env);
        assertThat(command.getApply().getNamespaceMode()).isEqualTo(NamespaceMode.NAMESPACE_MODE_PER_DEPLOYMENT);
        assertThat(command.getApply().getNamespace()).isEqualTo("op-cache");
        assertThat(command.getApply().getRelease().getManifests()).isEmpty();
        assertThat(command.getApply().getPlan().getStepsList()).extracting(PlanStep::getName)
                .containsExactly("pool", "cache", "smoke");
        String password = secret(id, "password");
        assertThat(password).hasSize(GeneratedSecrets.CHARS);
        assertThat(yaml(command, "cache")).contains(password, "hey, cache");

        List<String> bodies = new ArrayList<>(List.of(created.raw().body(),
                api.get("/api/v1/deployments/" + id, ADMIN).raw().body(),
                api.get("/api/v1/deployments", ADMIN).raw().body(),
                api.get("/api/v1/operations?deploymentId=" + id, ADMIN).raw().body(),
                api.get("/api/v1/deployments/" + id + "/preview", ADMIN).raw().body()));

        // the agent carried it out; an update keeps the secret, and renders with it
        outbox.result(env.id(), env.agentId(), CommandResult.newBuilder().setCommandId(command.getCommandId())
                .setOutcome(Outcome.OUTCOME_SUCCEEDED).build());
        Api.Response updated = api.patch("/api/v1/deployments/" + id, ADMIN, Map.of("parameters", Map.of("replicas", 3)));
        assertThat(updated.status()).as(updated.toString()).isEqualTo(202);
        bodies.add(updated.raw().body());
        outbox.result(env.id(), env.agentId(), CommandResult.newBuilder().setCommandId(commands(env).getLast()
                .getCommandId()).setOutcome(Outcome.OUTCOME_SUCCEEDED).build());
        assertThat(secret(id, "password")).isEqualTo(password);
        assertThat(yaml(latestCommand(id), "cache")).contains(password);
        assertThat(bodies).allSatisfy(body -> assertThat(body).doesNotContain(password));
        // at rest only sealed: neither the secrets table nor the commands' rendered plans hold it
        assertThat(rawColumn("select secret_value from deployment_secrets where deployment_id = '" + id + "'"))
                .allSatisfy(raw -> assertThat(raw).startsWith(storedSecretPrefix()).doesNotContain(password));
        // (the plan's YAML is gzipped inside the command: what shows it is sealed is that it is no command at all)
        assertThat(rawColumn("select payload from commands where deployment_id = '" + id + "'")).hasSize(2)
                .allSatisfy(raw -> {
                    assertThat(raw).startsWith("OPS1");
                    byte[] bytes = raw.getBytes(StandardCharsets.ISO_8859_1);
                    assertThatThrownBy(() -> Command.parseFrom(bytes)).isInstanceOf(IOException.class);
                    assertThat(yaml(Command.parseFrom(sealer.open(bytes)), "cache")).contains(password);
                });

        // a secret from the caller is refused on update too
        Api.Response given = api.patch("/api/v1/deployments/" + id, ADMIN, Map.of("parameters", Map.of("password", "x")));
        assertThat(given.status()).as(given.toString()).isEqualTo(422);
        assertThat(given.json().get("errors")).extracting(e -> e.get("field").asText()).contains("/parameters/password");
    }

    @Test
    void secretsStoredBeforeSealingExistedAreSealedByTheResealerAndStillRender() throws Exception {
        Environment env = environment(Agent.current());
        Api.Response created = api.post("/api/v1/deployments", ADMIN, Map.of("environmentId", env.id(),
                "releaseId", releaseId, "name", "legacy", "parameters", Map.of("replicas", 1, "greeting", "old")));
        assertThat(created.status()).as(created.toString()).isEqualTo(202);
        String id = created.json().at("/deployment/id").asText();
        String password = secret(id, "password");
        Command command = latestCommand(id);
        // as a hub before sealing stored them: plain text, a plain protobuf
        execute("update deployment_secrets set secret_value = ? where deployment_id = ?", password, id);
        execute("update commands set payload = ? where deployment_id = ?", command.toByteArray(), id);

        assertThat(secret(id, "password")).as("readable as it was").isEqualTo(password);
        assertThat(resealer.resealAll()).isEqualTo(2);

        assertThat(rawColumn("select secret_value from deployment_secrets where deployment_id = '" + id + "'"))
                .singleElement().satisfies(raw -> assertThat(raw).startsWith(storedSecretPrefix()).doesNotContain(password));
        assertThat(rawColumn("select payload from commands where deployment_id = '" + id + "'"))
                .singleElement().satisfies(raw -> assertThat(raw).startsWith("OPS1"));
        assertThat(secret(id, "password")).isEqualTo(password);
        assertThat(latestCommand(id)).isEqualTo(command);
        assertThat(resealer.resealAll()).as("nothing left to seal").isZero();
    }

    private void execute(String sql, Object... params) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            s.executeUpdate();
        }
    }

    @Test
    void aPreviewShowsThePlanChangeAsADiffWithSecretsRedactedAndChangesNothing() {
        Environment env = environment(Agent.current());
        String id = ok(api.post("/api/v1/deployments", ADMIN, Map.of("environmentId", env.id(),
                "releaseId", releaseId, "name", "prev")), 202).at("/deployment/id").asText();
        int queued = commands(env).size();

        Api.Response preview = api.get("/api/v1/deployments/" + id + "/preview?plan=large", ADMIN);

        assertThat(preview.status()).as(preview.toString()).isEqualTo(200);
        JsonNode body = preview.json();
        assertThat(body.get("plan").asText()).isEqualTo("large");
        assertThat(body.get("steps")).extracting(s -> s.get("name").asText()).containsExactly("pool", "cache", "smoke");
        Map<String, List<String>> changed = new LinkedHashMap<>();
        body.at("/diff/changed").forEach(c -> {
            List<String> fields = new ArrayList<>();
            c.get("fields").forEach(f -> fields.add(f.asText()));
            changed.put(c.get("kind").asText() + "/" + c.get("name").asText(), fields);
        });
        assertThat(changed).containsKey("nodePool/cache-prev");
        assertThat(changed.get("nodePool/cache-prev")).contains("gpus");
        assertThat(changed.entrySet()).anySatisfy(e -> {
            assertThat(e.getKey()).startsWith("StatefulSet/");
            assertThat(e.getValue()).contains("spec.replicas");
        });
        JsonNode secret = null;
        for (JsonNode step : body.get("steps")) {
            for (JsonNode object : step.get("objects")) {
                if ("Secret".equals(object.get("kind").asText())) {
                    secret = object;
                }
            }
        }
        assertThat(secret).as("the chart's Secret is shown").isNotNull();
        assertThat(secret.at("/manifest/stringData/password").asText()).isEqualTo(Redaction.REDACTED);

        JsonNode same = ok(api.get("/api/v1/deployments/" + id + "/preview", ADMIN), 200);
        assertThat(same.at("/diff/added")).isEmpty();
        assertThat(same.at("/diff/changed")).isEmpty();
        assertThat(same.at("/diff/removed")).isEmpty();

        Api.Response bad = api.get("/api/v1/deployments/" + id + "/preview?parameters="
                + URLEncoder.encode("{\"replicas\":\"many\"}", StandardCharsets.UTF_8), ADMIN);
        assertThat(bad.status()).as(bad.toString()).isEqualTo(422);
        assertThat(bad.json().get("errors")).extracting(e -> e.get("field").asText()).contains("/parameters/replicas");

        assertThat(commands(env)).hasSize(queued);
        JsonNode after = api.get("/api/v1/deployments/" + id, ADMIN).json();
        assertThat(after.get("plan").asText()).isEqualTo("small");
        assertThat(after.get("generation").asLong()).isEqualTo(1);
    }

    @Test
    void anAgentOnRevisionOneGetsNoPlanAndTheOperationFailsSayingWhy() {
        Environment env = environment(new Agent(1, false));

        Api.Response created = api.post("/api/v1/deployments", ADMIN, Map.of("environmentId", env.id(),
                "releaseId", releaseId, "name", "old", "namespaceMode", "existing", "namespace", "apps"));

        assertThat(created.status()).as(created.toString()).isEqualTo(202);
        assertThat(created.json().at("/operation/status").asText()).isEqualTo("failed");
        assertThat(created.json().at("/operation/failureReason").asText()).isEqualTo(
                "the agent speaks outpost.v1 revision 1; package releases need revision 2 — upgrade the agent");
        assertThat(created.json().at("/deployment/status").asText()).isEqualTo("failed");
        assertThat(commands(env)).as("no command was queued").isEmpty();
    }

    @Test
    void perDeploymentNamespacesAreRefusedWhenTheAgentMayNotCreateThem() {
        Environment env = environment(new Agent(2, false));
        long before = count("deployments");

        Api.Response refused = api.post("/api/v1/deployments", ADMIN, Map.of("environmentId", env.id(),
                "releaseId", releaseId, "name", "nons"));

        assertThat(refused.status()).as(refused.toString()).isEqualTo(422);
        assertThat(refused.json().get("errors").get(0).get("field").asText()).isEqualTo("/namespaceMode");
        assertThat(refused.json().get("detail").asText()).contains("creates_namespaces = false");
        assertThat(count("deployments")).isEqualTo(before);

        JsonNode existing = ok(api.post("/api/v1/deployments", ADMIN, Map.of("environmentId", env.id(),
                "releaseId", releaseId, "name", "nons", "namespaceMode", "existing", "namespace", "apps")), 202);
        assertThat(existing.at("/deployment/namespace").asText()).isEqualTo("apps");
        assertThat(existing.at("/deployment/namespaceMode").asText()).isEqualTo("existing");
        assertThat(onlyCommand(env).getApply().getNamespaceMode()).isEqualTo(NamespaceMode.NAMESPACE_MODE_EXISTING);
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    /** The agent an environment gets: the revision it negotiates and whether it may create namespaces. */
    record Agent(int revision, boolean createsNamespaces) {
        static Agent current() {
            return new Agent(2, true);
        }
    }

    record Environment(String id, String agentId) {
    }

    private Environment environment(Agent agent) {
        String env = ok(api.post("/api/v1/environments", ADMIN, Map.of("tenantId", tenantId, "name", "env-" + suffix(),
                "cloud", "aws", "region", "eu-west-1", "clusterName", "prod")), 201).get("id").asText();
        String token = ok(api.post("/api/v1/environments/" + env + "/join-tokens", ADMIN, Map.of("uses", 1)), 201)
                .get("token").asText();
        String agentId = "agent-pkg-" + suffix();
        enrollment.register(enrollment.check(token), new NewAgent(agentId, UUID.randomUUID().toString().replace("-", ""),
                Instant.now().plusSeconds(3600), "0.3.0", "v1.36.3", 1, "kind"));
        presence.connected(agentId, "replica-1", Hello.newBuilder().setAgentVersion("0.3.0")
                .setProtocolRevision(agent.revision()).setCreatesNamespaces(agent.createsNamespaces())
                .addAllowedNamespaces("apps")
                .setCluster(ClusterFacts.newBuilder().setKubernetesVersion("v1.36.3")
                        .addApiVersions("v1").addApiVersions("apps/v1").addApiVersions("batch/v1"))
                .build());
        return new Environment(env, agentId);
    }

    /** A package deployment in a fresh environment, whose release makes the hub generate a secret; its id. */
    String createPackageDeploymentWithSecret() {
        Environment env = environment(Agent.current());
        return ok(api.post("/api/v1/deployments", ADMIN, Map.of("environmentId", env.id(), "releaseId", releaseId,
                "name", "cache", "parameters", Map.of("replicas", 2, "greeting", "hey"))), 202)
                .at("/deployment/id").asText();
    }

    private List<Command> commands(Environment env) {
        return outbox.unanswered(env.id(), env.agentId(), 100);
    }

    private Command latestCommand(String deploymentId) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select payload from commands where deployment_id = '" + deploymentId + "'")) {
            Command latest = null;
            while (rs.next()) {
                Command command = Command.parseFrom(sealer.open(rs.getBytes(1)));
                if (latest == null || command.getGeneration() > latest.getGeneration()) {
                    latest = command;
                }
            }
            assertThat(latest).isNotNull();
            return latest;
        } catch (SQLException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private Command onlyCommand(Environment env) {
        List<Command> commands = commands(env);
        assertThat(commands).hasSize(1);
        return commands.getFirst();
    }

    private static String yaml(Command command, String step) {
        PlanStep found = command.getApply().getPlan().getStepsList().stream().filter(s -> s.getName().equals(step))
                .findFirst().orElseThrow();
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(found.getObjects().getYamlGzip().toByteArray()))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The column's values as stored, bytes read as Latin-1 so that any plain text in them shows. */
    List<String> rawColumn(String query) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
            while (rs.next()) {
                values.add(new String(rs.getBytes(1), StandardCharsets.ISO_8859_1));
            }
        }
        return values;
    }

    private String secret(String deploymentId, String name) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select secret_value from deployment_secrets where deployment_id = '"
                     + deploymentId + "' and name = '" + name + "'")) {
            assertThat(rs.next()).as("secret " + name + " stored").isTrue();
            return values.value(deploymentId, name, rs.getString(1));
        }
    }

    private long count(String table) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from " + table)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode ok(Api.Response response, int status) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        return response.json();
    }

    private static String suffix() {
        return UUID.randomUUID().toString().substring(0, 8);
    }
}

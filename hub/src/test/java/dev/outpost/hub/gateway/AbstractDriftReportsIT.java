package dev.outpost.hub.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import dev.outpost.hub.pki.HubCertificateAuthority;
import dev.outpost.hub.pki.TestCsr;
import dev.outpost.hub.testsupport.Api;
import dev.outpost.hub.testsupport.HubTestProperties;
import dev.outpost.protocol.Pem;
import dev.outpost.protocol.fixtures.ReleaseFixture;
import dev.outpost.protocol.v1.AgentMessage;
import dev.outpost.protocol.v1.ClusterFacts;
import dev.outpost.protocol.v1.Command;
import dev.outpost.protocol.v1.CommandResult;
import dev.outpost.protocol.v1.DriftChange;
import dev.outpost.protocol.v1.DriftPolicy;
import dev.outpost.protocol.v1.DriftReport;
import dev.outpost.protocol.v1.DriftedObject;
import dev.outpost.protocol.v1.EnrollRequest;
import dev.outpost.protocol.v1.EnrollResponse;
import dev.outpost.protocol.v1.EnrollmentGrpc;
import dev.outpost.protocol.v1.Hello;
import dev.outpost.protocol.v1.Outcome;
import io.grpc.Status;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Drift over a real control stream (mutual TLS, a certificate the hub issued through enrolment) into
 * the real store, shown on the REST API: a test agent sends DriftReports as the agent does (the full
 * list each time). Subclasses pick the database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractDriftReportsIT implements TestPropertyProvider {
    static final String ADMIN = "opa_" + "dr".repeat(16);
    private static final Instant SEEN = Instant.parse("2026-12-03T06:00:00Z");

    @Inject
    AgentGateway gateway;
    @Inject
    HubCertificateAuthority ca;
    @Inject
    EmbeddedServer server;
    @Inject
    DataSource dataSource;

    private Api api;
    private GatewayChannels channels;

    abstract Map<String, String> databaseProperties();

    @Override
    public Map<String, String> getProperties() {
        return HubTestProperties.with(databaseProperties(), ADMIN);
    }

    @BeforeAll
    void clients() {
        api = new Api(server.getURI());
        channels = new GatewayChannels(gateway::port, ca::caCertificate);
    }

    @AfterEach
    void closeChannels() {
        channels.close();
    }

    @Test
    void reportedDriftIsShownOnTheDeploymentAndReplacedByEachReport() {
        String env = createEnvironment();
        TestControlStream agent = connect(env);
        String deployment = deploy(env, "cache", null);
        await().until(() -> agent.commands().size() == 1);
        Command create = agent.commands().getFirst();
        assertThat(create.getApply().getDriftPolicy()).isEqualTo(DriftPolicy.DRIFT_POLICY_REPORT);
        succeed(agent, create);
        await().until(() -> "ready".equals(deploymentJson(deployment).get("status").asText()));
        assertThat(deploymentJson(deployment).get("drift")).isEmpty();
        assertThat(deploymentJson(deployment).get("driftedSince").isNull()).isTrue();

        agent.send(drift(deployment, scaled(false, SEEN), deleted(SEEN.plusSeconds(5))));

        await().until(() -> deploymentJson(deployment).get("drift").size() == 2);
        JsonNode shown = deploymentJson(deployment);
        assertThat(shown.get("driftPolicy").asText()).isEqualTo("report");
        assertThat(Instant.parse(shown.get("driftedSince").asText())).isEqualTo(SEEN);
        JsonNode redis = shown.at("/drift/0");
        assertThat(redis.get("kind").asText()).isEqualTo("StatefulSet");
        assertThat(redis.get("apiVersion").asText()).isEqualTo("apps/v1");
        assertThat(redis.get("namespace").asText()).isEqualTo("apps");
        assertThat(redis.get("name").asText()).isEqualTo("redis");
        assertThat(redis.get("change").asText()).isEqualTo("modified");
        assertThat(redis.get("fields")).hasSize(1);
        assertThat(redis.at("/fields/0").asText()).isEqualTo("spec.replicas");
        assertThat(Instant.parse(redis.get("since").asText())).isEqualTo(SEEN);
        assertThat(redis.get("healed").asBoolean()).isFalse();
        assertThat(redis.has("lastSeenAt")).isTrue();
        assertThat(shown.at("/drift/1/change").asText()).isEqualTo("deleted");
        assertThat(shown.at("/drift/1/fields")).isEmpty();
        // the list shows it too
        JsonNode listed = api.get("/api/v1/deployments?environmentId=" + env, ADMIN).json().get(0);
        assertThat(listed.get("drift")).hasSize(2);

        // the object deleted by hand was put back by hand: the agent's next full list no longer has it
        agent.send(drift(deployment, scaled(false, SEEN)));
        await().until(() -> deploymentJson(deployment).get("drift").size() == 1);

        // everything back in line: an empty report clears the drift
        agent.send(drift(deployment));
        await().until(() -> deploymentJson(deployment).get("drift").isEmpty());
        assertThat(deploymentJson(deployment).get("driftedSince").isNull()).isTrue();
        assertThat(agent.closed).isNotDone();
    }

    @Test
    void healIsChosenOnCreateOrPatchCarriedToTheAgentAndASucceededApplyClearsTheDrift() {
        String env = createEnvironment();
        TestControlStream agent = connect(env);
        String healing = deploy(env, "healing", "heal");
        String reporting = deploy(env, "reporting", null);
        await().until(() -> agent.commands().size() == 2);
        Command healingCreate = commandFor(agent, healing, 1);
        assertThat(healingCreate.getApply().getDriftPolicy()).isEqualTo(DriftPolicy.DRIFT_POLICY_HEAL);
        agent.commands().forEach(c -> succeed(agent, c));
        await().until(() -> "ready".equals(deploymentJson(reporting).get("status").asText()));
        assertThat(deploymentJson(healing).get("driftPolicy").asText()).isEqualTo("heal");

        // healed objects are shown as healed, and do not count as drifted
        agent.send(drift(healing, scaled(true, SEEN)));
        await().until(() -> deploymentJson(healing).get("drift").size() == 1);
        assertThat(deploymentJson(healing).at("/drift/0/healed").asBoolean()).isTrue();
        assertThat(deploymentJson(healing).get("driftedSince").isNull()).isTrue();

        // a PATCH of only the policy is an update whose apply command carries it
        agent.send(drift(reporting, scaled(false, SEEN)));
        await().until(() -> deploymentJson(reporting).get("drift").size() == 1);
        Api.Response patched = api.patch("/api/v1/deployments/" + reporting, ADMIN, Map.of("driftPolicy", "heal"));
        assertThat(patched.status()).as(patched.toString()).isEqualTo(202);
        assertThat(patched.json().at("/deployment/driftPolicy").asText()).isEqualTo("heal");
        assertThat(patched.json().at("/deployment/drift")).hasSize(1); // still drifted until the apply succeeds
        await().until(() -> agent.commands().size() == 3);
        Command update = commandFor(agent, reporting, 2);
        assertThat(update.getApply().getDriftPolicy()).isEqualTo(DriftPolicy.DRIFT_POLICY_HEAL);
        assertThat(update.getApply().getParametersMap()).isEqualTo(commandFor(agent, reporting, 1).getApply()
                .getParametersMap());

        succeed(agent, update);

        await().until(() -> deploymentJson(reporting).get("drift").isEmpty());
        assertThat(deploymentJson(reporting).get("status").asText()).isEqualTo("ready");
        assertThat(deploymentJson(reporting).get("driftPolicy").asText()).isEqualTo("heal");
    }

    @Test
    void anUnknownDriftPolicyIsRefusedNamingTheFieldAndNothingIsWritten() {
        String env = createEnvironment();
        Api.Response refused = api.post("/api/v1/deployments", ADMIN, body(env, "cache", "fix-it"));
        assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
        assertThat(refused.json().at("/errors/0/field").asText()).isEqualTo("/driftPolicy");
        assertThat(refused.json().at("/errors/0/message").asText()).isEqualTo("must be report or heal");
        assertThat(api.get("/api/v1/deployments?environmentId=" + env, ADMIN).json()).isEmpty();
    }

    @Test
    void aMalformedReportClosesTheStreamNamingTheFieldAndStoresNothing() throws Exception {
        String env = createEnvironment();
        TestControlStream agent = connect(env);
        String deployment = deploy(env, "cache", null);

        agent.send(drift(deployment, scaled(false, SEEN).toBuilder().setName("").build()));

        Status closed = agent.awaitClosed();
        assertThat(closed.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(closed.getDescription()).isEqualTo("drift.objects[0].name is required");
        assertThat(driftRows(deployment)).isZero();
    }

    @Test
    void aReportOnAnotherEnvironmentsDeploymentIsIgnoredAndTheStreamStaysOpen() {
        String mine = createEnvironment();
        String theirs = createEnvironment();
        TestControlStream agent = connect(mine);
        String foreign = deploy(theirs, "cache", null);
        String own = deploy(mine, "cache", null);

        agent.send(drift(foreign, scaled(false, SEEN)));
        agent.send(drift(own, scaled(false, SEEN)));

        await().until(() -> deploymentJson(own).get("drift").size() == 1);
        assertThat(deploymentJson(foreign).get("drift")).isEmpty();
        assertThat(driftRows(foreign)).isZero();
        assertThat(agent.closed).isNotDone();
    }

    // ---- helpers

    private static DriftedObject scaled(boolean healed, Instant detected) {
        return DriftedObject.newBuilder().setApiVersion("apps/v1").setKind("StatefulSet").setNamespace("apps")
                .setName("redis").setChange(DriftChange.DRIFT_CHANGE_MODIFIED).addFields("spec.replicas")
                .setDetectedAtUnixMs(detected.toEpochMilli()).setHealed(healed).build();
    }

    private static DriftedObject deleted(Instant detected) {
        return DriftedObject.newBuilder().setApiVersion("v1").setKind("ConfigMap").setNamespace("apps")
                .setName("redis-scripts").setChange(DriftChange.DRIFT_CHANGE_DELETED)
                .setDetectedAtUnixMs(detected.toEpochMilli()).build();
    }

    private static AgentMessage drift(String deployment, DriftedObject... objects) {
        return AgentMessage.newBuilder().setDrift(DriftReport.newBuilder().setDeploymentId(deployment)
                .addAllObjects(List.of(objects))).build();
    }

    private static void succeed(TestControlStream agent, Command command) {
        agent.send(AgentMessage.newBuilder().setResult(CommandResult.newBuilder().setCommandId(command.getCommandId())
                .setOutcome(Outcome.OUTCOME_SUCCEEDED)).build());
    }

    private static Command commandFor(TestControlStream agent, String deployment, long generation) {
        return agent.commands().stream().filter(c -> c.getDeploymentId().equals(deployment)
                && c.getGeneration() == generation).findFirst().orElseThrow();
    }

    /** Enrols an agent in the environment and opens its stream (revision 2, so drift is spoken). */
    private TestControlStream connect(String env) {
        Api.Response token = api.post("/api/v1/environments/" + env + "/join-tokens", ADMIN, Map.of("uses", 1));
        assertThat(token.status()).as(token.toString()).isEqualTo(201);
        try {
            KeyPair keys = TestCsr.p256();
            EnrollResponse enrolled = EnrollmentGrpc.newBlockingStub(channels.anonymous())
                    .withDeadlineAfter(20, TimeUnit.SECONDS).enroll(EnrollRequest.newBuilder()
                            .setJoinToken(token.json().get("token").asText())
                            .setCsrDer(ByteString.copyFrom(TestCsr.csr(keys))).setAgentVersion("0.2.0")
                            .setCluster(ClusterFacts.newBuilder().setKubernetesVersion("v1.36.3").setNodeCount(1))
                            .build());
            TestControlStream stream = new TestControlStream(channels.withCertificate(keys,
                    Pem.parseCertificate(enrolled.getCertificatePem())));
            stream.send(AgentMessage.newBuilder().setHello(Hello.newBuilder().setAgentVersion("0.2.0")
                    .setProtocolRevision(2).addAllowedNamespaces("apps")).build());
            stream.awaitWelcome();
            return stream;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private String createEnvironment() {
        return TestEnvironments.create(api, ADMIN);
    }

    private String release() {
        ReleaseFixture fixture = ReleaseFixture.redisV1();
        Api.Response release = api.post("/api/v1/releases", ADMIN, Map.of("serviceName",
                "redis-" + UUID.randomUUID().toString().substring(0, 8), "version", fixture.version(),
                "manifests", fixture.manifests(), "defaultParameters", fixture.defaults()));
        assertThat(release.status()).as(release.toString()).isEqualTo(201);
        return release.json().get("id").asText();
    }

    private Map<String, Object> body(String env, String name, String driftPolicy) {
        Map<String, Object> body = new HashMap<>(Map.of("environmentId", env, "releaseId", release(), "name", name,
                "namespace", "apps"));
        if (driftPolicy != null) {
            body.put("driftPolicy", driftPolicy);
        }
        return body;
    }

    private String deploy(String env, String name, String driftPolicy) {
        Api.Response created = api.post("/api/v1/deployments", ADMIN, body(env, name, driftPolicy));
        assertThat(created.status()).as(created.toString()).isEqualTo(202);
        return created.json().at("/deployment/id").asText();
    }

    private JsonNode deploymentJson(String id) {
        Api.Response response = api.get("/api/v1/deployments/" + id, ADMIN);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json();
    }

    private long driftRows(String deployment) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("select count(*) from deployment_drift where deployment_id = ?")) {
            s.setString(1, deployment);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
        catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}

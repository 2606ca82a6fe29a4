package dev.outpost.hub.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import dev.outpost.hub.deployments.AppliedClaims;
import dev.outpost.hub.pki.HubCertificateAuthority;
import dev.outpost.hub.pki.TestCsr;
import dev.outpost.hub.secrets.SecretSealer;
import dev.outpost.hub.testsupport.Api;
import dev.outpost.hub.testsupport.CapturedLog;
import dev.outpost.hub.testsupport.HubTestProperties;
import dev.outpost.protocol.FieldLimits;
import dev.outpost.protocol.GrpcLimits;
import dev.outpost.protocol.Pem;
import dev.outpost.protocol.fixtures.ReleaseFixture;
import dev.outpost.protocol.v1.AgentMessage;
import dev.outpost.protocol.v1.AppliedDeployment;
import dev.outpost.protocol.v1.ClusterFacts;
import dev.outpost.protocol.v1.Command;
import dev.outpost.protocol.v1.CommandProgress;
import dev.outpost.protocol.v1.CommandResult;
import dev.outpost.protocol.v1.EnrollRequest;
import dev.outpost.protocol.v1.EnrollResponse;
import dev.outpost.protocol.v1.EnrollmentGrpc;
import dev.outpost.protocol.v1.Heartbeat;
import dev.outpost.protocol.v1.Hello;
import dev.outpost.protocol.v1.Outcome;
import dev.outpost.protocol.v1.Step;
import dev.outpost.protocol.v1.StepState;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a compromised agent (a valid certificate of the real hub CA, real TLS sockets) can send, and
 * that the hub refuses it with a status naming the field, stores nothing of it and logs one escaped
 * line without a stack trace. Subclasses pick the database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractGatewayDistrustIT implements TestPropertyProvider {
    static final String ADMIN = "opa_" + "gd".repeat(16);
    private static final String FORGED = "\n12:00:00.000 ERROR [main] dev.outpost.hub.Application - FORGED";

    @Inject
    AgentGateway gateway;
    @Inject
    HubCertificateAuthority ca;
    @Inject
    DataSource dataSource;
    @Inject
    SecretSealer sealer;
    @Inject
    EmbeddedServer server;

    private Api api;
    private GatewayChannels channels;
    private CapturedLog log;

    /** Database-specific properties (outpost.db-url and friends, or nothing for H2). */
    abstract Map<String, String> databaseProperties();

    /** Whether to run the checks that involve no store (TLS, deadlines, rate limit); once is enough. */
    boolean checksTransport() {
        return true;
    }

    @Override
    public Map<String, String> getProperties() {
        return HubTestProperties.with(databaseProperties(), ADMIN);
    }

    @BeforeAll
    void clients() {
        api = new Api(server.getURI());
        channels = new GatewayChannels(gateway::port, ca::caCertificate);
    }

    @BeforeEach
    void captureLog() {
        log = new CapturedLog();
    }

    @AfterEach
    void closeChannels() {
        channels.close();
        log.close();
    }

    // ---- 13, 14: agent_version and the other Hello/Enroll fields ------------------------------------------------

    @Test
    void aNewlineInAgentVersionOnEnrollIsRefusedNamingTheFieldAndConsumesNothing() {
        String env = createEnvironment();
        String token = joinToken(env);

        assertRefused(() -> enroll(token, "0.1.0" + FORGED), Status.Code.INVALID_ARGUMENT,
                "agent_version must not contain control characters (U+000A at position 5)");

        assertThat(count("select count(*) from agents where environment_id = ?", env)).isZero();
        assertThat(count("select uses from join_tokens where environment_id = ?", env)).isZero();
        assertOneLineLogWithoutStackTraces("Enrollment refused: agent_version must not contain control characters");
    }

    @Test
    void enrollAgentVersionsBeyondTheColumnAreInvalidArgumentNotInternal() {
        String env = createEnvironment();
        String token = joinToken(env);

        for (int length : new int[] {101, 128, 129}) {
            assertRefused(() -> enroll(token, "v".repeat(length)), Status.Code.INVALID_ARGUMENT,
                    "agent_version must be at most 100 characters (has " + length + ")");
        }
        assertThat(count("select count(*) from agents where environment_id = ?", env)).isZero();
        EnrollResponse atTheLimit = enroll(token, "v".repeat(FieldLimits.AGENT_VERSION_CHARS)).response();
        assertThat(text("select version from agents where id = ?", atTheLimit.getAgentId()))
                .isEqualTo("v".repeat(FieldLimits.AGENT_VERSION_CHARS));
        assertThat(log.errorsOrStackTraces()).isEmpty();
    }

    @Test
    void aHelloWithANewlineInAgentVersionIsRefusedAndRecordsNothing() throws Exception {
        Agent agent = enrolledAgent();

        Status status = agent.stream().send(helloOf(hello("0.2.0" + FORGED).build())).awaitClosed();

        assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(status.getDescription())
                .isEqualTo("hello.agent_version must not contain control characters (U+000A at position 5)");
        assertThat(text("select version from agents where id = ?", agent.id())).isEqualTo("0.1.0");
        assertThat(text("select status from agents where id = ?", agent.id())).isNotEqualTo("online");
        assertOneLineLogWithoutStackTraces("refused a message: hello.agent_version must not contain control characters");
    }

    @Test
    void aHelloAgentVersionOverTheLimitIsInvalidArgumentNotUnavailable() throws Exception {
        Agent agent = enrolledAgent();

        Status status = agent.stream().send(helloOf(hello("v".repeat(101)).build())).awaitClosed();

        assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(status.getDescription()).isEqualTo("hello.agent_version must be at most 100 characters (has 101)");
        assertThat(text("select version from agents where id = ?", agent.id())).isEqualTo("0.1.0");
        assertOneLineLogWithoutStackTraces("hello.agent_version must be at most 100 characters (has 101)");

        TestControlStream atTheLimit = agent.stream().send(helloOf(hello("v".repeat(100)).build()));
        atTheLimit.awaitWelcome();
        assertThat(text("select version from agents where id = ?", agent.id())).isEqualTo("v".repeat(100));
        // the limit counts code points, and so does the column: 100 characters outside the BMP fit too
        TestControlStream astral = agent.stream().send(helloOf(hello("😀".repeat(100)).build()));
        astral.awaitWelcome();
        assertThat(text("select version from agents where id = ?", agent.id())).isEqualTo("😀".repeat(100));
        assertThat(log.errorsOrStackTraces()).isEmpty();
    }

    @Test
    void otherHelloFieldsAreBoundedNamingTheField() throws Exception {
        Agent agent = enrolledAgent();

        Status platform = agent.stream().send(helloOf(hello("0.2.0").setCluster(ClusterFacts.newBuilder()
                .setKubernetesVersion("v1.36.3").setPlatform("kind\u202e")).build())).awaitClosed();
        Status nodes = agent.stream().send(helloOf(hello("0.2.0").setCluster(ClusterFacts.newBuilder()
                .setNodeCount(-1)).build())).awaitClosed();

        assertThat(platform.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(platform.getDescription())
                .isEqualTo("hello.cluster.platform must not contain invisible format characters (U+202E at position 4)");
        assertThat(nodes.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(nodes.getDescription()).isEqualTo("hello.cluster.node_count must not be negative (is -1)");
        assertThat(text("select platform from agents where id = ?", agent.id())).isEqualTo("kind");
    }

    // ---- 15: Hello.applied ---------------------------------------------------------------------------------------

    @Test
    void helloAppliedKeepsOnlyWhatTheHubIssuedToTheAgentsOwnEnvironment() throws Exception {
        String env = createEnvironment();
        Agent agent = enroll(joinToken(env), "0.1.0");
        String release = createRelease();
        String own = deploy(env, release, "own");
        String unapplied = deploy(env, release, "unapplied");
        String othersEnv = createEnvironment();
        enroll(joinToken(othersEnv), "0.1.0");
        String foreign = deploy(othersEnv, release, "foreign");
        String ownHash = expectedHashOfFirstCommand(own);

        Hello.Builder hello = hello("0.2.0")
                .addApplied(applied(own, 1, ownHash))
                .addApplied(applied(foreign, 1, expectedHashOfFirstCommand(foreign))) // another tenant's: unknown
                .addApplied(applied(own, 1, ownHash)) // twice
                .addApplied(applied(unapplied, 99, ownHash)) // a generation never issued
                .addApplied(applied(unapplied, 1, ownHash)); // listed twice, and not the hash of its own command
        for (int i = 0; i < FieldLimits.APPLIED_ENTRIES - 5; i++) {
            hello.addApplied(applied("dep_made_up_" + i, 1, "sha256:" + "0".repeat(64)));
        }
        TestControlStream stream = agent.stream().send(AgentMessage.newBuilder().setHello(hello).build());
        stream.awaitWelcome();

        JsonNode shown = api.get("/api/v1/agents/" + agent.id(), ADMIN).json();
        assertThat(shown.get("applied")).hasSize(1);
        assertThat(shown.at("/applied/0/deploymentId").asText()).isEqualTo(own);
        assertThat(shown.at("/applied/0/contentHash").asText()).isEqualTo(ownHash);
        assertThat(text("select applied_json from agents where id = ?", agent.id())).doesNotContain(foreign, "made_up");
        List<String> lines = log.linesContaining("applied deployment(s) the hub did not issue");
        assertThat(lines).singleElement().satisfies(line -> assertThat(line)
                .contains("agent=" + agent.id(), "claimed 999 applied", "unknown deployment=996",
                        "deployment listed twice=2", "generation not issued=1", "first: deployment_id=" + foreign)
                .doesNotContain("\n"));
        assertThat(log.errorsOrStackTraces()).isEmpty();
    }

    @Test
    void helloWithMoreAppliedEntriesThanTheLimitIsInvalidArgument() throws Exception {
        Agent agent = enrolledAgent();
        Hello.Builder hello = hello("0.2.0");
        for (int i = 0; i <= FieldLimits.APPLIED_ENTRIES; i++) {
            hello.addApplied(applied("dep_" + i, 1, "sha256:x"));
        }

        Status status = agent.stream().send(AgentMessage.newBuilder().setHello(hello).build()).awaitClosed();

        assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(status.getDescription()).isEqualTo("hello.applied must have at most 1000 entries (has 1001)");
        assertThat(text("select applied_json from agents where id = ?", agent.id())).isEqualTo("[]");
    }

    // ---- 16, 19: CommandResult ------------------------------------------------------------------------------------

    @Test
    void aResultClaimingAnotherGenerationOrHashFailsTheOperationAndStoresNothingOfIt() throws Exception {
        String env = createEnvironment();
        Agent agent = enroll(joinToken(env), "0.1.0");
        String deployment = deploy(env, createRelease(), "claimed");
        TestControlStream stream = agent.stream().hello();
        await().until(() -> stream.commands().size() == 1);
        Command command = stream.commands().getFirst();

        stream.send(AgentMessage.newBuilder().setResult(CommandResult.newBuilder().setCommandId(command.getCommandId())
                .setOutcome(Outcome.OUTCOME_SUCCEEDED).addSteps(step("apply Service/evil", "claimed"))
                .setApplied(applied(deployment, 99, "sha256:evil"))).build());

        await().until(() -> "failed".equals(api.get("/api/v1/deployments/" + deployment, ADMIN).json()
                .get("status").asText()));
        JsonNode shown = api.get("/api/v1/deployments/" + deployment, ADMIN).json();
        assertThat(shown.get("generation").asLong()).isEqualTo(1);
        assertThat(shown.get("appliedGeneration").asLong()).isZero();
        assertThat(shown.get("contentHash").isNull()).isTrue();
        assertThat(shown.get("statusReason").asText()).isEqualTo("the agent's result does not match the command: "
                + "applied.generation 99 is not the command's generation 1");
        String operation = text("select operation_id from commands where id = ?", command.getCommandId());
        assertThat(text("select steps_json from operations where id = ?", operation)).doesNotContain("evil");
        assertThat(count("select count(*) from commands where id = ? and result is null and status = 'answered'",
                command.getCommandId())).isOne();
        assertOneLineLogWithoutStackTraces("result of command " + command.getCommandId() + " refused, nothing of it stored");
        assertThat(stream.closed).isNotDone();
    }

    @Test
    void aResultWithAHashTheHubDidNotRenderIsRefusedAndAnHonestOneIsStored() throws Exception {
        String env = createEnvironment();
        Agent agent = enroll(joinToken(env), "0.1.0");
        String release = createRelease();
        String dishonest = deploy(env, release, "dishonest");
        String honest = deploy(env, release, "honest");
        TestControlStream stream = agent.stream().hello();
        await().until(() -> stream.commands().size() == 2);

        for (Command command : stream.commands()) {
            String hash = command.getDeploymentId().equals(honest) ? AppliedClaims.expectedHash(command) : "sha256:evil";
            stream.send(AgentMessage.newBuilder().setResult(CommandResult.newBuilder()
                    .setCommandId(command.getCommandId()).setOutcome(Outcome.OUTCOME_SUCCEEDED)
                    .setApplied(applied(command.getDeploymentId(), 1, hash))).build());
        }

        await().until(() -> !"pending".equals(status(dishonest)) && !"pending".equals(status(honest)));
        assertThat(status(dishonest)).isEqualTo("failed");
        assertThat(api.get("/api/v1/deployments/" + dishonest, ADMIN).json().get("statusReason").asText())
                .isEqualTo("the agent's result does not match the command: applied.content_hash sha256:evil is not "
                        + "the hash of what the command renders to");
        assertThat(status(honest)).isEqualTo("ready");
        assertThat(api.get("/api/v1/deployments/" + honest, ADMIN).json().get("contentHash").asText())
                .startsWith("sha256:").hasSize(71);
    }

    @Test
    void aThreeThousandStepResultIsStoredBounded() throws Exception {
        String env = createEnvironment();
        Agent agent = enroll(joinToken(env), "0.1.0");
        String deployment = deploy(env, createRelease(), "steps");
        TestControlStream stream = agent.stream().hello();
        await().until(() -> stream.commands().size() == 1);
        Command command = stream.commands().getFirst();
        CommandResult.Builder result = CommandResult.newBuilder().setCommandId(command.getCommandId())
                .setOutcome(Outcome.OUTCOME_FAILED).setFailureReason("😀".repeat(10_000));
        for (int i = 0; i < 3000; i++) {
            result.addSteps(step("apply ConfigMap/c" + i + "x".repeat(300), "m".repeat(200)));
        }

        stream.send(AgentMessage.newBuilder().setResult(result).build());

        await().until(() -> "failed".equals(status(deployment)));
        String operation = text("select operation_id from commands where id = ?", command.getCommandId());
        JsonNode op = api.get("/api/v1/operations/" + operation, ADMIN).json();
        assertThat(op.get("steps")).hasSize(FieldLimits.STEPS);
        assertThat(op.at("/steps/0/name").asText()).hasSize(FieldLimits.STEP_NAME_CHARS).endsWith("…");
        String reason = op.get("failureReason").asText(); // outside the BMP: two UTF-16 units a character
        assertThat(reason.codePointCount(0, reason.length())).isEqualTo(FieldLimits.FAILURE_REASON_CHARS);
        int stored = text("select steps_json from operations where id = ?", operation).length();
        System.out.printf("3000-step result: steps_json %d characters stored (was ~637 KB unbounded)%n", stored);
        assertThat(stored).isLessThan(FieldLimits.STEPS * (FieldLimits.STEP_NAME_CHARS + FieldLimits.STEP_MESSAGE_CHARS + 64));
    }

    // ---- 17: rate limit -------------------------------------------------------------------------------------------

    @Test
    void aHeartbeatFloodClosesTheStreamWithResourceExhausted() throws Exception {
        assumeTrue(checksTransport());
        Agent agent = enrolledAgent();
        TestControlStream stream = agent.stream().hello();
        stream.awaitWelcome();

        for (int i = 0; i < 5 * GrpcLimits.STREAM_MESSAGE_BURST && !stream.closed.isDone(); i++) {
            stream.send(AgentMessage.newBuilder().setHeartbeat(Heartbeat.newBuilder().setSentAtUnixMs(i)).build());
        }

        Status status = stream.awaitClosed();
        assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(status.getDescription()).isEqualTo("more than 200 messages in a burst or 20 per second on this "
                + "stream; reconnect and send less often");
        assertOneLineLogWithoutStackTraces("more than 200 messages in a burst or 20 per second");
        agent.stream().hello().awaitWelcome(); // the agent may come back
    }

    @Test
    void progressOverTheRateIsDroppedWithoutClosingTheStreamOfAnAgentApplyingALargeRelease() throws Exception {
        assumeTrue(checksTransport());
        String env = createEnvironment();
        Agent agent = enroll(joinToken(env), "0.1.0");
        String deployment = deploy(env, createRelease(), "large");
        TestControlStream stream = agent.stream().hello();
        await().until(() -> stream.commands().size() == 1);
        Command command = stream.commands().getFirst();

        // One progress report per step of a release with many objects, sent as fast as the agent can.
        for (int i = 0; i < 2 * GrpcLimits.STREAM_MESSAGE_BURST && !stream.closed.isDone(); i++) {
            stream.send(AgentMessage.newBuilder().setProgress(CommandProgress.newBuilder()
                    .setCommandId(command.getCommandId()).addSteps(step("apply ConfigMap/c" + i, ""))).build());
        }
        stream.send(AgentMessage.newBuilder().setResult(CommandResult.newBuilder()
                .setCommandId(command.getCommandId()).setOutcome(Outcome.OUTCOME_SUCCEEDED)
                .setApplied(applied(deployment, 1, AppliedClaims.expectedHash(command)))).build());

        await().until(() -> "ready".equals(status(deployment)));
        assertThat(stream.closed).isNotDone();
    }

    // ---- 18: deadlines --------------------------------------------------------------------------------------------

    @Test
    void anEnrollCallThatNeverSendsItsRequestIsClosedAfterTheDeadline() throws Exception {
        assumeTrue(checksTransport());
        // grpc-java holds back a unary call's headers until its message; as client-streaming they go out at once
        MethodDescriptor<EnrollRequest, EnrollResponse> headersOnly = EnrollmentGrpc.getEnrollMethod().toBuilder()
                .setType(MethodDescriptor.MethodType.CLIENT_STREAMING).build();
        ClientCall<EnrollRequest, EnrollResponse> call = channels.anonymous().newCall(headersOnly, CallOptions.DEFAULT);
        CompletableFuture<Status> closed = new CompletableFuture<>();
        call.start(new ClientCall.Listener<>() {
            @Override
            public void onClose(Status status, Metadata trailers) {
                closed.complete(status);
            }
        }, new Metadata());
        call.request(1); // opened, but no message and no half-close

        Status status = closed.get(GrpcLimits.REQUEST_DEADLINE.toSeconds() + 15, TimeUnit.SECONDS);
        assertThat(status.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        assertThat(status.getDescription()).isEqualTo("no complete request within 30s");
        assertOneLineLogWithoutStackTraces("Closed a call to Enroll from");
    }

    @Test
    void aConnectionWithoutACallIsClosedAfterTheIdleBound() {
        assumeTrue(checksTransport());
        ManagedChannel channel = channels.anonymous();
        // one refused call opens the TLS connection; after it the connection holds no call
        assertRefused(() -> EnrollmentGrpc.newBlockingStub(channel).enroll(EnrollRequest.getDefaultInstance()),
                Status.Code.INVALID_ARGUMENT, "agent_version is required");
        assertThat(channel.getState(false)).isEqualTo(ConnectivityState.READY);

        // the hub's GOAWAY after 30 s without a call puts the client's channel back to IDLE
        await().atMost(Duration.ofSeconds(50)).pollInterval(Duration.ofSeconds(1))
                .until(() -> channel.getState(false) == ConnectivityState.IDLE);
    }

    // ---- 19: garbage, huge CSR, foreign CA ------------------------------------------------------------------------

    @Test
    void garbageProtobufIsInvalidArgumentNotUnknown() {
        assumeTrue(checksTransport());
        MethodDescriptor<byte[], byte[]> raw = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(EnrollmentGrpc.getEnrollMethod().getFullMethodName())
                .setRequestMarshaller(new Bytes()).setResponseMarshaller(new Bytes())
                .build();
        byte[] garbage = {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01, 0x02};

        assertRefused(() -> ClientCalls.blockingUnaryCall(channels.anonymous(), raw, CallOptions.DEFAULT, garbage),
                Status.Code.INVALID_ARGUMENT, "the outpost.v1.Enrollment/Enroll request is not a valid protobuf message");
        assertOneLineLogWithoutStackTraces("is not valid protobuf");
    }

    @Test
    void oversizedCsrsAreRefusedWithoutAStackTrace() throws Exception {
        String env = createEnvironment();
        String token = joinToken(env);
        EnrollRequest.Builder request = EnrollRequest.newBuilder().setJoinToken(token).setAgentVersion("0.1.0");

        assertRefused(() -> enrollment().enroll(request.setCsrDer(ByteString.copyFrom(new byte[9000])).build()),
                Status.Code.INVALID_ARGUMENT, "csr_der must be at most 8192 bytes (has 9000)");
        assertThatThrownBy(() -> enrollment().enroll(request.setCsrDer(ByteString.copyFrom(new byte[5 * 1024 * 1024]))
                .build())).isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));

        assertThat(count("select count(*) from agents where environment_id = ?", env)).isZero();
        assertThat(count("select uses from join_tokens where environment_id = ?", env)).isZero();
        assertOneLineLogWithoutStackTraces("csr_der must be at most 8192 bytes (has 9000)");
        // grpc-java's own warning, which it would print with a stack trace, is one line in the hub's log
        assertOneLineLogWithoutStackTraces("gRPC message exceeds maximum size 4194304");
    }

    @Test
    void aClientCertificateFromAForeignCaGetsTheUnknownCaAlert(@TempDir Path otherDir) throws Exception {
        assumeTrue(checksTransport());
        HubCertificateAuthority foreign = new HubCertificateAuthority(otherDir, java.time.Clock.systemUTC());
        KeyPair keys = TestCsr.p256();
        Agent agent = enrolledAgent();
        X509Certificate forged = foreign.signAgentCsr(TestCsr.csr(keys),
                dev.outpost.protocol.AgentIdentity.parse(agent.certificateUri()), Duration.ofDays(1)).certificate();

        String alert = tlsAlertFor(keys, forged);

        assertThat(alert).contains("unknown_ca");
        assertOneLineLogWithoutStackTraces("Refused a client certificate that does not chain to the hub CA");
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    /** An enrolled agent: its key, certificate and id, as the real hub issued them. */
    record Agent(KeyPair keys, EnrollResponse response, AbstractGatewayDistrustIT test) {
        String id() {
            return response.getAgentId();
        }

        X509Certificate certificate() {
            return Pem.parseCertificate(response.getCertificatePem());
        }

        String certificateUri() throws Exception {
            return certificate().getSubjectAlternativeNames().stream()
                    .filter(san -> (Integer) san.get(0) == 6).map(san -> (String) san.get(1)).findFirst().orElseThrow();
        }

        TestControlStream stream() {
            return new TestControlStream(test.channels.withCertificate(keys, certificate()));
        }
    }

    private Agent enrolledAgent() {
        return enroll(joinToken(createEnvironment()), "0.1.0");
    }

    private Agent enroll(String token, String agentVersion) {
        try {
            KeyPair keys = TestCsr.p256();
            EnrollResponse response = enrollment().enroll(EnrollRequest.newBuilder().setJoinToken(token)
                    .setCsrDer(ByteString.copyFrom(TestCsr.csr(keys))).setAgentVersion(agentVersion)
                    .setCluster(ClusterFacts.newBuilder().setKubernetesVersion("v1.36.3").setNodeCount(1).setPlatform("kind"))
                    .build());
            return new Agent(keys, response, this);
        } catch (StatusRuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private EnrollmentGrpc.EnrollmentBlockingStub enrollment() {
        return EnrollmentGrpc.newBlockingStub(channels.anonymous()).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    private static Hello.Builder hello(String version) {
        return Hello.newBuilder().setAgentVersion(version).setProtocolRevision(1)
                .setCluster(ClusterFacts.newBuilder().setKubernetesVersion("v1.36.3").setNodeCount(1).setPlatform("kind"));
    }

    private static AgentMessage helloOf(Hello hello) {
        return AgentMessage.newBuilder().setHello(hello).build();
    }

    private static AppliedDeployment applied(String deployment, long generation, String hash) {
        return AppliedDeployment.newBuilder().setDeploymentId(deployment).setGeneration(generation).setContentHash(hash)
                .build();
    }

    private static Step step(String name, String message) {
        return Step.newBuilder().setName(name).setState(StepState.STEP_STATE_FAILED).setMessage(message).build();
    }

    private String createEnvironment() {
        return TestEnvironments.create(api, ADMIN);
    }

    private String joinToken(String env) {
        return TestEnvironments.joinToken(api, ADMIN, env, 1).get("token").asText();
    }

    private String createRelease() {
        ReleaseFixture fixture = ReleaseFixture.redisV1();
        Api.Response release = api.post("/api/v1/releases", ADMIN, Map.of("serviceName", "redis-" + suffix(),
                "version", fixture.version(), "manifests", fixture.manifests(), "defaultParameters", fixture.defaults()));
        assertThat(release.status()).as(release.toString()).isEqualTo(201);
        return release.json().get("id").asText();
    }

    private String deploy(String env, String release, String name) {
        Api.Response created = api.post("/api/v1/deployments", ADMIN, Map.of("environmentId", env, "releaseId", release,
                "name", name, "namespace", "apps"));
        assertThat(created.status()).as(created.toString()).isEqualTo(202);
        return created.json().at("/deployment/id").asText();
    }

    private String status(String deployment) {
        return api.get("/api/v1/deployments/" + deployment, ADMIN).json().get("status").asText();
    }

    private String expectedHashOfFirstCommand(String deployment) throws Exception {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("select payload from commands where deployment_id = ?")) {
            s.setString(1, deployment);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return AppliedClaims.expectedHash(Command.parseFrom(sealer.open(rs.getBytes(1))));
            }
        }
    }

    private long count(String sql, String param) {
        return Long.parseLong(text(sql, param));
    }

    private String text(String sql, String param) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, param);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private void assertOneLineLogWithoutStackTraces(String text) {
        await().atMost(Duration.ofSeconds(5)).until(() -> !log.linesContaining(text).isEmpty());
        assertThat(log.linesContaining(text)).allSatisfy(line -> assertThat(line).doesNotContain("\n", "\r"));
        assertThat(log.events()).extracting(ILoggingEvent::getFormattedMessage).noneMatch(m -> m.contains("FORGED"));
        assertThat(log.errorsOrStackTraces()).extracting(ILoggingEvent::getFormattedMessage).isEmpty();
    }

    private static void assertRefused(Runnable call, Status.Code code, String description) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(code);
            assertThat(e.getStatus().getDescription()).isEqualTo(description);
        });
    }

    /** Completes a TLS handshake with {@code certificate} and reads: the alert the gateway sends, as the JDK names it. */
    private String tlsAlertFor(KeyPair keys, X509Certificate certificate) throws Exception {
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        keyStore.load(null, null);
        keyStore.setKeyEntry("agent", keys.getPrivate(), new char[0], new X509Certificate[] {certificate});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keyStore, new char[0]);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("hub", ca.caCertificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLSv1.3");
        tls.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", gateway.port())) {
            socket.setSoTimeout(10_000);
            socket.setEnabledProtocols(new String[] {"TLSv1.3"});
            javax.net.ssl.SSLParameters parameters = socket.getSSLParameters();
            parameters.setApplicationProtocols(new String[] {"h2"});
            socket.setSSLParameters(parameters);
            socket.startHandshake(); // TLS 1.3: the client's certificate is judged after this returns
            socket.getOutputStream().write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes());
            socket.getOutputStream().flush();
            int read = socket.getInputStream().read();
            return "no alert; read " + read;
        } catch (SSLException e) {
            return e.getMessage();
        }
    }

    private static String suffix() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    /** Raw bytes, to send what no protobuf marshaller would. */
    private static final class Bytes implements MethodDescriptor.Marshaller<byte[]> {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}

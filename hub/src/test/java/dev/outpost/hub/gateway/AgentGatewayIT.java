package dev.outpost.hub.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import dev.outpost.hub.config.HubConfig;
import dev.outpost.hub.deployments.CommandQueued;
import dev.outpost.hub.enrollment.CertificateRenewals;
import dev.outpost.hub.enrollment.EnrollmentGrpcService;
import dev.outpost.hub.limits.RequestLimiter;
import dev.outpost.hub.testsupport.FixedRateLimits;
import dev.outpost.hub.pki.CaFiles;
import dev.outpost.hub.pki.HubCertificateAuthority;
import dev.outpost.hub.pki.SubjectAltNames;
import dev.outpost.hub.pki.TestCsr;
import dev.outpost.protocol.BusyRetry;
import dev.outpost.protocol.AgentIdentity;
import dev.outpost.protocol.Pem;
import dev.outpost.protocol.v1.AgentCondition;
import dev.outpost.protocol.v1.AgentMessage;
import dev.outpost.protocol.v1.AgentState;
import dev.outpost.protocol.v1.ApplyDeployment;
import dev.outpost.protocol.v1.Command;
import dev.outpost.protocol.v1.CommandResult;
import dev.outpost.protocol.v1.DeploymentPlan;
import dev.outpost.protocol.v1.EnrollRequest;
import dev.outpost.protocol.v1.EnrollResponse;
import dev.outpost.protocol.v1.EnrollmentGrpc;
import dev.outpost.protocol.v1.Heartbeat;
import dev.outpost.protocol.v1.Hello;
import dev.outpost.protocol.v1.HubMessage;
import dev.outpost.protocol.v1.Outcome;
import dev.outpost.protocol.v1.CertificateRenewalGrpc;
import dev.outpost.protocol.v1.RenewCertificateRequest;
import dev.outpost.protocol.v1.RenewCertificateResponse;
import dev.outpost.protocol.v1.PlanStep;
import dev.outpost.protocol.v1.Welcome;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent gateway over real TLS sockets on loopback, with in-memory stores. */
class AgentGatewayIT {
    private final Clock clock = Clock.systemUTC();
    private final InMemoryAgentPresence presence = new InMemoryAgentPresence();
    private final InMemoryEnrollmentStore store = new InMemoryEnrollmentStore(presence, clock);
    private final InMemoryCommandOutbox outbox = new InMemoryCommandOutbox(presence);
    private final GatewayChannels channels = new GatewayChannels(() -> this.gateway.port(), () -> this.ca.caCertificate());
    private final GatewayThreads threads = new GatewayThreads(4);

    @TempDir
    Path dataDir;
    private HubCertificateAuthority ca;
    private ControlSessions sessions;
    private AgentGateway gateway;
    private String token;
    /** The agents' certificate lifetime; renewal tests restart the gateway with a short one. */
    private Duration certificateTtl = Duration.ofDays(30);
    /** The fan-out's batch size and pushing workers; a test of a fan-out over many batches lowers them. */
    private int pushBatch = ControlSessions.PUSH_BATCH;
    private int pushers = ControlSessions.PUSHERS;
    /** Off, but for the test of the per-address enrolment rate. */
    private RequestLimiter limiter = new RequestLimiter(FixedRateLimits.OFF, clock);

    private record Enrolled(KeyPair keys, EnrollResponse response) {
        X509Certificate certificate() {
            return Pem.parseCertificate(response.getCertificatePem());
        }
    }

    @BeforeEach
    void startGateway() {
        startGateway(AgentControlService.HELLO_TIMEOUT);
        token = store.addToken("tok1", "tenant-a", "env-a", Instant.now().plusSeconds(600), 5);
    }

    private void startGateway(Duration helloTimeout) {
        startGateway(helloTimeout, FixedGatewayConfig.DEFAULTS);
    }

    private void startGateway(Duration helloTimeout, GatewayConfig limits) {
        HubConfig config = new HubConfig();
        config.setDataDir(dataDir);
        config.setGrpcBindAddress("127.0.0.1");
        config.setGrpcPort(0);
        config.setGrpcHostnames(List.of("localhost", "127.0.0.1"));
        config.setHeartbeatInterval(Duration.ofSeconds(7));
        config.setCommandPollInterval(Duration.ofSeconds(30)); // pushes in these tests come from events, not polls
        config.setAgentCertificateTtl(certificateTtl);
        ca = new HubCertificateAuthority(config, clock);
        sessions = new ControlSessions(presence, outbox, ca, clock, threads, pushBatch, pushers);
        // Enrolment events go straight to the sessions, as Micronaut delivers them in the hub.
        EnrollmentGrpcService enrollment = new EnrollmentGrpcService(store, ca, config,
                event -> sessions.onAgentEnrolled(event));
        gateway = new AgentGateway(config, limits, ca, enrollment,
                new AgentControlService(sessions, presence, outbox, threads, clock, config, helloTimeout),
                new CertificateRenewalService(new CertificateRenewals(store, ca, config, clock), ca),
                sessions, presence, threads, clock, limiter);
        gateway.start();
    }

    @AfterEach
    void stopGateway() {
        channels.close();
        gateway.close();
        threads.close();
    }

    @Test
    void enrollmentIssuesACertificateWithTheIdentityThatChainsToTheHubCa() throws Exception {
        Enrolled enrolled = enroll(token);
        X509Certificate certificate = enrolled.certificate();
        EnrollResponse response = enrolled.response();

        AgentIdentity identity = new AgentIdentity("tenant-a", "env-a", response.getAgentId());
        assertThat(response.getTenantId()).isEqualTo("tenant-a");
        assertThat(response.getEnvironmentId()).isEqualTo("env-a");
        assertThat(SubjectAltNames.urisOf(certificate)).containsExactly(identity.toUri().toString());
        assertThat(certificate.getPublicKey()).isEqualTo(enrolled.keys().getPublic());
        certificate.verify(ca.caCertificate().getPublicKey());
        assertThat(Pem.parseCertificate(response.getCaBundlePem())).isEqualTo(ca.caCertificate());
        assertThat(response.getCertificateNotAfterUnixMs()).isEqualTo(certificate.getNotAfter().getTime());
        assertThat(store.registered).singleElement().satisfies(agent -> {
            assertThat(agent.agentId()).isEqualTo(response.getAgentId());
            assertThat(agent.certificateSerialHex()).isEqualTo(certificate.getSerialNumber().toString(16));
            assertThat(agent.kubernetesVersion()).isEqualTo("v1.36.0");
        });
        assertThat(store.usesLeft("tok1")).isEqualTo(4);
    }

    @Test
    void aCaRolloverIsTakenInLiveAndNewHandshakesMeetTheNewCaWhileOpenStreamsGoOn() throws Exception {
        Path pki = dataDir.resolve("pki");
        X509Certificate first = ca.caCertificate();
        // another environment's agent: enrolling it does not supersede the one whose stream stays open
        String otherEnvironment = store.addToken("tok2", "tenant-a", "env-b", Instant.now().plusSeconds(600), 5);
        Enrolled enrolled = enroll(token);
        TestControlStream stream = connect(enrolled).hello();
        stream.awaitWelcome();
        await().until(() -> trustBundles(stream).size() == 1);
        assertThat(trustBundles(stream).getFirst()).containsExactly(first);

        X509Certificate next = CaFiles.prepare(pki, clock).certificate();
        gateway.reloadCa();
        await().until(() -> trustBundles(stream).size() == 2);
        assertThat(trustBundles(stream).get(1)).containsExactly(first, next);
        assertThat(Pem.parseCertificates(enroll(otherEnvironment).response().getCaBundlePem()))
                .containsExactly(first, next);

        CaFiles.activate(pki);
        gateway.reloadCa();
        await().until(() -> trustBundles(stream).size() == 3);
        assertThat(trustBundles(stream).get(2)).containsExactly(next, first);
        assertThat(stream.closed).as("the open stream goes on").isNotDone();
        // a new handshake is checked against the new CA only here, and the old CA's client certificate still passes
        TestControlStream again = connect(enrolled).hello();
        again.awaitWelcome();
        Enrolled underNewCa = enroll(otherEnvironment);
        underNewCa.certificate().verify(next.getPublicKey());

        CaFiles.retire(pki);
        gateway.reloadCa();
        await().until(() -> trustBundles(again).getLast().equals(List.of(next)));
        assertThat(connect(enrolled).hello().awaitClosed().getCode()).as("a client certificate of the retired CA")
                .isEqualTo(Status.Code.UNAVAILABLE);
        TestControlStream current = connect(underNewCa).hello();
        await().until(() -> current.closed.isDone() || current.received.stream().anyMatch(HubMessage::hasWelcome));
        assertThat(current.closed).as("a client certificate of the new CA").isNotDone();
    }

    private static List<List<X509Certificate>> trustBundles(TestControlStream stream) {
        return stream.received.stream().filter(HubMessage::hasTrust)
                .map(m -> Pem.parseCertificates(m.getTrust().getCaBundlePem())).toList();
    }

    @Test
    void refusedTokensAreUnauthenticatedWithTheReasonAndRegisterNothing() {
        String expired = store.addToken("old", "tenant-a", "env-a", Instant.now().minusSeconds(1), 1);
        String usedUp = store.addToken("none", "tenant-a", "env-a", Instant.now().plusSeconds(60), 0);

        assertRefused(() -> enroll("nope.secret"), Status.Code.UNAUTHENTICATED, "join token is unknown");
        assertRefused(() -> enroll("no-dot"), Status.Code.UNAUTHENTICATED, "join token is malformed: expected <id>.<secret>");
        assertRefused(() -> enroll(expired), Status.Code.UNAUTHENTICATED, "join token has expired");
        assertRefused(() -> enroll(usedUp), Status.Code.UNAUTHENTICATED, "join token has no uses left");
        assertThat(store.registered).isEmpty();
        assertThat(presence.activeAgents()).isEmpty();
    }

    @Test
    void aBadCsrIsInvalidArgumentAndConsumesNoTokenUse() {
        EnrollRequest request = EnrollRequest.newBuilder().setJoinToken(token).setAgentVersion("0.1.0")
                .setCsrDer(ByteString.copyFromUtf8("not a csr")).build();

        assertRefused(() -> enrollment().enroll(request), Status.Code.INVALID_ARGUMENT, "CSR is not a DER-encoded PKCS#10 request");
        assertThat(store.registered).isEmpty();
        assertThat(store.usesLeft("tok1")).isEqualTo(5);
    }

    @Test
    void connectWithoutAClientCertificateIsUnauthenticated() throws Exception {
        TestControlStream stream = new TestControlStream(channels.anonymous()).hello();

        Status status = stream.awaitClosed();
        assertThat(status.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(status.getDescription()).isEqualTo("client certificate required");
        assertThat(presence.events).isEmpty();
    }

    @Test
    void aCertificateFromAnotherCaFailsTheHandshake(@TempDir Path otherDir) throws Exception {
        Enrolled enrolled = enroll(token);
        HubCertificateAuthority otherCa = new HubCertificateAuthority(otherDir, clock);
        KeyPair keys = TestCsr.p256();
        AgentIdentity sameIdentity = new AgentIdentity("tenant-a", "env-a", enrolled.response().getAgentId());
        X509Certificate forged = otherCa.signAgentCsr(TestCsr.csr(keys), sameIdentity, Duration.ofDays(1)).certificate();

        TestControlStream stream = new TestControlStream(channels.withCertificate(keys, forged)).hello();

        Status status = stream.awaitClosed();
        assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(presence.events).isEmpty();
    }

    @Test
    void helloIsAnsweredWithWelcomeAndTheAgentIsOnline() throws Exception {
        Enrolled enrolled = enroll(token);
        TestControlStream stream = connect(enrolled).hello();

        stream.awaitWelcome();
        Welcome welcome = stream.received.getFirst().getWelcome();
        assertThat(welcome.getAgentId()).isEqualTo(enrolled.response().getAgentId());
        assertThat(welcome.getProtocolRevision()).isEqualTo(1);
        assertThat(welcome.getHeartbeatIntervalSeconds()).isEqualTo(7);
        assertThat(presence.isOnline(welcome.getAgentId())).isTrue();

        // last-seen of every stream heard is written by the replica's batch
        sessions.flushLastSeen();
        assertThat(presence.events).contains("heartbeat " + welcome.getAgentId());
        stream.cancel();
        await().until(() -> !presence.isOnline(welcome.getAgentId()));
    }

    @Test
    void heartbeatsCostNoWriteOfTheirOwnOnlyOneInTheReplicasBatch() {
        Enrolled enrolled = enroll(token);
        TestControlStream stream = connect(enrolled).hello();
        stream.awaitWelcome();
        String agentId = enrolled.response().getAgentId();

        for (int i = 0; i < 150; i++) { // under the stream's burst of 200
            stream.send(AgentMessage.newBuilder().setHeartbeat(Heartbeat.newBuilder().setSentAtUnixMs(i)).build());
        }
        stream.send(result("unknown-command")); // messages are handled in order: this one marks the end
        await().until(() -> outbox.resultsHandedIn.get() == 1);
        assertThat(presence.events).doesNotContain("heartbeat " + agentId);

        sessions.flushLastSeen();
        sessions.flushLastSeen(); // nothing heard since the first batch: not written again

        assertThat(presence.events.stream().filter(e -> e.equals("heartbeat " + agentId)).count()).isEqualTo(1);
        assertThat(stream.closed).isNotDone();
    }

    @Test
    void theLastSeenBatchClosesTheStreamOfAnAgentRevokedMeanwhile() throws Exception {
        Enrolled enrolled = enroll(token);
        TestControlStream stream = connect(enrolled).hello();
        stream.awaitWelcome();

        presence.revoke(enrolled.response().getAgentId());
        sessions.flushLastSeen();

        Status status = stream.awaitClosed();
        assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(status.getDescription()).isEqualTo(ClientCertificateInterceptor.NOT_ADMITTED);
    }

    @Test
    void handshakesOverTheBoundAreToldToRetryLaterAndAWelcomeFreesAPlace() throws Exception {
        gateway.close();
        startGateway(AgentControlService.HELLO_TIMEOUT, new FixedGatewayConfig(1, Duration.ofMillis(1500)));
        Enrolled first = enroll(token);
        Enrolled second = enroll(store.addToken("tok2", "tenant-a", "env-b", Instant.now().plusSeconds(600), 5));
        TestControlStream holding = connect(first); // no Hello yet: it holds the only place
        // the certificate check runs after admission: its lookup means the place is taken
        await().until(() -> presence.lookups.contains(first.response().getAgentId()));

        TestControlStream refused = connect(second).hello();
        Status status = refused.awaitClosed();
        assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(status.getDescription()).isEqualTo("hub busy: 1 agent handshakes in progress; retry after 1500 ms");
        assertThat(BusyRetry.requested(status, refused.trailers)).contains(Duration.ofMillis(1500));
        assertRefused(() -> enroll(store.addToken("tok3", "tenant-a", "env-c", Instant.now().plusSeconds(600), 5)),
                Status.Code.RESOURCE_EXHAUSTED, "hub busy: 1 agent handshakes in progress; retry after 1500 ms");

        holding.hello().awaitWelcome();
        TestControlStream admitted = connect(second).hello();
        admitted.awaitWelcome();
        assertThat(presence.isOnline(second.response().getAgentId())).isTrue();
    }

    @Test
    void anythingBeforeHelloIsAFailedPrecondition() throws Exception {
        TestControlStream stream = connect(enroll(token))
                .send(AgentMessage.newBuilder().setHeartbeat(Heartbeat.getDefaultInstance()).build());

        Status status = stream.awaitClosed();
        assertThat(status.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(status.getDescription()).isEqualTo("the first message on a stream must be Hello");
    }

    @Test
    void aQueuedCommandIsPushedAndItsResultRecorded() {
        Enrolled enrolled = enroll(token);
        TestControlStream stream = connect(enrolled).hello();
        stream.awaitWelcome();

        outbox.queue("env-a", command("c1"));
        outbox.queue("env-other", command("c-other"));
        sessions.onCommandQueued(new CommandQueued("env-a"));

        await().until(() -> stream.commands().size() == 1);
        assertThat(stream.commands().getFirst().getCommandId()).isEqualTo("c1");
        assertThat(outbox.sends).containsExactly("c1 " + enrolled.response().getAgentId());
        stream.send(result("c1"));
        await().until(() -> outbox.resultOf("c1") != null);
        assertThat(outbox.resultOf("c1").getOutcome()).isEqualTo(Outcome.OUTCOME_SUCCEEDED);
    }

    @Test
    void aFanOutOverManyBatchesAndWorkersReachesEveryStreamExactlyOnce() {
        pushBatch = 2;
        pushers = 3;
        restartGateway();
        int agents = 13;
        List<TestControlStream> streams = new ArrayList<>();
        for (int i = 0; i < agents; i++) {
            String joinToken = store.addToken("tok-fan-" + i, "tenant-a", "env-fan-" + i, Instant.now().plusSeconds(600), 1);
            TestControlStream stream = connect(enroll(joinToken)).hello();
            stream.awaitWelcome();
            streams.add(stream);
            outbox.queue("env-fan-" + i, command("c-fan-" + i));
        }

        // As a rollout's commit does: one event wakes every environment at once, more than one worker takes.
        List<String> environments = new ArrayList<>();
        for (int i = 0; i < agents; i++) {
            environments.add("env-fan-" + i);
        }
        sessions.onCommandQueued(new CommandQueued(environments));

        await().until(() -> streams.stream().allMatch(stream -> stream.commands().size() == 1));
        for (int i = 0; i < agents; i++) {
            assertThat(streams.get(i).commands().getFirst().getCommandId()).isEqualTo("c-fan-" + i);
            assertThat(outbox.sendsOf("c-fan-" + i)).as("sends of c-fan-%d", i).isEqualTo(1);
        }
    }

    @Test
    void aPlanIsNeverSentToARevisionOneAgentItsCommandFailsWithTheReason() {
        Enrolled enrolled = enroll(token);
        outbox.queue("env-a", command("c-plan").toBuilder().setApply(ApplyDeployment.newBuilder().setNamespace("apps")
                .setPlan(DeploymentPlan.newBuilder().addSteps(PlanStep.newBuilder().setName("app")))).build());
        outbox.queue("env-a", command("c-plain"));

        TestControlStream stream = connect(enrolled).hello(); // the test stream speaks revision 1

        await().until(() -> stream.commands().size() == 1 && outbox.resultOf("c-plan") != null);
        assertThat(stream.commands().getFirst().getCommandId()).isEqualTo("c-plain");
        assertThat(outbox.sendsOf("c-plan")).isZero();
        assertThat(outbox.resultOf("c-plan").getOutcome()).isEqualTo(Outcome.OUTCOME_FAILED);
        assertThat(outbox.resultOf("c-plan").getFailureReason()).isEqualTo(
                "the agent speaks outpost.v1 revision 1; package releases need revision 2 — upgrade the agent");
    }

    @Test
    void aNewStreamResendsEveryUnansweredCommandOnceAndReplacesTheOldStream() throws Exception {
        Enrolled enrolled = enroll(token);
        outbox.queue("env-a", command("c1"));
        TestControlStream first = connect(enrolled).hello();
        await().until(() -> first.commands().size() == 1);
        sessions.onCommandQueued(new CommandQueued("env-a"));

        TestControlStream second = connect(enrolled).hello();

        Status replaced = first.awaitClosed();
        assertThat(replaced.getCode()).isEqualTo(Status.Code.ABORTED);
        assertThat(replaced.getDescription()).isEqualTo("replaced by a newer stream");
        await().until(() -> second.commands().size() == 1);
        assertThat(second.commands().getFirst().getCommandId()).isEqualTo("c1");
        assertThat(first.commands()).hasSize(1);
        assertThat(outbox.sendsOf("c1")).isEqualTo(2);
        assertThat(presence.isOnline(enrolled.response().getAgentId())).isTrue();
        assertThat(presence.events).doesNotContain("disconnected " + enrolled.response().getAgentId());
        assertThat(sessions.size()).isEqualTo(1);
    }

    @Test
    void thePollFindsCommandsQueuedWithoutAnEventOnThisReplica() {
        TestControlStream stream = connect(enroll(token)).hello();
        stream.awaitWelcome();

        outbox.queue("env-a", command("c-elsewhere"));
        sessions.pollQueued();

        await().until(() -> stream.commands().size() == 1);
    }

    @Test
    void anOpenStreamOfARevokedAgentIsClosed() throws Exception {
        Enrolled enrolled = enroll(token);
        TestControlStream stream = connect(enrolled).hello();
        stream.awaitWelcome();

        presence.revoke(enrolled.response().getAgentId());
        sessions.closeRevoked();

        Status status = stream.awaitClosed();
        assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(presence.isOnline(enrolled.response().getAgentId())).isFalse();
    }

    @Test
    void aSilentStreamIsClosedSoTheAgentReconnects() throws Exception {
        TestControlStream stream = connect(enroll(token)).hello();
        stream.awaitWelcome();

        sessions.closeSilent(Duration.ofHours(1));
        assertThat(stream.closed).isNotDone();
        sessions.closeSilent(Duration.ofMillis(-1));

        assertThat(stream.awaitClosed().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    }

    @Test
    void aReEnrolledEnvironmentsOldAgentIsPermissionDenied() throws Exception {
        Enrolled old = enroll(token);
        enroll(token);

        Status status = connect(old).hello().awaitClosed();
        assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(status.getDescription()).isEqualTo("agent revoked or certificate superseded");
    }

    @Test
    void reEnrollingTheEnvironmentClosesThePreviousAgentsStreamAtOnce() throws Exception {
        Enrolled previous = enroll(token);
        TestControlStream stream = connect(previous).hello();
        stream.awaitWelcome();

        Enrolled replacement = enroll(token);

        Status status = stream.awaitClosed();
        assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(status.getDescription()).isEqualTo("agent revoked or certificate superseded");
        assertThat(presence.isOnline(previous.response().getAgentId())).isFalse();
        connect(replacement).hello().awaitWelcome();
        assertThat(sessions.size()).isEqualTo(1);
    }

    @Test
    void aRevokedAgentsOpenStreamGetsNoMoreCommandsAndItsResultsAreRefused() throws Exception {
        Enrolled enrolled = enroll(token);
        outbox.queue("env-a", command("c1"));
        TestControlStream stream = connect(enrolled).hello();
        await().until(() -> stream.commands().size() == 1);

        // as an enrolment on another replica does: this replica's revalidation has not run yet
        presence.revoke(enrolled.response().getAgentId());
        outbox.queue("env-a", command("c2"));
        int reads = outbox.reads.get();
        sessions.onCommandQueued(new CommandQueued("env-a"));
        await().until(() -> outbox.reads.get() > reads);
        stream.send(result("c1"));

        Status status = stream.awaitClosed();
        assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(outbox.resultOf("c1")).isNull();
        assertThat(outbox.sendsOf("c2")).isZero();
        assertThat(stream.commands()).extracting(Command::getCommandId).containsExactly("c1");
    }

    @Test
    void anAgentRevokedBetweenItsCertificateCheckAndHelloIsPermissionDenied() throws Exception {
        Enrolled enrolled = enroll(token);
        String agentId = enrolled.response().getAgentId();
        TestControlStream stream = connect(enrolled);
        await().until(() -> presence.lookups.contains(agentId)); // the call passed the certificate check

        presence.revoke(agentId);
        stream.hello();

        Status status = stream.awaitClosed();
        assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(stream.received).noneMatch(HubMessage::hasWelcome);
        assertThat(presence.isOnline(agentId)).isFalse();
        assertThat(sessions.size()).isZero();
    }

    @Test
    void aHelloWithAnInvalidAllowedNamespaceIsInvalidArgumentAndRecordsNothing() throws Exception {
        TestControlStream stream = connect(enroll(token)).send(AgentMessage.newBuilder().setHello(Hello.newBuilder()
                .setAgentVersion("0.2.0").setProtocolRevision(1)
                .addAllowedNamespaces("apps").addAllowedNamespaces("Not_A_Label")).build());

        Status status = stream.awaitClosed();
        assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(status.getDescription())
                .isEqualTo("hello.allowed_namespaces[1]: must be a DNS-1123 label, got Not_A_Label");
        assertThat(presence.events).isEmpty();
    }

    @Test
    void aHeartbeatWhoseConditionBreaksTheFreeTextRuleIsInvalidArgumentAndNotRecorded() throws Exception {
        Enrolled enrolled = enroll(token);
        TestControlStream stream = connect(enrolled).hello();
        stream.awaitWelcome();

        stream.send(AgentMessage.newBuilder().setHeartbeat(Heartbeat.newBuilder().setSentAtUnixMs(1)
                .setCondition(AgentCondition.newBuilder().setState(AgentState.AGENT_STATE_DEGRADED)
                        .setReason("forbidden\n[main] ERROR forged line").setSinceUnixMs(1))).build());

        Status status = stream.awaitClosed();
        assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(status.getDescription()).startsWith("heartbeat.condition.reason: must not contain control characters");
        assertThat(presence.events).doesNotContain("heartbeat " + enrolled.response().getAgentId());
    }

    @Test
    void aStreamWithoutHelloIsClosedAfterTheHelloTimeout() throws Exception {
        gateway.close();
        startGateway(Duration.ofSeconds(1));
        TestControlStream stream = connect(enroll(token));

        Status status = stream.awaitClosed();
        assertThat(status.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        assertThat(status.getDescription()).isEqualTo("no Hello within 1s");
        assertThat(presence.events).isEmpty();
    }

    @Test
    void aResultArrivingWhileAPushReadsTheOutboxDoesNotSendTheCommandAgain() throws Exception {
        Enrolled enrolled = enroll(token);
        outbox.queue("env-a", command("c1"));
        TestControlStream stream = connect(enrolled).hello();
        await().until(() -> stream.commands().size() == 1);

        InMemoryCommandOutbox.Pause pause = outbox.pauseNextRead();
        sessions.wake(List.of("env-a"));
        assertThat(pause.reached().await(10, TimeUnit.SECONDS)).isTrue(); // a push has read c1 as unanswered
        int handedIn = outbox.resultsHandedIn.get();
        stream.send(result("c1")).send(result("not-a-command"));
        // grpc hands a stream's messages over one at a time: the second result handed in means the first was
        await().until(() -> outbox.resultsHandedIn.get() == handedIn + 2);
        int reads = outbox.reads.get();
        pause.release().countDown();

        await().until(() -> outbox.reads.get() > reads); // the paused push finished, and the result's push ran
        assertThat(outbox.resultOf("c1")).isNotNull();
        assertThat(outbox.sendsOf("c1")).isEqualTo(1);
    }

    @Test
    void anAgentRenewsOverItsOpenStreamAndTheRenewedCertificateTakesOverAtItsFirstConnection() throws Exception {
        certificateTtl = Duration.ofSeconds(8);
        restartGateway();
        Enrolled enrolled = enroll(token);
        ManagedChannel connection = channels.withCertificate(enrolled.keys(), enrolled.certificate());
        TestControlStream stream = new TestControlStream(connection).hello();
        stream.awaitWelcome();
        KeyPair newKeys = TestCsr.p256();

        assertThatThrownBy(() -> renew(connection, newKeys)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(e.getStatus().getDescription()).startsWith("renewal opens at ");
        });
        RenewCertificateResponse renewed = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .ignoreException(StatusRuntimeException.class).until(() -> renew(connection, newKeys), r -> true);
        X509Certificate certificate = Pem.parseCertificate(renewed.getCertificatePem());
        assertThat(certificate.getPublicKey()).isEqualTo(newKeys.getPublic());
        assertThat(SubjectAltNames.urisOf(certificate)).isEqualTo(SubjectAltNames.urisOf(enrolled.certificate()));
        assertThat(certificate.getSerialNumber()).isNotEqualTo(enrolled.certificate().getSerialNumber());
        assertThat(Pem.parseCertificates(renewed.getCaBundlePem())).containsExactly(ca.caCertificate());

        // The stream opened with the old certificate goes on: a command still reaches it.
        outbox.queue("env-a", command("c-after-renewal"));
        sessions.onCommandQueued(new CommandQueued("env-a"));
        await().until(() -> stream.commands().stream().anyMatch(c -> c.getCommandId().equals("c-after-renewal")));

        // A retry (the answer was lost) replaces the renewal before it; the one it replaced is refused.
        KeyPair retryKeys = TestCsr.p256();
        X509Certificate retried = Pem.parseCertificate(renew(connection, retryKeys).getCertificatePem());
        assertThat(connect(new Enrolled(newKeys, enrolled.response()), certificate).hello().awaitClosed().getCode())
                .isEqualTo(Status.Code.PERMISSION_DENIED);

        TestControlStream renewedStream = connect(new Enrolled(retryKeys, enrolled.response()), retried).hello();
        renewedStream.awaitWelcome();
        Status oldStream = stream.awaitClosed();
        assertThat(oldStream.getCode()).as("the new stream replaces the old one").isEqualTo(Status.Code.ABORTED);
        Status oldCertificate = connect(enrolled).hello().awaitClosed();
        assertThat(oldCertificate.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(oldCertificate.getDescription()).isEqualTo("agent revoked or certificate superseded");
    }

    @Test
    void aRevokedAgentCannotRenew() throws Exception {
        Enrolled enrolled = enroll(token);
        ManagedChannel connection = channels.withCertificate(enrolled.keys(), enrolled.certificate());
        presence.revoke(enrolled.response().getAgentId());

        KeyPair newKeys = TestCsr.p256();
        assertRefused(() -> renew(connection, newKeys), Status.Code.PERMISSION_DENIED,
                "agent revoked or certificate superseded");
    }

    @Test
    void enrolmentsFromOneAddressOverItsRateAreToldToRetryLaterAndNothingIsConsumed() {
        limiter = new RequestLimiter(new FixedRateLimits(true, 100, 100, 100, 100, 1, 1, 0.01, 2), clock);
        restartGateway();
        String uses = store.addToken("tok-rate", "tenant-a", "env-rate", Instant.now().plusSeconds(600), 5);
        enroll(uses);
        enroll(uses);

        assertThatThrownBy(() -> enroll(uses)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(e.getStatus().getDescription()).startsWith("too many enrolments from 127.0.0.1; retry after ");
            assertThat(BusyRetry.requested(e.getStatus(), e.getTrailers())).hasValueSatisfying(
                    wait -> assertThat(wait).isBetween(Duration.ofSeconds(60), BusyRetry.MAX_RETRY_AFTER));
        });
        assertThat(store.usesLeft("tok-rate")).isEqualTo(3);
    }

    /** A new gateway on the same data folder and stores, with the fields as the test set them. */
    private void restartGateway() {
        channels.close();
        gateway.close();
        startGateway(AgentControlService.HELLO_TIMEOUT);
    }

    private static RenewCertificateResponse renew(ManagedChannel connection, KeyPair keys) {
        byte[] csr;
        try {
            csr = TestCsr.csr(keys);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return CertificateRenewalGrpc.newBlockingStub(connection).withDeadlineAfter(10, TimeUnit.SECONDS)
                .renew(RenewCertificateRequest.newBuilder().setCsrDer(ByteString.copyFrom(csr)).build());
    }

    private TestControlStream connect(Enrolled enrolled, X509Certificate certificate) {
        return new TestControlStream(channels.withCertificate(enrolled.keys(), certificate));
    }

    private Enrolled enroll(String joinToken) {
        try {
            KeyPair keys = TestCsr.p256();
            EnrollResponse response = enrollment().enroll(EnrollRequest.newBuilder()
                    .setJoinToken(joinToken)
                    .setCsrDer(ByteString.copyFrom(TestCsr.csr(keys)))
                    .setAgentVersion("0.1.0")
                    .setCluster(dev.outpost.protocol.v1.ClusterFacts.newBuilder().setKubernetesVersion("v1.36.0").setNodeCount(3))
                    .build());
            return new Enrolled(keys, response);
        } catch (StatusRuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private EnrollmentGrpc.EnrollmentBlockingStub enrollment() {
        return EnrollmentGrpc.newBlockingStub(channels.anonymous()).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private TestControlStream connect(Enrolled enrolled) {
        return new TestControlStream(channels.withCertificate(enrolled.keys(), enrolled.certificate()));
    }

    private static Command command(String id) {
        return Command.newBuilder().setCommandId(id).setDeploymentId("d1").setGeneration(1)
                .setApply(ApplyDeployment.newBuilder().setNamespace("apps")).build();
    }

    private static AgentMessage result(String id) {
        return AgentMessage.newBuilder().setResult(CommandResult.newBuilder().setCommandId(id)
                .setOutcome(Outcome.OUTCOME_SUCCEEDED)).build();
    }

    private static void assertRefused(Runnable call, Status.Code code, String description) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(code);
            assertThat(e.getStatus().getDescription()).isEqualTo(description);
        });
    }
}

package dev.outpost.agent.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.outpost.agent.commands.CommandDispatcher;
import dev.outpost.agent.commands.FinishedCommands;
import dev.outpost.agent.config.HubAddress;
import dev.outpost.agent.controls.PauseSwitch;
import dev.outpost.agent.deploy.FakeDeploymentExecutor;
import dev.outpost.agent.enrollment.EnrollmentClient;
import dev.outpost.agent.enrollment.EnrollmentException;
import dev.outpost.agent.identity.AgentCredentials;
import dev.outpost.agent.identity.CertificateExpiry;
import dev.outpost.agent.identity.IdentityFiles;
import dev.outpost.agent.ledger.TestLedgers;
import dev.outpost.protocol.ProtocolRevision;
import dev.outpost.protocol.AgentIdentity;
import dev.outpost.protocol.CaFingerprint;
import dev.outpost.protocol.v1.AgentCondition;
import dev.outpost.protocol.v1.AgentState;
import dev.outpost.protocol.v1.AppliedDeployment;
import dev.outpost.protocol.v1.ApplyDeployment;
import dev.outpost.protocol.v1.ClusterFacts;
import dev.outpost.protocol.v1.Command;
import dev.outpost.testcluster.KubeCluster;
import dev.outpost.testcluster.KubeClusterExtension;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The agent's protocol code against a small real gRPC hub over TLS on loopback. */
class AgentProtocolIT {
    private static final AgentCondition READY = AgentCondition.newBuilder().setState(AgentState.AGENT_STATE_READY)
            .setSinceUnixMs(1).build();
    private final TestPki pki = new TestPki();
    private final FakeDeploymentExecutor executor = new FakeDeploymentExecutor();
    @TempDir
    Path stateDir;
    private TestHub hub;
    private ManagedChannel channel;
    private ControlConnection connection;
    private CommandDispatcher dispatcher;
    private Thread connectionThread;

    @BeforeEach
    void startHub() throws Exception {
        hub = new TestHub(pki).start();
    }

    @AfterEach
    void stopEverything() throws Exception {
        if (connection != null) {
            connection.stop();
            connectionThread.join(10_000);
            dispatcher.close();
            channel.shutdownNow();
        }
        hub.close();
    }

    @Test
    void aHubWithAnotherCaNeverReceivesTheToken() throws Exception {
        String otherPin = CaFingerprint.of(new TestPki().ca);

        assertThatThrownBy(() -> client(otherPin).enroll(TestHub.GOOD_TOKEN, "test", ClusterFacts.getDefaultInstance()))
                .isInstanceOf(EnrollmentException.class)
                .hasMessage("hub CA fingerprint " + CaFingerprint.of(pki.ca) + " does not match --ca-hash " + otherPin);
        assertThat(hub.enrollCalls).hasValue(0);
        assertThat(stateDir).isEmptyDirectory();
    }

    @Test
    void aHubWhoseCertificateNamesAnotherHostNeverReceivesTheToken() throws Exception {
        hub.close();
        hub = new TestHub(new TestPki(new GeneralName(GeneralName.dNSName, "elsewhere.example"))).start();

        assertThatThrownBy(() -> client(CaFingerprint.of(hub.pki.ca)).enroll(TestHub.GOOD_TOKEN, "test",
                ClusterFacts.getDefaultInstance()))
                .isInstanceOf(EnrollmentException.class)
                .hasMessageStartingWith("the hub's TLS certificate is not acceptable: ")
                .hasMessageContaining("127.0.0.1");
        assertThat(hub.enrollCalls).hasValue(0);
    }

    @Test
    void aHubThatOffersOnlyTls12NeverReceivesTheToken() throws Exception {
        hub.close();
        hub = new TestHub(pki, "TLSv1.2").start();

        assertThatThrownBy(() -> client(CaFingerprint.of(pki.ca)).enroll(TestHub.GOOD_TOKEN, "test",
                ClusterFacts.getDefaultInstance()))
                .isInstanceOf(EnrollmentException.class)
                .hasMessageContaining("cannot reach the hub");
        assertThat(hub.enrollCalls).hasValue(0);
    }

    @Test
    void aRefusedTokenIsFinalAndShowsTheHubsReason() {
        assertThatThrownBy(() -> client(CaFingerprint.of(pki.ca)).enroll("bad.token", "test", ClusterFacts.getDefaultInstance()))
                .isInstanceOf(EnrollmentException.class)
                .hasMessage("the hub refused enrolment: UNAUTHENTICATED: join token is unknown");
        assertThat(hub.enrollCalls).hasValue(1);
    }

    @Test
    void enrolmentStoresAnOwnerOnlyKeyAndTheIdentity() throws Exception {
        AgentCredentials credentials = enroll();

        IdentityFiles files = new IdentityFiles(stateDir);
        assertThat(Files.getPosixFilePermissions(files.keyFile())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.readString(files.identityFile())).contains("\"tenantId\": \"t1\"", "\"environmentId\": \"e1\"",
                "\"agentId\": \"a1\"");
        AgentCredentials loaded = files.load();
        assertThat(loaded.identity()).isEqualTo(new AgentIdentity("t1", "e1", "a1"));
        assertThat(loaded.key()).isEqualTo(credentials.key());
        assertThat(loaded.certificate()).isEqualTo(credentials.certificate());
        assertThat(loaded.hubCa()).containsExactly(pki.ca);
    }

    @Test
    void reconnectsAfterAHubRestartAndAnswersAResentCommandFromItsStoredResult() throws Exception {
        executor.setApplied(List.of(AppliedDeployment.newBuilder().setDeploymentId("d0").setGeneration(3).build()));
        startAgent(enroll());
        await().until(() -> hub.hellos.size() == 1);
        assertThat(hub.hellos.getFirst().getApplied(0).getDeploymentId()).isEqualTo("d0");
        assertThat(hub.hellos.getFirst().getProtocolRevision()).isEqualTo(ProtocolRevision.CURRENT);
        assertThat(hub.hellos.getFirst().getAllowedNamespacesList()).containsExactly("apps");
        assertThat(hub.hellos.getFirst().getCreatesNamespaces()).isTrue();
        assertThat(hub.hellos.getFirst().getCondition().getState()).isEqualTo(AgentState.AGENT_STATE_READY);
        await().until(() -> hub.heartbeats() >= 1);

        hub.push(command("c1"));
        await().until(() -> hub.results().size() == 1);

        hub.stop();
        hub.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> hub.hellos.size() == 2);
        hub.push(command("c1"));

        await().until(() -> hub.results().size() == 2);
        assertThat(hub.results().get(1)).isEqualTo(hub.results().get(0));
        assertThat(hub.results().get(0).getCommandId()).isEqualTo("c1");
        assertThat(executor.executions("c1")).isEqualTo(1);
    }

    @Test
    void aBusyHubsRetryAfterPacesTheReconnects() throws Exception {
        hub.refuseAsBusy(2, Duration.ofMillis(700));

        startAgent(enroll()); // its own backoff would retry within 200 ms

        await().atMost(Duration.ofSeconds(10)).until(() -> hub.hellos.size() == 1);
        List<Long> attempts = hub.connectAttempts;
        assertThat(attempts).hasSize(3);
        assertThat(Duration.ofNanos(attempts.get(1) - attempts.get(0))).isGreaterThanOrEqualTo(Duration.ofMillis(700));
        assertThat(Duration.ofNanos(attempts.get(2) - attempts.get(1))).isGreaterThanOrEqualTo(Duration.ofMillis(700));
    }

    @Test
    @ExtendWith(KubeClusterExtension.class)
    void theAgentJarExitsWith0AfterSigterm(KubeCluster cluster) throws Exception {
        Path jar = Path.of("target", "outpost-agent.jar");
        assertThat(jar).as("the agent jar (built by mvn package, before the ITs)").isRegularFile();
        enroll();
        Path output = stateDir.resolve("agent-output.log");
        Process agent = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString(), "--hub", "127.0.0.1:" + hub.port(), "--state-dir", stateDir.toString(),
                "--kubeconfig", cluster.kubeconfig().toString(), "--namespaces", cluster.newNamespace("agent"))
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> !hub.hellos.isEmpty() || !agent.isAlive());
            assertThat(agent.isAlive()).as("agent still running; its output:%n%s", read(output)).isTrue();

            agent.destroy(); // SIGTERM

            assertThat(agent.waitFor(40, TimeUnit.SECONDS)).as("agent stopped within 40s").isTrue();
            assertThat(agent.exitValue()).as("exit code; output:%n%s", read(output)).isZero();
            assertThat(read(output)).contains("Outpost agent stopped");
        } finally {
            agent.destroyForcibly();
        }
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file) : "";
    }

    private AgentCredentials enroll() throws Exception {
        AgentCredentials credentials = client(CaFingerprint.of(pki.ca))
                .enroll(TestHub.GOOD_TOKEN, "test", ClusterFacts.newBuilder().setKubernetesVersion("v1.36.0").build());
        new IdentityFiles(stateDir).save(credentials);
        return credentials;
    }

    private void startAgent(AgentCredentials credentials) {
        channel = HubChannels.mutualTls(new HubAddress("127.0.0.1", hub.port()), credentials);
        connection = new ControlConnection(channel, "test", ClusterFacts::getDefaultInstance, executor::applied,
                Set.of("apps"), true, () -> READY, fastBackoff(), fastBackoff(), new CertificateExpiry(credentials.certificate().getNotAfter().toInstant(),
                        new IdentityFiles(stateDir).howToReEnrol(), Clock.systemUTC()), Clock.systemUTC());
        dispatcher = new CommandDispatcher(executor, new FinishedCommands(stateDir.resolve("finished.log"), 100),
                TestLedgers.in(stateDir), new PauseSwitch(stateDir), connection, 2, 100);
        connection.setDispatcher(dispatcher);
        connectionThread = new Thread(() -> {
            try {
                connection.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "test-connection");
        connectionThread.start();
    }

    private EnrollmentClient client(String pin) {
        return new EnrollmentClient(new HubAddress("127.0.0.1", hub.port()), pin, fastBackoff(), 2);
    }

    private static Backoff fastBackoff() {
        return new Backoff(Duration.ofMillis(50), Duration.ofMillis(200));
    }

    private static Command command(String id) {
        return Command.newBuilder().setCommandId(id).setDeploymentId("d1").setGeneration(1)
                .setApply(ApplyDeployment.newBuilder().setNamespace("apps")).build();
    }
}

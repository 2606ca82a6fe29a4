package dev.outpost.agent.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.agent.cluster.AgentPermissions;
import dev.outpost.agent.model.OutpostMetadata;
import dev.outpost.agent.usage.MeteredDeployment;
import dev.outpost.protocol.v1.LogLine;
import dev.outpost.protocol.v1.SourceLogs;
import dev.outpost.testcluster.CriLogFile;
import dev.outpost.testcluster.KubeCluster;
import dev.outpost.testcluster.KubeClusterExtension;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Following a kwok pod's log through the real API server and kubelet API, with the agent's own permissions. */
@ExtendWith(KubeClusterExtension.class)
class LogFollowingIT {
    private static final String AGENT = "outpost-agent";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path stateDir;
    @TempDir
    Path logDir;

    @Test
    void aPodsLinesAreFollowedWithTheirPositionsMaskedAndARestartResumesWithoutLossOrRepeat(KubeCluster cluster)
            throws Exception {
        KubernetesClient admin = cluster.adminClient();
        String namespace = cluster.newNamespace("logs");
        // a deployment in a namespace the agent may not read: its listing fails, the others go on
        String forbidden = cluster.newNamespace("forbidden");
        String deploymentId = "dep-" + UUID.randomUUID().toString().substring(0, 8);
        grantAgentRole(admin, namespace);
        runningPod(admin, namespace, "web", deploymentId);
        runningPod(admin, namespace, "stranger", null); // not the agent's: never followed
        Path file = CriLogFile.appendStdout(logDir.resolve("web.log"), "starting", "db password is pa55-w0rd-x",
                "token=abc123 accepted");
        cluster.podLogsFromFile(namespace, "web", file);
        cluster.podLogsFromFile(namespace, "stranger", CriLogFile.appendStdout(logDir.resolve("other.log"), "not ours"));
        // kwok sees the Logs object a moment later (until then the kubelet API answers 400)
        await().atMost(WAIT).ignoreException(KubernetesClientException.class)
                .until(() -> admin.pods().inNamespace(namespace).withName("web").getLog().contains("accepted"));
        List<Map<String, Object>> applied = List.of(Map.of("kind", "Secret", "apiVersion", "v1",
                "metadata", Map.of("name", "db", "namespace", namespace), "stringData", Map.of("password", "pa55-w0rd-x")));
        List<LinePosition> written = new ArrayList<>(positionsIn(file));

        List<SourceLogs> shipped = new ArrayList<>();
        try (KubernetesClient agent = cluster.serviceAccountClient(namespace, AGENT)) {
            LogBuffer buffer = new LogBuffer(1 << 20, new LogPositionStore(stateDir), "agent=a1");
            LogFollowing following = following(agent, buffer, deploymentId, namespace, applied, forbidden);
            following.start();

            await().atMost(WAIT).until(() -> { shipAndAck(buffer, shipped); return lines(shipped).size() >= 3; });
            assertThat(texts(shipped)).containsExactly("starting", "db password is ****", "**** accepted");
            assertThat(lines(shipped)).extracting(line -> LinePosition.of(line.getPosition())).containsExactlyElementsOf(written);
            assertThat(shipped).allSatisfy(logs -> {
                assertThat(logs.getSource().getDeploymentId()).isEqualTo(deploymentId);
                assertThat(logs.getSource().getPod()).isEqualTo("web");
                assertThat(logs.getSource().getContainer()).isEqualTo("main");
                assertThat(logs.getSource().getNamespace()).isEqualTo(namespace);
            });
            assertThat(buffer.state().getFollowedSources()).isEqualTo(1);

            // followed: a line appended now arrives without a new discovery
            CriLogFile.appendStdout(file, "later 1", "later 2");
            await().atMost(Duration.ofSeconds(10)).until(() -> buffer.state().getBufferedLines() == 2);
            // sent (on disk as sent) but the agent stops before the ack, as under kill -9
            assertThat(buffer.nextBatch(1000, 1 << 20)).isPresent();
            following.close();
            buffer.close();
        }
        CriLogFile.appendStdout(file, "while the agent was away");
        written = positionsIn(file);

        List<SourceLogs> afterRestart = new ArrayList<>();
        try (KubernetesClient agent = cluster.serviceAccountClient(namespace, AGENT)) {
            LogBuffer buffer = new LogBuffer(1 << 20, new LogPositionStore(stateDir), "agent=a1");
            LogFollowing following = following(agent, buffer, deploymentId, namespace, applied, null);
            following.start();

            await().atMost(WAIT).until(() -> { shipAndAck(buffer, afterRestart); return lines(afterRestart).size() >= 3; });
            // the unacknowledged lines again (the hub dedups them by position), then the new one; nothing before
            assertThat(texts(afterRestart)).containsExactly("later 1", "later 2", "while the agent was away");
            assertThat(lines(afterRestart)).extracting(line -> LinePosition.of(line.getPosition()))
                    .containsExactlyElementsOf(written.subList(3, 6));
            assertThat(afterRestart).allSatisfy(logs -> assertThat(logs.getDroppedLines()).isZero());

            // the pod goes: its source is no longer followed, and forgotten once all is acknowledged
            admin.pods().inNamespace(namespace).withName("web").withGracePeriod(0).delete();
            await().atMost(WAIT).until(() -> buffer.state().getFollowedSources() == 0);
            shipAndAck(buffer, afterRestart);
            await().atMost(WAIT).until(() -> new LogPositionStore(stateDir).load().isEmpty());
            following.close();
        }
    }

    private static LogFollowing following(KubernetesClient agent, LogBuffer buffer, String deploymentId,
            String namespace, List<Map<String, Object>> applied, String forbiddenNamespace) {
        DeploymentMasks masks = new DeploymentMasks(new SecretMask(List.of(), List.of(Pattern.compile("token=\\S+"))),
                id -> id.equals(deploymentId) ? applied : List.of());
        List<MeteredDeployment> deployments = new ArrayList<>(List.of(new MeteredDeployment(deploymentId, Set.of(namespace))));
        if (forbiddenNamespace != null) {
            deployments.add(new MeteredDeployment("dep-forbidden", Set.of(forbiddenNamespace)));
        }
        return new LogFollowing(agent, () -> deployments, buffer, masks, 10, Clock.systemUTC(), "agent=a1");
    }

    /** What the shipper and a hub would do: take every batch and acknowledge it. */
    private static void shipAndAck(LogBuffer buffer, List<SourceLogs> shipped) throws Exception {
        while (true) {
            var batch = buffer.nextBatch(1000, 1 << 20);
            if (batch.isEmpty()) {
                return;
            }
            synchronized (shipped) {
                shipped.addAll(batch.get().sources);
            }
            buffer.acknowledged(batch.get());
        }
    }

    private static List<LogLine> lines(List<SourceLogs> shipped) {
        synchronized (shipped) {
            return shipped.stream().flatMap(logs -> logs.getLinesList().stream()).toList();
        }
    }

    private static List<String> texts(List<SourceLogs> shipped) {
        return lines(shipped).stream().map(LogLine::getText).toList();
    }

    /** The positions the file's lines must get: their CRI timestamps, numbered within one time. */
    private static List<LinePosition> positionsIn(Path file) throws Exception {
        Ordinals ordinals = new Ordinals();
        List<LinePosition> positions = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            positions.add(ordinals.position(LogLineParser.parseTime(line.substring(0, line.indexOf(' ')))));
        }
        return positions;
    }

    private static void runningPod(KubernetesClient admin, String namespace, String name, String deploymentId) {
        PodBuilder pod = new PodBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().addNewContainer().withName("main").withImage("registry.invalid/main:1").endContainer()
                .endSpec();
        if (deploymentId != null) {
            pod.editMetadata().addToLabels(OutpostMetadata.DEPLOYMENT_LABEL, deploymentId).endMetadata();
        }
        admin.pods().inNamespace(namespace).resource(pod.build()).create();
        admin.pods().inNamespace(namespace).withName(name)
                .waitUntilCondition(p -> p != null && "Running".equals(p.getStatus().getPhase()), WAIT.toSeconds(),
                        TimeUnit.SECONDS);
    }

    /** What agent/rbac grants on pods (AgentPermissions): reading them and their logs. */
    private static void grantAgentRole(KubernetesClient admin, String namespace) {
        admin.serviceAccounts().inNamespace(namespace).resource(new ServiceAccountBuilder()
                .withNewMetadata().withName(AGENT).endMetadata().build()).create();
        RoleBuilder role = new RoleBuilder().withNewMetadata().withName(AGENT).endMetadata();
        AgentPermissions.NAMESPACE_RULES.stream().filter(rule -> rule.apiGroup().isEmpty() && rule.resource().startsWith("pods"))
                .forEach(rule -> role.addToRules(new PolicyRuleBuilder().withApiGroups(rule.apiGroup())
                        .withResources(rule.resource()).withVerbs(rule.verbs()).build()));
        admin.rbac().roles().inNamespace(namespace).resource(role.build()).create();
        admin.rbac().roleBindings().inNamespace(namespace).resource(new RoleBindingBuilder()
                .withNewMetadata().withName(AGENT).endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "Role", AGENT)
                .addNewSubject().withKind("ServiceAccount").withName(AGENT).withNamespace(namespace).endSubject()
                .build()).create();
    }
}

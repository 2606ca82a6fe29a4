package dev.outpost.hub.deployments.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.hub.deployments.AppliedClaims;
import dev.outpost.hub.testsupport.Api;
import dev.outpost.hub.testsupport.HubTestProperties;
import dev.outpost.protocol.fixtures.ReleaseFixture;
import dev.outpost.protocol.v1.AgentCondition;
import dev.outpost.protocol.v1.AgentState;
import dev.outpost.protocol.v1.AppliedDeployment;
import dev.outpost.protocol.v1.Command;
import dev.outpost.protocol.v1.CommandProgress;
import dev.outpost.protocol.v1.CommandResult;
import dev.outpost.protocol.v1.Outcome;
import dev.outpost.protocol.v1.Step;
import dev.outpost.protocol.v1.StepState;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The operation lifecycle through the REST API with a scripted agent on a real TLS control stream:
 * failed steps, retry, revisions and rollback, operations whose result never comes, and a hub
 * restart in the middle of an operation. Subclasses pick the database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractOperationLifecycleIT {
    private static final String ADMIN = "opa_" + "lc".repeat(16);
    /** With a 1 s ready timeout, a command's result is overdue 6 s after it was sent. */
    private static final Duration OVERDUE = Duration.ofSeconds(6);

    private LifecycleHub hub;
    private final List<TestAgent> agents = new java.util.ArrayList<>();

    /** Database-specific properties (outpost.db-url and friends, or nothing for H2 in the data folder). */
    abstract Map<String, String> databaseProperties();

    @BeforeAll
    void startHub() {
        Map<String, String> props = new HashMap<>(HubTestProperties.with(databaseProperties(), ADMIN));
        props.put("outpost.deployment-revisions-kept", "3");
        props.put("outpost.deployment-ready-timeout", "1s");
        props.put("outpost.operation-result-margin", "5s");
        props.put("outpost.operation-sweep-interval", "200ms");
        props.put("outpost.max-concurrent-operations-per-environment", "2");
        hub = new LifecycleHub(props).start();
    }

    @AfterEach
    void disconnectAgents() {
        agents.forEach(TestAgent::close);
        agents.clear();
    }

    @AfterAll
    void stopHub() {
        if (hub != null) {
            hub.close();
        }
    }

    @Test
    void aFailedStepIsShownAndARetrySendsTheSameCommandAgainUntilItSucceeds() {
        TestAgent agent = agentIn(environment());
        String release = release(ReleaseFixture.redisV1());
        JsonNode created = deploy(agent, release, "cache");
        String deployment = created.at("/deployment/id").asText();
        String first = created.at("/operation/id").asText();
        Command sent = agent.awaitCommand(1);

        agent.progress(CommandProgress.newBuilder().setCommandId(sent.getCommandId())
                .addSteps(step("config", StepState.STEP_STATE_RUNNING, "")).build());
        await().until(() -> operation(first).get("status").asText().equals("running"));
        assertThat(deploymentJson(deployment).get("status").asText()).isEqualTo("progressing");

        agent.result(CommandResult.newBuilder().setCommandId(sent.getCommandId()).setOutcome(Outcome.OUTCOME_FAILED)
                .setFailureReason("StatefulSet/redis: 0/1 ready after 1s").setFailedStep("redis")
                .addSteps(step("config", StepState.STEP_STATE_SUCCEEDED, ""))
                .addSteps(step("redis", StepState.STEP_STATE_FAILED, "0/1 ready"))
                .addSteps(step("app", StepState.STEP_STATE_SKIPPED, "redis failed")).build());
        await().until(() -> operation(first).get("status").asText().equals("failed"));
        JsonNode failed = operation(first);
        assertThat(failed.get("failedStep").asText()).isEqualTo("redis");
        assertThat(failed.get("failureReason").asText()).isEqualTo("StatefulSet/redis: 0/1 ready after 1s");
        assertThat(failed.get("steps").findValuesAsText("state")).containsExactly("succeeded", "failed", "skipped");
        JsonNode broken = deploymentJson(deployment);
        assertThat(broken.get("status").asText()).isEqualTo("failed");
        assertThat(broken.get("failedStep").asText()).isEqualTo("redis");
        assertThat(broken.get("statusReason").asText()).isEqualTo("step redis failed: StatefulSet/redis: 0/1 ready after 1s");
        assertThat(broken.get("revision").isNull()).isTrue();

        Api.Response retried = retry(first);
        assertThat(retried.status()).as(retried.toString()).isEqualTo(202);
        String second = retried.json().at("/operation/id").asText();
        assertThat(retried.json().at("/operation/retryOf").asText()).isEqualTo(first);
        assertThat(retried.json().at("/operation/type").asText()).isEqualTo("create");
        assertThat(retried.json().at("/deployment/status").asText()).isEqualTo("pending");
        assertThat(retried.json().at("/deployment/failedStep").isNull()).isTrue();

        Command again = agent.awaitCommand(2);
        assertThat(again.getCommandId()).isNotEqualTo(sent.getCommandId());
        assertThat(again.getGeneration()).isEqualTo(sent.getGeneration() + 1);
        assertThat(again.getApply()).isEqualTo(sent.getApply()); // same release, parameters (and plan)
        succeed(agent, again);

        await().until(() -> deploymentJson(deployment).get("status").asText().equals("ready"));
        JsonNode ready = deploymentJson(deployment);
        assertThat(ready.get("revision").asLong()).isEqualTo(1);
        assertThat(ready.get("failedStep").isNull()).isTrue();
        assertThat(ready.get("statusReason").isNull()).isTrue();
        JsonNode revisions = api().get("/api/v1/deployments/" + deployment + "/revisions", ADMIN).json();
        assertThat(revisions).hasSize(1);
        assertThat(revisions.get(0).get("operationId").asText()).isEqualTo(second);
        assertThat(revisions.get(0).get("contentHash").asText()).isEqualTo(AppliedClaims.expectedHash(again));

        assertConflict(retry(second),
                "operation " + second + " is succeeded; only a failed operation can be retried");
        assertConflict(retry(first),
                "operation " + first + " is not the latest operation of deployment " + deployment
                        + " (a later change was made since); retry that one, or make a new change");
    }

    @Test
    void beyondTheEnvironmentsLimitOperationsWaitInOrderAndSayWhere() {
        TestAgent agent = agentIn(environment());
        String release = release(ReleaseFixture.redisV1());
        deploy(agent, release, "one");
        deploy(agent, release, "two");
        JsonNode third = deploy(agent, release, "three");
        String queued = third.at("/operation/id").asText();
        String thirdDeployment = third.at("/deployment/id").asText();

        agent.awaitCommand(2);
        await().until(() -> operation(queued).get("waitingReason").asText().startsWith("queued: number 3 in environment"));
        assertThat(operation(queued).get("waitingReason").asText()).contains("behind 2 older operation(s); at most 2 run at once");
        assertThat(deploymentJson(thirdDeployment).get("statusReason").asText()).startsWith("queued: number 3");
        // the third is not sent while two are in flight
        assertThat(agent.received()).extracting(Command::getDeploymentId).doesNotContain(thirdDeployment);

        succeed(agent, agent.received().getFirst());
        Command sentThird = agent.awaitCommand(3);
        assertThat(sentThird.getDeploymentId()).isEqualTo(thirdDeployment);
        await().until(() -> operation(queued).get("waitingReason").isNull());
    }

    @Test
    void theListsSayWhyEachOperationWaitsAsTheReadOfThatOneOperationDoes() {
        TestAgent agent = agentIn(environment());
        String release = release(ReleaseFixture.redisV1());
        JsonNode heldDeployment = deploy(agent, release, "held");
        String held = heldDeployment.at("/operation/id").asText();
        String running = deploy(agent, release, "running").at("/operation/id").asText();
        String queued = deploy(agent, release, "queued").at("/operation/id").asText();
        agent.awaitCommand(2);
        agent.progress(held(agent.received().stream().filter(c -> c.getDeploymentId()
                .equals(heldDeployment.at("/deployment/id").asText())).findFirst().orElseThrow()));
        TestAgent gone = agentIn(environment());
        String offline = deploy(gone, release, "offline").at("/operation/id").asText();
        gone.awaitCommand(1);
        gone.disconnect();
        String noAgentEnvironment = environment();
        Api.Response unserved = api().post("/api/v1/deployments", ADMIN, Map.of("environmentId", noAgentEnvironment,
                "releaseId", release, "name", "unserved", "namespace", "apps", "parameters", Map.of("name", "unserved")));
        assertThat(unserved.status()).as(unserved.toString()).isEqualTo(202);
        String noAgent = unserved.json().at("/operation/id").asText();
        await().until(() -> operation(held).get("waitingReason").asText("").startsWith("waiting for the customer's")
                && operation(offline).get("waitingReason").asText("").contains("(offline since "));

        Map<String, String> expected = new HashMap<>();
        for (String op : List.of(held, running, queued, offline, noAgent)) {
            expected.put(op, operation(op).get("waitingReason").asText(null));
        }
        assertThat(expected.get(held)).startsWith("waiting for the customer's approval at agent " + agent.id());
        assertThat(expected.get(running)).isNull();
        assertThat(expected.get(queued)).startsWith("queued: number 3 in environment");
        assertThat(expected.get(offline)).startsWith("waiting for agent " + gone.id() + " (offline since ");
        assertThat(expected.get(noAgent)).startsWith("no agent has enrolled in environment " + noAgentEnvironment);

        Map<String, String> listed = new HashMap<>();
        for (JsonNode op : api().get("/api/v1/operations", ADMIN).json()) {
            if (expected.containsKey(op.get("id").asText())) {
                listed.put(op.get("id").asText(), op.get("waitingReason").asText(null));
            }
        }
        assertThat(listed).isEqualTo(expected);
        Map<String, String> listedDeployments = new HashMap<>();
        Map<String, String> readDeployments = new HashMap<>();
        for (JsonNode d : api().get("/api/v1/deployments", ADMIN).json()) {
            if (expected.containsKey(d.get("activeOperationId").asText(""))) {
                listedDeployments.put(d.get("id").asText(), d.get("statusReason").asText(null));
                readDeployments.put(d.get("id").asText(), deploymentJson(d.get("id").asText()).get("statusReason")
                        .asText(null));
            }
        }
        assertThat(listedDeployments).hasSize(expected.size()).isEqualTo(readDeployments);
        assertThat(listedDeployments.values()).contains(expected.get(queued), expected.get(noAgent));
    }

    @Test
    void aRetryIsRefusedWhileAnotherOperationIsActiveAndOnceTheDeploymentIsDeleted() {
        TestAgent agent = agentIn(environment());
        String release = release(ReleaseFixture.redisV1());
        JsonNode created = deploy(agent, release, "queue");
        String deployment = created.at("/deployment/id").asText();
        succeed(agent, agent.awaitCommand(1));
        await().until(() -> deploymentJson(deployment).get("status").asText().equals("ready"));

        String update = api().patch("/api/v1/deployments/" + deployment, ADMIN,
                Map.of("parameters", Map.of("name", "queue", "maxmemory", "64mb"))).json().at("/operation/id").asText();
        fail(agent, agent.awaitCommand(2), "ConfigMap/queue: forbidden");
        await().until(() -> operation(update).get("status").asText().equals("failed"));

        String delete = api().delete("/api/v1/deployments/" + deployment, ADMIN).json().at("/operation/id").asText();
        assertConflict(retry(update),
                "deployment " + deployment + " has operation " + delete + " pending or running; wait until it finishes");
        Command deleteCommand = agent.awaitCommand(3);
        agent.result(CommandResult.newBuilder().setCommandId(deleteCommand.getCommandId())
                .setOutcome(Outcome.OUTCOME_SUCCEEDED).build());
        await().until(() -> deploymentJson(deployment).get("status").asText().equals("deleted"));

        assertConflict(retry(update),
                "deployment " + deployment + " is deleted");
        assertThat(retry("op_unknown").status()).isEqualTo(404);
    }

    @Test
    void revisionsAreKeptAndARollbackReturnsToAnEarlierReleaseAndParameters() {
        TestAgent agent = agentIn(environment());
        String v1 = release(ReleaseFixture.redisV1());
        String v2 = release(ReleaseFixture.redisV2());
        JsonNode created = deploy(agent, v1, "store");
        String deployment = created.at("/deployment/id").asText();
        assertConflict(api().post("/api/v1/deployments/" + deployment + "/rollback", ADMIN, Map.of()),
                "deployment " + deployment + " has no revision yet: no create or update of it has succeeded, so there "
                        + "is nothing to roll back to");
        succeed(agent, agent.awaitCommand(1));
        awaitRevision(deployment, 1);
        assertConflict(api().post("/api/v1/deployments/" + deployment + "/rollback", ADMIN, Map.of()),
                "deployment " + deployment + " has no revision before its current revision 1 (kept: 1)");

        change(agent, deployment, Map.of("parameters", Map.of("name", "store", "maxmemory", "64mb")), 2);
        change(agent, deployment, Map.of("releaseId", v2), 3);
        change(agent, deployment, Map.of("parameters", Map.of("name", "store", "maxmemory", "128mb")), 4);

        JsonNode revisions = api().get("/api/v1/deployments/" + deployment + "/revisions", ADMIN).json();
        assertThat(revisions.findValuesAsText("number")).containsExactly("4", "3", "2"); // 3 kept, newest first
        assertThat(revisions.get(1).get("releaseId").asText()).isEqualTo(v2);
        assertThat(revisions.get(1).at("/parameters/maxmemory").asText()).isEqualTo("64mb");
        Api.Response notKept = api().post("/api/v1/deployments/" + deployment + "/rollback", ADMIN, Map.of("revision", 1));
        assertThat(notKept.status()).as(notKept.toString()).isEqualTo(422);
        assertThat(notKept.json().get("detail").asText())
                .isEqualTo("revision 1 is not a kept revision of deployment " + deployment + " (kept: 4, 3, 2)");

        // Back to the one before the current: revision 3's release and parameters, as a new update.
        Api.Response rolledBack = api().post("/api/v1/deployments/" + deployment + "/rollback", ADMIN, Map.of());
        assertThat(rolledBack.status()).as(rolledBack.toString()).isEqualTo(202);
        assertThat(rolledBack.json().at("/operation/type").asText()).isEqualTo("update");
        assertThat(rolledBack.json().at("/deployment/releaseId").asText()).isEqualTo(v2);
        assertThat(rolledBack.json().at("/deployment/parameters/maxmemory").asText()).isEqualTo("64mb");
        Command back = agent.awaitCommand(5);
        assertThat(back.getApply().getRelease().getReleaseId()).isEqualTo(v2);
        assertThat(back.getApply().getParametersMap()).containsEntry("maxmemory", "64mb");
        succeed(agent, back);
        awaitRevision(deployment, 5);
        assertThat(api().get("/api/v1/deployments/" + deployment + "/revisions", ADMIN).json().get(0)
                .at("/parameters/maxmemory").asText()).isEqualTo("64mb");

        // A failed upgrade: rollback without a number returns to the revision that last worked.
        api().patch("/api/v1/deployments/" + deployment, ADMIN, Map.of("releaseId", v1));
        fail(agent, agent.awaitCommand(6), "StatefulSet/store: 0/1 ready after 1s");
        await().until(() -> deploymentJson(deployment).get("status").asText().equals("failed"));
        Api.Response undo = api().post("/api/v1/deployments/" + deployment + "/rollback", ADMIN, Map.of());
        assertThat(undo.status()).as(undo.toString()).isEqualTo(202);
        assertThat(undo.json().at("/deployment/releaseId").asText()).isEqualTo(v2);
        assertConflict(api().post("/api/v1/deployments/" + deployment + "/rollback", ADMIN, Map.of("revision", 4)),
                "deployment " + deployment + " has operation " + undo.json().at("/operation/id").asText()
                        + " pending or running; wait until it finishes");
        assertThat(api().post("/api/v1/deployments/" + deployment + "/rollback", ADMIN, Map.of("revision", "4")).status())
                .isEqualTo(400);
    }

    @Test
    void anOperationWhoseAgentSendsNoResultFailsWithTheReasonAndALateResultChangesNothing() {
        TestAgent agent = agentIn(environment());
        String release = release(ReleaseFixture.redisV1());
        JsonNode created = deploy(agent, release, "silent");
        String deployment = created.at("/deployment/id").asText();
        String op = created.at("/operation/id").asText();
        Command sent = agent.awaitCommand(1); // and never answered

        await().atMost(OVERDUE.plusSeconds(20)).until(() -> operation(op).get("status").asText().equals("failed"));
        JsonNode failed = operation(op);
        assertThat(failed.get("failureReason").asText()).startsWith("timed out: agent " + agent.id()
                + " was sent command " + sent.getCommandId() + " at ").endsWith(" and sent no result within 6s");
        JsonNode broken = deploymentJson(deployment);
        assertThat(broken.get("status").asText()).isEqualTo("failed");
        assertThat(broken.get("activeOperationId").isNull()).isTrue();
        assertThat(broken.get("statusReason").asText()).startsWith("create operation " + op + " timed out: agent ");

        succeed(agent, sent); // too late: the command was answered when it timed out
        Api.Response retried = retry(op);
        assertThat(retried.status()).as(retried.toString()).isEqualTo(202);
        assertThat(operation(op).get("status").asText()).isEqualTo("failed");
        assertThat(api().get("/api/v1/deployments/" + deployment + "/revisions", ADMIN).json()).isEmpty();
        succeed(agent, agent.awaitCommand(2));
        awaitRevision(deployment, 1);
    }

    @Test
    void afterAHubRestartAnUnfinishedOperationIsSentAgainAndItsResultIsTakenOnce() {
        String env = environment();
        TestAgent agent = agentIn(env);
        String release = release(ReleaseFixture.redisV1());
        JsonNode created = deploy(agent, release, "durable");
        String deployment = created.at("/deployment/id").asText();
        String op = created.at("/operation/id").asText();
        Command sent = agent.awaitCommand(1);
        agent.progress(CommandProgress.newBuilder().setCommandId(sent.getCommandId())
                .addSteps(step("apply StatefulSet/durable", StepState.STEP_STATE_RUNNING, "")).build());
        await().until(() -> operation(op).get("status").asText().equals("running"));

        hub.restart();
        await().until(() -> !agent.connected());
        assertThat(operation(op).get("status").asText()).isEqualTo("running"); // nothing lost, nothing made up
        assertThat(operation(op).get("steps").get(0).get("state").asText()).isEqualTo("running");

        agent.connect(hub);
        Command resent = agent.awaitCommand(2);
        assertThat(resent).isEqualTo(sent); // the same command id: the agent recognises it
        succeed(agent, resent);
        succeed(agent, resent); // e.g. answered from the agent's record of finished commands, twice
        await().until(() -> deploymentJson(deployment).get("status").asText().equals("ready"));
        String finishedAt = operation(op).get("finishedAt").asText();

        JsonNode ready = deploymentJson(deployment);
        assertThat(ready.get("revision").asLong()).isEqualTo(1);
        assertThat(ready.get("appliedGeneration").asLong()).isEqualTo(1);
        assertThat(api().get("/api/v1/deployments/" + deployment + "/revisions", ADMIN).json()).hasSize(1);
        assertThat(operation(op).get("finishedAt").asText()).isEqualTo(finishedAt);
        assertThat(api().get("/api/v1/operations?deploymentId=" + deployment, ADMIN).json()).hasSize(1);
    }

    @Test
    void anAgentThatDisconnectsMidCommandIsSentItAgainWhenItReconnectsAndItsResultIsTaken() {
        TestAgent agent = agentIn(environment());
        JsonNode created = deploy(agent, release(ReleaseFixture.redisV1()), "flaky");
        String deployment = created.at("/deployment/id").asText();
        String op = created.at("/operation/id").asText();
        Command sent = agent.awaitCommand(1);
        agent.progress(CommandProgress.newBuilder().setCommandId(sent.getCommandId())
                .addSteps(step("apply ConfigMap/flaky", StepState.STEP_STATE_SUCCEEDED, "")).build());
        await().until(() -> operation(op).get("status").asText().equals("running"));

        agent.disconnect(); // e.g. the agent's pod was rescheduled
        await().until(() -> operation(op).get("waitingReason").asText("").startsWith("waiting for agent " + agent.id()
                + " (offline since "));
        assertThat(operation(op).get("status").asText()).isEqualTo("running");

        agent.connect(hub);
        assertThat(agent.awaitCommand(2)).isEqualTo(sent);
        succeed(agent, sent);
        awaitRevision(deployment, 1);
        assertThat(operation(op).get("status").asText()).isEqualTo("succeeded");
    }

    @Test
    void aCommandHeldForTheCustomersApprovalShowsWhyNeverTimesOutAndItsDeadlineRunsFromTheApproval() {
        TestAgent agent = agentIn(environment());
        JsonNode created = deploy(agent, release(ReleaseFixture.redisV1()), "held");
        String deployment = created.at("/deployment/id").asText();
        String op = created.at("/operation/id").asText();
        Command sent = agent.awaitCommand(1);

        agent.progress(held(sent));
        String waiting = "waiting for the customer's approval at agent " + agent.id() + " (held since ";
        await().until(() -> operation(op).get("waitingReason").asText("").startsWith(waiting));
        assertThat(operation(op).get("waitingReason").asText()).endsWith("): on the agent, the customer runs "
                + "`outpost-agent approve " + sent.getCommandId() + "`");
        assertThat(deploymentJson(deployment).get("statusReason").asText()).startsWith(waiting);
        assertThat(api().get("/api/v1/operations?deploymentId=" + deployment, ADMIN).json().get(0).get("waitingReason")
                .asText()).startsWith(waiting);
        // Held longer than its result deadline, the operation still waits for the customer.
        await().during(OVERDUE.plusSeconds(2)).atMost(OVERDUE.plusSeconds(10))
                .until(() -> operation(op).get("status").asText().equals("pending"));

        Instant approved = Instant.now();
        agent.progress(CommandProgress.newBuilder().setCommandId(sent.getCommandId()).build()); // the customer approved
        await().until(() -> operation(op).get("status").asText().equals("running"));
        assertThat(operation(op).get("waitingReason").isNull()).isTrue();
        // Approved but never answered: it times out, counted from the approval rather than from the first send.
        await().atMost(OVERDUE.plusSeconds(20)).until(() -> operation(op).get("status").asText().equals("failed"));
        String reason = operation(op).get("failureReason").asText();
        assertThat(reason).startsWith("timed out: agent " + agent.id() + " was sent command " + sent.getCommandId());
        Instant restarted = Instant.parse(reason.replaceAll(".* at (\\S+) and sent no result.*", "$1"));
        assertThat(restarted).isAfterOrEqualTo(approved.minusSeconds(1));
    }

    @Test
    void aHeldCommandTheVendorCancelsIsWithdrawnFromTheAgentOnEveryStreamUntilTheAgentAnswers() {
        TestAgent agent = agentIn(environment());
        JsonNode created = deploy(agent, release(ReleaseFixture.redisV1()), "withdrawn");
        String op = created.at("/operation/id").asText();
        Command sent = agent.awaitCommand(1);
        agent.progress(held(sent));
        await().until(() -> operation(op).get("waitingReason").asText("").startsWith("waiting for the customer's"));

        Api.Response cancelled = api().send("POST", "/api/v1/operations/" + op + "/cancel", ADMIN, null, null);
        assertThat(cancelled.status()).as(cancelled.toString()).isEqualTo(200);
        await().until(() -> agent.withdrawals().size() == 1);
        assertThat(agent.withdrawals().get(0).getCommandId()).isEqualTo(sent.getCommandId());
        assertThat(agent.withdrawals().get(0).getReason()).isEqualTo("operation " + op + " was cancelled at the hub");

        agent.disconnect(); // the withdrawal may not have reached the agent: it is sent again
        agent.connect(hub);
        await().until(() -> agent.withdrawals().size() == 2);
        fail(agent, sent, "withdrawn by the hub before the customer decided");
        Instant since = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        agent.heartbeat(AgentCondition.newBuilder().setState(AgentState.AGENT_STATE_READY)
                .setSinceUnixMs(since.toEpochMilli()).build());
        await().until(() -> since.equals(Instant.parse(api().get("/api/v1/agents/" + agent.id(), ADMIN).json()
                .at("/condition/since").asText("1970-01-01T00:00:00Z")))); // the answer before it was taken too
        agent.disconnect();
        agent.connect(hub);
        await().until(() -> "online".equals(api().get("/api/v1/agents/" + agent.id(), ADMIN).json().get("status").asText()));
        await().during(Duration.ofSeconds(2)).until(() -> agent.withdrawals().size() == 2);
        assertThat(agent.received()).hasSize(1); // never sent again
        assertThat(operation(op).get("status").asText()).isEqualTo("failed");
        assertThat(operation(op).get("failureReason").asText()).startsWith("cancelled by ");
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    private Api api() {
        return hub.api();
    }

    /** POST /retry, without a body as the route takes none. */
    private Api.Response retry(String operationId) {
        return api().send("POST", "/api/v1/operations/" + operationId + "/retry", ADMIN, null, null);
    }

    /** Applies a change, has the agent carry out its ({@code n}th) command and waits for revision {@code n}. */
    private void change(TestAgent agent, String deployment, Map<String, Object> body, int n) {
        Api.Response changed = api().patch("/api/v1/deployments/" + deployment, ADMIN, body);
        assertThat(changed.status()).as(changed.toString()).isEqualTo(202);
        succeed(agent, agent.awaitCommand(n));
        awaitRevision(deployment, n);
    }

    private void awaitRevision(String deployment, long number) {
        await().until(() -> {
            JsonNode d = deploymentJson(deployment);
            return d.get("status").asText().equals("ready") && d.get("revision").asLong() == number;
        });
    }

    private static void succeed(TestAgent agent, Command command) {
        agent.result(CommandResult.newBuilder().setCommandId(command.getCommandId()).setOutcome(Outcome.OUTCOME_SUCCEEDED)
                .setApplied(AppliedDeployment.newBuilder().setDeploymentId(command.getDeploymentId())
                        .setGeneration(command.getGeneration()).setContentHash(AppliedClaims.expectedHash(command)))
                .build());
    }

    private static void fail(TestAgent agent, Command command, String reason) {
        agent.result(CommandResult.newBuilder().setCommandId(command.getCommandId()).setOutcome(Outcome.OUTCOME_FAILED)
                .setFailureReason(reason).build());
    }

    /** What an agent in the customer's approval mode reports for a command it holds. */
    private static CommandProgress held(Command command) {
        return CommandProgress.newBuilder().setCommandId(command.getCommandId()).setAwaitingApproval("on the agent, the "
                + "customer runs `outpost-agent approve " + command.getCommandId() + "`").build();
    }

    private static Step step(String name, StepState state, String message) {
        return Step.newBuilder().setName(name).setState(state).setMessage(message).build();
    }

    private static void assertConflict(Api.Response response, String detail) {
        assertThat(response.status()).as(response.toString()).isEqualTo(409);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.json().get("detail").asText()).isEqualTo(detail);
    }

    private JsonNode operation(String id) {
        return api().get("/api/v1/operations/" + id, ADMIN).json();
    }

    private JsonNode deploymentJson(String id) {
        return api().get("/api/v1/deployments/" + id, ADMIN).json();
    }

    private JsonNode deploy(TestAgent agent, String release, String name) {
        Api.Response created = api().post("/api/v1/deployments", ADMIN, Map.of("environmentId", environmentOf(agent),
                "releaseId", release, "name", name, "namespace", "apps", "parameters", Map.of("name", name)));
        assertThat(created.status()).as(created.toString()).isEqualTo(202);
        return created.json();
    }

    private final Map<TestAgent, String> environments = new HashMap<>();

    private String environmentOf(TestAgent agent) {
        return environments.get(agent);
    }

    /** An enrolled agent of {@code env}, connected, whose Hello the hub has taken (it is online). */
    private TestAgent agentIn(String env) {
        Api.Response token = api().post("/api/v1/environments/" + env + "/join-tokens", ADMIN, Map.of("uses", 1));
        assertThat(token.status()).as(token.toString()).isEqualTo(201);
        TestAgent agent = TestAgent.enrol(hub, token.json().get("token").asText()).connect(hub);
        agents.add(agent);
        environments.put(agent, env);
        await().until(() -> "online".equals(api().get("/api/v1/agents/" + agent.id(), ADMIN).json().get("status").asText()));
        return agent;
    }

    private String environment() {
        Api.Response tenant = api().post("/api/v1/tenants", ADMIN, Map.of("name", "tenant-" + suffix()));
        assertThat(tenant.status()).as(tenant.toString()).isEqualTo(201);
        Api.Response env = api().post("/api/v1/environments", ADMIN, Map.of("tenantId", tenant.json().get("id").asText(),
                "name", "env-" + suffix(), "cloud", "aws", "region", "eu-west-1", "clusterName", "prod"));
        assertThat(env.status()).as(env.toString()).isEqualTo(201);
        return env.json().get("id").asText();
    }

    private String release(ReleaseFixture fixture) {
        Api.Response response = api().post("/api/v1/releases", ADMIN, Map.of("serviceName", "redis-" + suffix(),
                "version", fixture.version(), "manifests", fixture.manifests(), "defaultParameters", fixture.defaults()));
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return response.json().get("id").asText();
    }

    private static String suffix() {
        return UUID.randomUUID().toString().substring(0, 8);
    }
}

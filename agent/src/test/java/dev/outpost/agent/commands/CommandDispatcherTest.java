package dev.outpost.agent.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.agent.controls.PauseSwitch;
import dev.outpost.agent.deploy.FakeDeploymentExecutor;
import dev.outpost.agent.ledger.CommandLedger;
import dev.outpost.agent.ledger.LedgerEntry;
import dev.outpost.agent.ledger.TestLedgers;
import dev.outpost.protocol.v1.ApplyDeployment;
import dev.outpost.protocol.v1.Command;
import dev.outpost.protocol.v1.CommandResult;
import dev.outpost.protocol.v1.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandDispatcherTest {
    private final FakeDeploymentExecutor executor = new FakeDeploymentExecutor();
    private final FakeHubOutlet outlet = new FakeHubOutlet();
    @TempDir
    Path dir;
    private CommandDispatcher dispatcher;

    @AfterEach
    void close() {
        if (dispatcher != null) {
            dispatcher.close();
        }
    }

    @Test
    void commandsOfOneDeploymentRunInOrderAndOthersInParallel() {
        dispatcher = dispatcher(4, 100);
        executor.hold("a1");
        executor.hold("b1");

        dispatcher.accept(command("a1", "dep-a"));
        dispatcher.accept(command("a2", "dep-a"));
        dispatcher.accept(command("b1", "dep-b"));

        await().until(() -> executor.log.contains("start b1") && executor.log.contains("start a1"));
        assertThat(executor.log).doesNotContain("start a2");
        assertThat(executor.maxRunning()).isEqualTo(2);
        executor.release("a1");
        executor.release("b1");
        await().until(() -> outlet.results().size() == 3);
        assertThat(executor.log.indexOf("start a2")).isGreaterThan(executor.log.indexOf("end a1"));
        assertThat(outlet.results()).extracting(CommandResult::getCommandId).contains("a1", "a2", "b1");
    }

    @Test
    void anExecutorErrorIsReportedAsAFailureSoTheHubUnlocksTheDeployment() {
        dispatcher = dispatcher(4, 100);
        executor.breakWith("c1", new NoClassDefFoundError("io/fabric8/Missing"));

        dispatcher.accept(command("c1", "d1"));
        dispatcher.accept(command("c2", "d1"));

        await().until(() -> outlet.results().size() == 2);
        assertThat(outlet.results().get(0).getOutcome()).isEqualTo(Outcome.OUTCOME_FAILED);
        assertThat(outlet.results().get(0).getFailureReason()).contains("agent error", "io/fabric8/Missing");
        assertThat(outlet.results().get(1).getOutcome()).isEqualTo(Outcome.OUTCOME_SUCCEEDED);
    }

    @Test
    void parallelismIsBounded() {
        dispatcher = dispatcher(2, 100);
        for (String d : new String[] {"d1", "d2", "d3"}) {
            executor.hold("c-" + d);
            dispatcher.accept(command("c-" + d, d));
        }
        await().until(() -> executor.log.stream().filter(s -> s.startsWith("start")).count() == 2);
        assertThat(executor.maxRunning()).isEqualTo(2);
        for (String d : new String[] {"d1", "d2", "d3"}) {
            executor.release("c-" + d);
        }
        await().until(() -> outlet.results().size() == 3);
        assertThat(executor.maxRunning()).isEqualTo(2);
    }

    @Test
    void aRunningCommandSentAgainIsIgnoredAndAFinishedOneAnsweredFromItsResult() {
        dispatcher = dispatcher(4, 100);
        executor.hold("c1");
        dispatcher.accept(command("c1", "d1"));
        await().until(() -> executor.executions("c1") == 1);

        dispatcher.accept(command("c1", "d1"));
        executor.release("c1");
        await().until(() -> outlet.results().size() == 1);
        dispatcher.accept(command("c1", "d1"));

        await().until(() -> outlet.results().size() == 2);
        assertThat(outlet.results().get(1)).isEqualTo(outlet.results().get(0));
        assertThat(executor.executions("c1")).isEqualTo(1);
    }

    @Test
    void aResultFinishedWhileDisconnectedIsSentWhenTheHubResendsEvenAfterARestart() {
        dispatcher = dispatcher(4, 100);
        outlet.connected = false;
        dispatcher.accept(command("c1", "d1"));
        await().until(() -> dispatcher.pending().isEmpty() && executor.executions("c1") == 1);
        dispatcher.close();

        outlet.connected = true;
        dispatcher = dispatcher(4, 100);
        dispatcher.accept(command("c1", "d1"));

        assertThat(outlet.results()).singleElement().satisfies(r -> {
            assertThat(r.getCommandId()).isEqualTo("c1");
            assertThat(r.getOutcome()).isEqualTo(Outcome.OUTCOME_SUCCEEDED);
        });
        assertThat(executor.executions("c1")).isEqualTo(1);
    }

    @Test
    void refusesCommandsBeyondTheQueueBound() {
        dispatcher = dispatcher(1, 2);
        executor.hold("c1");
        assertThat(dispatcher.accept(command("c1", "d1"))).isTrue();
        assertThat(dispatcher.accept(command("c2", "d1"))).isTrue();
        assertThat(dispatcher.accept(command("c3", "d1"))).isFalse();
        executor.release("c1");
        await().until(() -> outlet.results().size() == 2);
        assertThat(executor.executions("c3")).isZero();
    }

    @Test
    void aResultThatCannotBeStoredIsStillSentAndTheDeploymentsLaterCommandsRun() throws Exception {
        dispatcher = dispatcher(1, 10);
        Files.createDirectory(dir.resolve("finished.log")); // appending to the log now fails

        dispatcher.accept(command("c1", "d1"));
        dispatcher.accept(command("c2", "d1"));

        await().until(() -> outlet.results().size() == 2);
        assertThat(outlet.results()).extracting(CommandResult::getCommandId).containsExactly("c1", "c2");
        assertThat(dispatcher.pending()).isEmpty();
        dispatcher.accept(command("c1", "d1")); // not stored, so a re-send runs it again rather than being ignored
        await().until(() -> executor.executions("c1") == 2);
    }

    @Test
    void aStreamThatThrowsOnSendDoesNotWedgeTheDeployment() {
        dispatcher = dispatcher(1, 10);
        outlet.broken = true;

        dispatcher.accept(command("c1", "d1"));
        dispatcher.accept(command("c2", "d1"));

        await().until(() -> executor.executions("c2") == 1 && dispatcher.pending().isEmpty());
        outlet.broken = false;
        dispatcher.accept(command("c1", "d1"));
        dispatcher.accept(command("c3", "d1"));
        await().until(() -> outlet.results().size() == 2);
        assertThat(outlet.results()).extracting(CommandResult::getCommandId).containsExactly("c1", "c3");
        assertThat(executor.executions("c1")).isEqualTo(1);
    }

    @Test
    void progressIsReportedWhileACommandRuns() {
        dispatcher = dispatcher(1, 10);
        dispatcher.accept(command("c1", "d1"));
        await().until(() -> outlet.results().size() == 1);
        assertThat(outlet.sent).filteredOn(m -> m.hasProgress())
                .anySatisfy(m -> assertThat(m.getProgress().getStepsCount()).isEqualTo(1));
    }

    @Test
    void everyCommandRunIsInTheLedgerReceivedThenFinishedAndTheChainHolds() throws Exception {
        dispatcher = dispatcher(1, 10);
        executor.breakWith("c2", new AssertionError("quota exceeded"));
        dispatcher.accept(command("c1", "d1"));
        dispatcher.accept(command("c2", "d1"));
        await().until(() -> outlet.results().size() == 2);

        CommandLedger ledger = TestLedgers.in(dir);
        assertThat(ledger.entries()).extracting(e -> e.event() + " " + e.commandId())
                .containsExactly("received c1", "finished c1", "received c2", "finished c2");
        LedgerEntry received = ledger.entries().get(0);
        assertThat(received.deploymentId()).isEqualTo("d1");
        assertThat(received.action()).isEqualTo("apply");
        assertThat(received.detail()).contains("into namespace apps");
        assertThat(ledger.entries().get(3).detail()).startsWith("failed: agent error: java.lang.AssertionError: "
                + "quota exceeded");
        assertThat(ledger.verify().valid()).isTrue();
    }

    @Test
    void whileThePauseIsOnCommandsAreRefusedWithTheCustomersReasonAndRunAgainAfterResume() throws Exception {
        dispatcher = dispatcher(1, 10);
        PauseSwitch pause = new PauseSwitch(dir);
        pause.pause("incident 42");

        dispatcher.accept(command("c1", "d1"));
        await().until(() -> outlet.results().size() == 1);
        assertThat(outlet.results().get(0).getOutcome()).isEqualTo(Outcome.OUTCOME_FAILED);
        assertThat(outlet.results().get(0).getFailureReason()).startsWith("refused: the customer paused this agent")
                .contains("(incident 42)");
        assertThat(executor.log).doesNotContain("start c1");

        pause.resume();
        dispatcher.accept(command("c2", "d1"));
        await().until(() -> outlet.results().size() == 2);
        assertThat(outlet.results().get(1).getOutcome()).isEqualTo(Outcome.OUTCOME_SUCCEEDED);
        assertThat(TestLedgers.in(dir).entries()).extracting(LedgerEntry::detail).element(1).asString()
                .startsWith("failed: refused: the customer paused this agent");
    }

    @Test
    void aCommandIsNotCarriedOutWhenItCannotBeRecordedInTheLedger() throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("file"), "x");
        dispatcher = new CommandDispatcher(executor, new FinishedCommands(dir.resolve("finished.log"), 100),
                TestLedgers.in(notADirectory), new PauseSwitch(dir), outlet, 1, 10);

        dispatcher.accept(command("c1", "d1"));

        await().until(() -> outlet.results().size() == 1);
        assertThat(outlet.results().get(0).getOutcome()).isEqualTo(Outcome.OUTCOME_FAILED);
        assertThat(outlet.results().get(0).getFailureReason())
                .startsWith("not carried out: the agent cannot write its command ledger");
        assertThat(executor.log).doesNotContain("start c1");
    }

    private CommandDispatcher dispatcher(int parallel, int maxQueued) {
        return new CommandDispatcher(executor, new FinishedCommands(dir.resolve("finished.log"), 100), TestLedgers.in(dir), new PauseSwitch(dir), outlet,
                parallel, maxQueued);
    }

    private static Command command(String id, String deployment) {
        return Command.newBuilder().setCommandId(id).setDeploymentId(deployment).setGeneration(1)
                .setApply(ApplyDeployment.newBuilder().setNamespace("apps")).build();
    }
}

package dev.outpost.agent.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.outpost.agent.controls.ApprovalInbox;
import dev.outpost.agent.controls.PauseSwitch;
import dev.outpost.agent.deploy.FakeDeploymentExecutor;
import dev.outpost.agent.ledger.LedgerEntry;
import dev.outpost.agent.ledger.TestLedgers;
import dev.outpost.protocol.v1.AgentMessage;
import dev.outpost.protocol.v1.ApplyDeployment;
import dev.outpost.protocol.v1.Command;
import dev.outpost.protocol.v1.Outcome;
import dev.outpost.protocol.v1.Withdraw;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The customer's approval mode in the dispatcher: hold, approve, reject, withdraw (fake executor and outlet). */
class ApprovalModeTest {
    private final FakeDeploymentExecutor executor = new FakeDeploymentExecutor();
    private final FakeHubOutlet outlet = new FakeHubOutlet();
    @TempDir
    Path dir;
    private ApprovalInbox inbox;
    private CommandDispatcher dispatcher;

    @BeforeEach
    void start() throws Exception {
        inbox = new ApprovalInbox(dir);
        dispatcher = new CommandDispatcher(executor, new FinishedCommands(dir.resolve("finished.log"), 100),
                TestLedgers.in(dir), new PauseSwitch(dir),
                Optional.of(new ApprovalHolds(inbox, outlet, Duration.ofMillis(50))), outlet, 2, 10);
    }

    @AfterEach
    void close() {
        dispatcher.close();
    }

    @Test
    void aHeldCommandRunsOnlyOnceTheCustomerApprovesIt() throws Exception {
        dispatcher.accept(command("cmd_1", "d1"));

        await().until(() -> !inbox.waiting().isEmpty());
        assertThat(inbox.waiting()).singleElement().satisfies(w -> {
            assertThat(w.commandId()).isEqualTo("cmd_1");
            assertThat(w.summary()).contains("deployment d1 generation 1").contains("into namespace apps");
        });
        assertThat(awaitingNotices("cmd_1")).isNotZero();
        assertThat(executor.log).isEmpty();
        assertThat(outlet.results()).isEmpty();

        inbox.approve("cmd_1");

        await().until(() -> outlet.results().size() == 1);
        assertThat(outlet.results().get(0).getOutcome()).isEqualTo(Outcome.OUTCOME_SUCCEEDED);
        assertThat(executor.log).contains("start cmd_1");
        assertThat(inbox.waiting()).isEmpty();
        // the hub is told the hold ended before the result: a progress without awaiting_approval
        assertThat(outlet.sent).filteredOn(m -> m.hasProgress() && m.getProgress().getAwaitingApproval().isEmpty())
                .isNotEmpty();
        assertThat(TestLedgers.in(dir).entries()).extracting(LedgerEntry::event)
                .containsExactly("held", "approved", "received", "finished");
        assertThat(TestLedgers.in(dir).verify().valid()).isTrue();
    }

    @Test
    void aRejectedCommandFailsWithTheCustomersReasonAndNothingRuns() throws Exception {
        dispatcher.accept(command("cmd_1", "d1"));
        await().until(() -> !inbox.waiting().isEmpty());

        inbox.reject("cmd_1", "change freeze until Monday");

        await().until(() -> outlet.results().size() == 1);
        assertThat(outlet.results().get(0).getOutcome()).isEqualTo(Outcome.OUTCOME_FAILED);
        assertThat(outlet.results().get(0).getFailureReason()).startsWith("rejected by the customer on ")
                .endsWith(": change freeze until Monday");
        assertThat(executor.log).isEmpty();
        // sent again by the hub: answered from the stored result, not held again
        dispatcher.accept(command("cmd_1", "d1"));
        await().until(() -> outlet.results().size() == 2);
        assertThat(inbox.waiting()).isEmpty();
        assertThat(TestLedgers.in(dir).entries()).extracting(LedgerEntry::event).containsExactly("held", "finished");
    }

    @Test
    void aCommandSentAgainWhileHeldIsNotHeldTwiceAndTheHubIsToldAgain() throws Exception {
        dispatcher.accept(command("cmd_1", "d1"));
        await().until(() -> awaitingNotices("cmd_1") == 1);

        dispatcher.accept(command("cmd_1", "d1"));

        assertThat(awaitingNotices("cmd_1")).isEqualTo(2);
        assertThat(dispatcher.held()).containsExactly("cmd_1");
        assertThat(TestLedgers.in(dir).entries()).extracting(LedgerEntry::event).containsExactly("held");
    }

    @Test
    void aWithdrawnHeldCommandIsDroppedAndAnsweredSoTheCustomerCannotApproveItAnyMore() throws Exception {
        dispatcher.accept(command("cmd_1", "d1"));
        await().until(() -> !inbox.waiting().isEmpty());

        dispatcher.withdraw(Withdraw.newBuilder().setCommandId("cmd_1").setReason("operation op_1 was cancelled at the hub")
                .build());

        assertThat(outlet.results()).singleElement().satisfies(r -> {
            assertThat(r.getCommandId()).isEqualTo("cmd_1");
            assertThat(r.getOutcome()).isEqualTo(Outcome.OUTCOME_FAILED);
            assertThat(r.getFailureReason()).contains("withdrawn by the hub").contains("op_1 was cancelled");
        });
        assertThat(inbox.waiting()).isEmpty();
        assertThatThrownBy(() -> inbox.approve("cmd_1")).hasMessageContaining("no command 'cmd_1' waits for approval");
        assertThat(dispatcher.held()).isEmpty();
        assertThat(executor.log).isEmpty();
    }

    @Test
    void aWithdrawalOfACommandTheAgentDoesNotHoldIsAnsweredAsNothingCarriedOut() {
        dispatcher.withdraw(Withdraw.newBuilder().setCommandId("cmd_gone").setReason("cancelled").build());

        assertThat(outlet.results()).singleElement().satisfies(r -> {
            assertThat(r.getOutcome()).isEqualTo(Outcome.OUTCOME_FAILED);
            assertThat(r.getFailureReason()).contains("nothing of it was carried out");
        });
    }

    @Test
    void heldCommandsCountAgainstTheQueueBound() {
        for (int i = 0; i < 10; i++) {
            assertThat(dispatcher.accept(command("cmd_" + i, "d" + i))).isTrue();
        }
        assertThat(dispatcher.accept(command("cmd_10", "d10"))).isFalse();
    }

    @Test
    void aCommandWhoseIdCannotNameAFileFailsInsteadOfBeingHeld() {
        dispatcher.accept(command("../escape", "d1"));

        await().until(() -> outlet.results().size() == 1);
        assertThat(outlet.results().get(0).getFailureReason())
                .startsWith("not carried out: the agent cannot hold it for the customer's approval");
        assertThat(dir.getParent().resolve("escape.waiting")).doesNotExist();
    }

    private long awaitingNotices(String commandId) {
        return outlet.sent.stream().filter(AgentMessage::hasProgress).map(AgentMessage::getProgress)
                .filter(p -> p.getCommandId().equals(commandId) && !p.getAwaitingApproval().isEmpty()).count();
    }

    private static Command command(String id, String deployment) {
        return Command.newBuilder().setCommandId(id).setDeploymentId(deployment).setGeneration(1)
                .setApply(ApplyDeployment.newBuilder().setNamespace("apps")).build();
    }
}

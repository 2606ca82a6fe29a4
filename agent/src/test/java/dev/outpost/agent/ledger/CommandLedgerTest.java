package dev.outpost.agent.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.protocol.chain.HashChain;
import dev.outpost.protocol.v1.ApplyDeployment;
import dev.outpost.protocol.v1.Command;
import dev.outpost.protocol.v1.CommandResult;
import dev.outpost.protocol.v1.DeleteDeployment;
import dev.outpost.protocol.v1.Outcome;
import dev.outpost.protocol.v1.Release;
import dev.outpost.protocol.v1.Step;
import dev.outpost.protocol.v1.StepState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's command ledger in a real file: what it records, across restarts, and what its check finds. */
class CommandLedgerTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-06T10:00:00Z"), ZoneOffset.UTC);
    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("command-ledger.jsonl");
    }

    private static Command apply(String id) {
        return Command.newBuilder().setCommandId(id).setDeploymentId("dep-1").setGeneration(3)
                .setApply(ApplyDeployment.newBuilder().setNamespace("shop")
                        .setRelease(Release.newBuilder().setServiceName("redis").setVersion("1.0.0"))
                        .putParameters("password", "hunter2-secret").putParameters("replicas", "2"))
                .build();
    }

    private static CommandResult succeeded() {
        return CommandResult.newBuilder().setOutcome(Outcome.OUTCOME_SUCCEEDED)
                .addSteps(Step.newBuilder().setName("apply").setState(StepState.STEP_STATE_SUCCEEDED)
                        .setMessage("4 objects applied"))
                .build();
    }

    @Test
    void recordsWhatWasAskedAndDoneWithoutParameterValues() throws Exception {
        CommandLedger ledger = CommandLedger.open(file(), CLOCK);
        ledger.received(apply("c1"));
        ledger.finished(apply("c1"), succeeded());

        List<LedgerEntry> entries = ledger.entries();
        assertThat(entries).extracting(LedgerEntry::seq).containsExactly(1L, 2L);
        assertThat(entries.get(0)).extracting(LedgerEntry::event, LedgerEntry::commandId, LedgerEntry::deploymentId,
                LedgerEntry::generation, LedgerEntry::action, LedgerEntry::at)
                .containsExactly("received", "c1", "dep-1", 3L, "apply", "2026-12-06T10:00:00Z");
        assertThat(entries.get(0).detail()).isEqualTo("release redis 1.0.0 into namespace shop; parameters password, "
                + "replicas (values not recorded)");
        assertThat(entries.get(1).detail()).isEqualTo("succeeded; steps: apply succeeded (4 objects applied)");
        assertThat(entries.get(1).prevHash()).isEqualTo(entries.get(0).hash());
        assertThat(Files.readString(file())).doesNotContain("hunter2");
        assertThat(ledger.verify()).isEqualTo(new HashChain.Verdict(true, 2, null, null));
    }

    @Test
    void theChainContinuesAfterARestart() throws Exception {
        CommandLedger first = CommandLedger.open(file(), CLOCK);
        first.received(apply("c1"));
        CommandLedger second = CommandLedger.open(file(), CLOCK);
        second.received(Command.newBuilder().setCommandId("c2").setDeploymentId("dep-1").setGeneration(4)
                .setDelete(DeleteDeployment.newBuilder().setNamespace("shop")).build());

        LedgerEntry last = second.entries().getLast();
        assertThat(last.seq()).isEqualTo(2L);
        assertThat(last.action()).isEqualTo("delete");
        assertThat(last.detail()).isEqualTo("delete from namespace shop");
        assertThat(second.verify().valid()).isTrue();
    }

    @Test
    void anEditedLineIsFoundAtItsEntry() throws Exception {
        CommandLedger ledger = CommandLedger.open(file(), CLOCK);
        ledger.received(apply("c1"));
        ledger.finished(apply("c1"), succeeded());
        ledger.received(apply("c2"));
        List<String> lines = new ArrayList<>(Files.readAllLines(file()));
        lines.set(1, lines.get(1).replace("succeeded; steps", "failed; steps"));
        Files.write(file(), lines);

        HashChain.Verdict verdict = ledger.verify();

        assertThat(verdict.valid()).isFalse();
        assertThat(verdict.brokenAtSeq()).isEqualTo(2L);
        assertThat(verdict.reason()).contains("was changed after it was written");
    }

    @Test
    void aRemovedLineOrACutOffEndIsFound() throws Exception {
        CommandLedger ledger = CommandLedger.open(file(), CLOCK);
        for (String id : List.of("c1", "c2", "c3")) {
            ledger.received(apply(id));
        }
        List<String> lines = Files.readAllLines(file());
        Files.write(file(), List.of(lines.get(0), lines.get(2)));
        assertThat(ledger.verify().reason()).isEqualTo("entry 2 is missing (the next one is 3)");

        Files.write(file(), lines.subList(0, 2));
        assertThat(ledger.verify().reason()).isEqualTo("the log ends at entry 2 but its head says 3: entries were "
                + "removed from the end");
    }

    @Test
    void aLineCutShortByACrashIsRemovedAtOpenAndTheChainGoesOn() throws Exception {
        CommandLedger ledger = CommandLedger.open(file(), CLOCK);
        ledger.received(apply("c1"));
        Files.writeString(file(), "{\"seq\":2,\"at\":\"2026-", StandardCharsets.UTF_8, StandardOpenOption.APPEND);

        CommandLedger reopened = CommandLedger.open(file(), CLOCK);
        reopened.received(apply("c2"));

        assertThat(reopened.entries()).extracting(e -> e.seq() + " " + e.commandId()).containsExactly("1 c1", "2 c2");
        assertThat(reopened.verify().valid()).isTrue();
    }

    @Test
    void aLineThatIsNotAnEntryBreaksTheCheck() throws Exception {
        CommandLedger ledger = CommandLedger.open(file(), CLOCK);
        ledger.received(apply("c1"));
        Files.writeString(file(), "not json\n", StandardOpenOption.APPEND);

        assertThat(ledger.verify().reason()).isEqualTo("line 2 is not a ledger entry");
    }
}

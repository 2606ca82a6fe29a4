package dev.outpost.agent.commands;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.protocol.v1.CommandResult;
import dev.outpost.protocol.v1.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FinishedCommandsTest {
    @TempDir
    Path dir;

    @Test
    void resultsSurviveARestart() {
        Path file = dir.resolve("finished.log");
        new FinishedCommands(file, 10).record(result("c1", Outcome.OUTCOME_FAILED));

        FinishedCommands reopened = new FinishedCommands(file, 10);

        assertThat(reopened.get("c1")).contains(result("c1", Outcome.OUTCOME_FAILED));
        assertThat(reopened.get("c2")).isEmpty();
    }

    @Test
    void keepsOnlyTheNewestAndTheFileStaysBounded() throws Exception {
        Path file = dir.resolve("finished.log");
        FinishedCommands finished = new FinishedCommands(file, 3);
        for (int i = 1; i <= 50; i++) {
            finished.record(result("c" + i, Outcome.OUTCOME_SUCCEEDED));
        }
        long sizeWithAtMostSixEntries = 6L * (result("c50", Outcome.OUTCOME_SUCCEEDED).getSerializedSize() + 1);

        assertThat(finished.get("c47")).isEmpty();
        assertThat(finished.get("c48")).isPresent();
        assertThat(finished.get("c50")).isPresent();
        assertThat(Files.size(file)).isLessThanOrEqualTo(sizeWithAtMostSixEntries);
        FinishedCommands reopened = new FinishedCommands(file, 3);
        assertThat(reopened.get("c47")).isEmpty();
        assertThat(reopened.get("c48")).isPresent();
    }

    @Test
    void aTornLastRecordIsDroppedAndTheRestKept() throws Exception {
        Path file = dir.resolve("finished.log");
        FinishedCommands finished = new FinishedCommands(file, 10);
        finished.record(result("c1", Outcome.OUTCOME_SUCCEEDED));
        Files.write(file, new byte[] {50, 1, 2}, StandardOpenOption.APPEND); // says 50 bytes follow, only 2 do

        FinishedCommands reopened = new FinishedCommands(file, 10);
        reopened.record(result("c2", Outcome.OUTCOME_SUCCEEDED));

        FinishedCommands again = new FinishedCommands(file, 10);
        assertThat(again.get("c1")).isPresent();
        assertThat(again.get("c2")).isPresent();
    }

    private static CommandResult result(String id, Outcome outcome) {
        return CommandResult.newBuilder().setCommandId(id).setOutcome(outcome).setFailureReason("reason " + id).build();
    }
}

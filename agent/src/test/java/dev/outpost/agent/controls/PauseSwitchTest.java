package dev.outpost.agent.controls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.protocol.v1.AgentCondition;
import dev.outpost.protocol.v1.AgentState;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The customer's pause switch in a real state directory, and its command line. */
class PauseSwitchTest {
    private static final AgentCondition READY = AgentCondition.newBuilder().setState(AgentState.AGENT_STATE_READY)
            .setSinceUnixMs(1).build();
    @TempDir
    Path stateDir;

    @Test
    void pauseAndResumeTakeEffectAtOnceAndTheHubIsToldWhy() {
        PauseSwitch pause = new PauseSwitch(stateDir);
        PausedCondition condition = new PausedCondition(pause, () -> READY);
        assertThat(pause.current()).isEmpty();
        assertThat(condition.get()).isEqualTo(READY);

        pause.pause("incident 42: freeze all changes");

        assertThat(pause.current()).hasValueSatisfying(p -> {
            assertThat(p.reason()).isEqualTo("incident 42: freeze all changes");
            assertThat(p.refusal()).startsWith("refused: the customer paused this agent on ")
                    .contains("(incident 42: freeze all changes)");
        });
        assertThat(condition.get().getState()).isEqualTo(AgentState.AGENT_STATE_DEGRADED);
        assertThat(condition.get().getReason()).isEqualTo("paused by the customer: incident 42: freeze all changes");
        assertThat(pause.resume()).isTrue();
        assertThat(pause.current()).isEmpty();
        assertThat(condition.get()).isEqualTo(READY);
        assertThat(pause.resume()).isFalse();
    }

    @Test
    void aReasonMustBeOneBoundedLineAndAHandWrittenFileIsShownEscaped() throws Exception {
        PauseSwitch pause = new PauseSwitch(stateDir);
        assertThatThrownBy(() -> pause.pause("two\nlines")).hasMessageStartingWith("--reason must not contain control");
        assertThatThrownBy(() -> pause.pause("x".repeat(201))).hasMessage("--reason must be at most 200 characters "
                + "(has 201)");

        Files.writeString(stateDir.resolve(PauseSwitch.FILE), "by hand\nFORGED LINE\n");
        assertThat(pause.current().orElseThrow().reason()).isEqualTo("by hand\\u000aFORGED LINE");
        Files.writeString(stateDir.resolve(PauseSwitch.FILE), "");
        assertThat(pause.current().orElseThrow().reason()).isEqualTo("no reason given");
    }

    @Test
    void theCommandLinePausesReportsAndResumes() {
        Map<String, String> env = Map.of("OUTPOST_STATE_DIR", stateDir.toString());
        assertThat(run(env, "pause")).isEqualTo("2 outpost-agent: pause needs --reason, which the vendor sees with "
                + "every refusal");
        assertThat(run(env, "pause", "--reason", "change freeze")).startsWith("0 paused:");
        assertThat(run(env, "status")).startsWith("0 paused since ").endsWith(": change freeze");
        assertThat(run(Map.of(), "resume", "--state-dir", stateDir.toString())).isEqualTo("0 resumed: the agent applies "
                + "commands again");
        assertThat(run(env, "status")).isEqualTo("0 not paused");
        assertThat(run(Map.of(), "status", "--state-dir", stateDir.resolve("nope").toString()))
                .startsWith("2 outpost-agent: ").endsWith("is not the agent's state directory (give --state-dir)");
    }

    private static String run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = ControlsCommandLine.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(out, true, StandardCharsets.UTF_8));
        return code + " " + out.toString(StandardCharsets.UTF_8).strip();
    }
}

package dev.outpost.agent.controls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The approval inbox in a real state directory, and the customer's command line on it. */
class ApprovalInboxTest {
    @TempDir
    Path stateDir;

    @Test
    void theCustomerListsApprovesAndRejectsHeldCommandsFromTheCommandLine() {
        ApprovalInbox agent = new ApprovalInbox(stateDir);
        Map<String, String> env = Map.of("OUTPOST_STATE_DIR", stateDir.toString());
        assertThat(run(env, "approvals")).isEqualTo("0 no command waits for approval");

        agent.waiting("cmd_1", "deployment d1 generation 2: release redis 2.0.0 into namespace apps");
        agent.waiting("cmd_2", "deployment d2 generation 1: delete from namespace apps");

        assertThat(run(env, "approvals")).startsWith("0 cmd_1  held since ")
                .contains("release redis 2.0.0 into namespace apps").contains("\ncmd_2  held since ");
        assertThat(run(env, "approve", "cmd_1")).isEqualTo("0 approved: the agent carries out cmd_1 within seconds");
        assertThat(agent.decision("cmd_1")).hasValueSatisfying(d -> assertThat(d.approved()).isTrue());
        assertThat(run(env, "approve", "cmd_1")).isEqualTo("2 outpost-agent: command cmd_1 is decided already");

        assertThat(run(env, "reject", "cmd_2")).startsWith("2 outpost-agent: reject needs --reason");
        assertThat(run(env, "reject", "cmd_2", "--reason", "not during the audit")).startsWith("0 rejected:");
        assertThat(agent.decision("cmd_2")).hasValueSatisfying(d -> {
            assertThat(d.approved()).isFalse();
            assertThat(d.reason()).isEqualTo("not during the audit");
        });
        assertThat(run(env, "approvals")).isEqualTo("0 no command waits for approval");

        agent.forget("cmd_1");
        assertThat(agent.decision("cmd_1")).isEmpty();
    }

    @Test
    void onlyAWaitingCommandCanBeDecidedAndTheCommandLineSaysWhatIsMissing() {
        Map<String, String> env = Map.of("OUTPOST_STATE_DIR", stateDir.toString());
        assertThat(run(env, "approve", "cmd_9")).isEqualTo("2 outpost-agent: no command 'cmd_9' waits for approval "
                + "(outpost-agent approvals lists those that do)");
        assertThat(run(env, "approve", "../../etc/passwd")).startsWith("2 outpost-agent: no command '../../etc/passwd' "
                + "waits for approval");
        assertThat(run(env, "approve")).isEqualTo("2 outpost-agent: approve needs the COMMAND-ID (outpost-agent "
                + "approvals lists the held ones)");
        assertThat(run(env, "approvals", "cmd_1")).isEqualTo("2 outpost-agent: approvals takes no COMMAND-ID");
        new ApprovalInbox(stateDir).waiting("cmd_1", "x");
        assertThatThrownBy(() -> new ApprovalInbox(stateDir).reject("cmd_1", "two\nlines"))
                .hasMessageStartingWith("--reason must not contain control");
    }

    private static String run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = ControlsCommandLine.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(out, true, StandardCharsets.UTF_8));
        return code + " " + out.toString(StandardCharsets.UTF_8).strip();
    }
}

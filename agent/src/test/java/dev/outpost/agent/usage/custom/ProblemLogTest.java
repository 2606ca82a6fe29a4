package dev.outpost.agent.usage.custom;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProblemLogTest {

    @Test
    void aLastingProblemIsLoggedOnceAndAgainOnlyAfterItWentAway() {
        ProblemLog log = new ProblemLog();

        assertThat(log.fresh("dep-a", List.of("pod web-0: no answer"))).containsExactly("pod web-0: no answer");
        assertThat(log.fresh("dep-a", List.of("pod web-0: no answer", "pod web-1: no answer")))
                .containsExactly("pod web-1: no answer");
        assertThat(log.fresh("dep-b", List.of("pod web-0: no answer"))).containsExactly("pod web-0: no answer");
        assertThat(log.fresh("dep-a", List.of())).isEmpty();
        assertThat(log.fresh("dep-a", List.of("pod web-0: no answer"))).containsExactly("pod web-0: no answer");

        log.retain(List.of("dep-a"));
        assertThat(log.fresh("dep-b", List.of("pod web-0: no answer"))).as("dep-b was forgotten").hasSize(1);
    }
}

package dev.outpost.agent.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.protocol.v1.AgentState;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClusterConditionTest {
    private static final ClusterPreflight.Result READY = result();
    private static final ClusterPreflight.Result DOWN = result("the API server at https://x does not answer");

    @Test
    void sinceIsWhenTheStateBeganAndLongReasonsAreCut() {
        MutableClock clock = new MutableClock();
        Deque<ClusterPreflight.Result> checks = new ArrayDeque<>(List.of(DOWN, DOWN,
                result("x".repeat(600), "second"), READY));
        ClusterCondition condition = new ClusterCondition(READY, checks::removeFirst, clock);
        assertThat(condition.get().getState()).isEqualTo(AgentState.AGENT_STATE_READY);
        assertThat(condition.get().getReason()).isEmpty();

        clock.now = clock.now.plusSeconds(30);
        condition.recheck();
        assertThat(condition.get().getState()).isEqualTo(AgentState.AGENT_STATE_DEGRADED);
        assertThat(condition.get().getReason()).isEqualTo("the API server at https://x does not answer");
        long degradedSince = condition.get().getSinceUnixMs();
        assertThat(degradedSince).isEqualTo(clock.now.toEpochMilli());

        clock.now = clock.now.plusSeconds(30);
        condition.recheck();
        condition.recheck();
        assertThat(condition.get().getSinceUnixMs()).isEqualTo(degradedSince);
        assertThat(condition.get().getReason()).hasSize(ClusterCondition.MAX_REASON_CHARS).endsWith("…");

        condition.recheck();
        assertThat(condition.get().getState()).isEqualTo(AgentState.AGENT_STATE_READY);
        assertThat(condition.get().getSinceUnixMs()).isEqualTo(clock.now.toEpochMilli());
        condition.close();
    }

    @Test
    void controlCharactersInAReasonBecomeSpaces() {
        ClusterCondition condition = new ClusterCondition(result("forbidden:\n\u202Eevil\u0000 "), () -> READY, new MutableClock());
        assertThat(condition.get().getReason()).isEqualTo("forbidden:  evil");
        condition.close();
    }

    @Test
    void aCheckThatThrowsIsDegradedNotAnEscapedException() {
        ClusterCondition condition = new ClusterCondition(READY, () -> {
            throw new IllegalStateException("boom");
        }, new MutableClock());
        condition.recheck();
        assertThat(condition.get().getState()).isEqualTo(AgentState.AGENT_STATE_DEGRADED);
        assertThat(condition.get().getReason()).isEqualTo("cannot check the cluster: IllegalStateException: boom");
        condition.close();
    }

    private static ClusterPreflight.Result result(String... problems) {
        return new ClusterPreflight.Result("https://x", Optional.of("v1.36.0"), Optional.empty(), List.of(problems));
    }

    private static final class MutableClock extends Clock {
        Instant now = Instant.parse("2026-12-03T06:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}

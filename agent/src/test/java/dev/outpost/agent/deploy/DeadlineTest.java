package dev.outpost.agent.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class DeadlineTest {
    private static final Clock STILL = Clock.fixed(Instant.parse("2026-12-03T18:00:00Z"), ZoneOffset.UTC);

    @Test
    void pausesStartShortAndDoubleUpToThePollInterval() {
        Deadline deadline = new Deadline(STILL, Duration.ofSeconds(30), Duration.ofMillis(500));

        assertThat(LongStream.range(0, 6).map(i -> deadline.nextPauseMillis()).toArray())
                .containsExactly(100, 200, 400, 500, 500, 500);
    }

    @Test
    void aPauseNeverOutlastsTheBudget() {
        Deadline deadline = new Deadline(STILL, Duration.ofMillis(150), Duration.ofMillis(500));

        deadline.nextPauseMillis();
        assertThat(deadline.nextPauseMillis()).isEqualTo(150);
    }

    @Test
    void aPollIntervalBelowTheFirstPauseIsKept() {
        Deadline deadline = new Deadline(STILL, Duration.ofSeconds(30), Duration.ofMillis(20));

        assertThat(deadline.nextPauseMillis()).isEqualTo(20);
        assertThat(deadline.nextPauseMillis()).isEqualTo(20);
    }

    @Test
    void theDeadlinePassesOnceTheBudgetIsSlept() throws InterruptedException {
        Deadline deadline = new Deadline(Clock.systemUTC(), Duration.ofMillis(150), Duration.ofMillis(500));

        deadline.pause();
        deadline.pause();

        assertThat(deadline.passed()).isTrue();
    }
}

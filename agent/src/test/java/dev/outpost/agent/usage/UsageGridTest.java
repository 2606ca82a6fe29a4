package dev.outpost.agent.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class UsageGridTest {
    private static final long MINUTE = 60_000;
    private final UsageGrid grid = new UsageGrid(Duration.ofMinutes(1));

    @Test
    void windowsSitOnTheGridOfTheInterval() {
        long t = 1_700_000_000_000L; // 22:13:20.000 UTC, not on a minute
        long end = grid.lastEndedWindowEnd(t);
        assertThat(end % MINUTE).isZero();
        assertThat(end).isLessThanOrEqualTo(t).isGreaterThan(t - MINUTE);
        assertThat(grid.nextWindowEnd(t)).isEqualTo(end + MINUTE);
        // exactly on a boundary the window ending there has ended
        assertThat(grid.lastEndedWindowEnd(end)).isEqualTo(end);
        assertThat(grid.lastEndedWindowEnd(end - 1)).isEqualTo(end - MINUTE);
    }

    @Test
    void firstStartMeasuresOnlyTheLatestEndedWindow() {
        long now = 10 * MINUTE + 5_000;
        assertThat(grid.due(OptionalLong.empty(), now, Duration.ofHours(1)))
                .containsExactly(new UsageWindow(9 * MINUTE, 10 * MINUTE));
    }

    @Test
    void measuresEveryMissedWindowSinceTheLastOne() {
        long now = 10 * MINUTE + 5_000;
        assertThat(grid.due(OptionalLong.of(7 * MINUTE), now, Duration.ofHours(1))).containsExactly(
                new UsageWindow(7 * MINUTE, 8 * MINUTE), new UsageWindow(8 * MINUTE, 9 * MINUTE),
                new UsageWindow(9 * MINUTE, 10 * MINUTE));
        // nothing is due twice
        assertThat(grid.due(OptionalLong.of(10 * MINUTE), now, Duration.ofHours(1))).isEmpty();
    }

    @Test
    void catchUpIsCappedAndZeroMeasuresOnlyTheLatestWindow() {
        long now = 300 * MINUTE;
        assertThat(grid.due(OptionalLong.of(100 * MINUTE), now, Duration.ofHours(1)))
                .hasSize(60)
                .startsWith(new UsageWindow(240 * MINUTE, 241 * MINUTE))
                .endsWith(new UsageWindow(299 * MINUTE, 300 * MINUTE));
        assertThat(grid.due(OptionalLong.of(100 * MINUTE), now, Duration.ZERO))
                .containsExactly(new UsageWindow(299 * MINUTE, 300 * MINUTE));
    }

    @Test
    void aClockThatWentBackMeasuresNothing() {
        assertThat(grid.due(OptionalLong.of(50 * MINUTE), 40 * MINUTE, Duration.ofHours(1))).isEmpty();
    }

    @Test
    void aLastEndOffTheGridAfterAnIntervalChangeContinuesOnTheGrid() {
        UsageGrid fiveMinutes = new UsageGrid(Duration.ofMinutes(5));
        assertThat(fiveMinutes.due(OptionalLong.of(7 * MINUTE), 16 * MINUTE, Duration.ofHours(1))).containsExactly(
                new UsageWindow(5 * MINUTE, 10 * MINUTE), new UsageWindow(10 * MINUTE, 15 * MINUTE));
    }

    @Test
    void intervalsMustBeFromOneSecondToOneHourAndDivideAnHour() {
        assertThat(UsageGrid.problem(Duration.ofSeconds(1))).isNull();
        assertThat(UsageGrid.problem(Duration.ofSeconds(15))).isNull();
        assertThat(UsageGrid.problem(Duration.ofHours(1))).isNull();
        assertThat(UsageGrid.problem(Duration.ofMillis(500))).contains("from 1s to 1h");
        assertThat(UsageGrid.problem(Duration.ofMinutes(61))).contains("from 1s to 1h");
        assertThat(UsageGrid.problem(Duration.ofSeconds(7))).contains("divide 1 hour evenly");
        assertThat(UsageGrid.problem(Duration.ofMillis(1001))).contains("divide 1 hour evenly");
        assertThatThrownBy(() -> new UsageGrid(Duration.ofSeconds(7))).isInstanceOf(IllegalArgumentException.class);
    }
}

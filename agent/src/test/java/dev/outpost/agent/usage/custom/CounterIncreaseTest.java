package dev.outpost.agent.usage.custom;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CounterIncreaseTest {
    private static final Optional<CounterBaseline> AT_100 = Optional.of(CounterBaseline.of(new BigDecimal("100"), 0));

    @Test
    void aGrowingCounterIsBilledTheDifference() {
        assertThat(CounterIncrease.of(AT_100, new BigDecimal("130.5"), 0, false)).isEqualByComparingTo("30.5");
        assertThat(CounterIncrease.of(AT_100, new BigDecimal("100"), 0, false)).isEqualByComparingTo("0");
    }

    @Test
    void aCounterThatWentDownWasResetAndIsBilledFromZero() {
        assertThat(CounterIncrease.of(AT_100, new BigDecimal("12"), 0, false)).isEqualByComparingTo("12");
    }

    @Test
    void aContainerRestartIsAResetEvenWhenTheCounterClimbedPastItsOldValue() {
        assertThat(CounterIncrease.of(AT_100, new BigDecimal("140"), 1, false)).isEqualByComparingTo("140");
    }

    @Test
    void withoutABaselineOnlyAPodStartedSinceTheLastScrapeIsBilledItsWholeValue() {
        assertThat(CounterIncrease.of(Optional.empty(), new BigDecimal("40"), 0, true)).isEqualByComparingTo("40");
        assertThat(CounterIncrease.of(Optional.empty(), new BigDecimal("40"), 0, false)).isEqualByComparingTo("0");
    }
}

package dev.outpost.agent.drift;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class HealLimiterTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    /** Jitter always at its top: the delay is the full doubled delay. */
    private final HealLimiter limiter = new HealLimiter(clock, 3, Duration.ofSeconds(2), Duration.ofSeconds(30),
            Duration.ofMinutes(10), () -> 1.0);

    @Test
    void theFirstHealIsImmediateAndEachNextWaitsTwiceAsLong() {
        assertThat(limiter.decide("a")).isInstanceOf(HealLimiter.Decision.HealNow.class);
        limiter.healed("a");
        assertThat(limiter.decide("a")).isEqualTo(new HealLimiter.Decision.WaitUntil(clock.instant().plusSeconds(2)));

        clock.advance(Duration.ofSeconds(2));
        assertThat(limiter.decide("a")).isInstanceOf(HealLimiter.Decision.HealNow.class);
        limiter.healed("a");
        assertThat(limiter.decide("a")).isEqualTo(new HealLimiter.Decision.WaitUntil(clock.instant().plusSeconds(4)));
    }

    @Test
    void givesUpAfterTheMostHealsUntilReset() {
        for (int i = 0; i < 3; i++) {
            clock.advance(Duration.ofSeconds(30));
            assertThat(limiter.decide("a")).isInstanceOf(HealLimiter.Decision.HealNow.class);
            limiter.healed("a");
        }
        clock.advance(Duration.ofSeconds(30));
        assertThat(limiter.decide("a")).isEqualTo(new HealLimiter.Decision.GiveUp(3));
        assertThat(limiter.decide("b")).isInstanceOf(HealLimiter.Decision.HealNow.class);

        limiter.reset("a");
        assertThat(limiter.decide("a")).isInstanceOf(HealLimiter.Decision.HealNow.class);
    }

    @Test
    void aLongQuietSpellStartsTheCountAgain() {
        for (int i = 0; i < 3; i++) {
            limiter.healed("a");
        }
        clock.advance(Duration.ofMinutes(10));
        assertThat(limiter.decide("a")).isInstanceOf(HealLimiter.Decision.HealNow.class);
    }

    @Test
    void jitterShortensTheWaitByAtMostHalf() {
        HealLimiter lowJitter = new HealLimiter(clock, 3, Duration.ofSeconds(2), Duration.ofSeconds(30),
                Duration.ofMinutes(10), () -> 0.0);
        lowJitter.healed("a");
        assertThat(lowJitter.decide("a")).isEqualTo(new HealLimiter.Decision.WaitUntil(clock.instant().plusSeconds(1)));
    }

    @Test
    void resetAllForgetsEveryKeyWithThePrefix() {
        limiter.healed("apps/StatefulSet/ns/a");
        limiter.healed("apps/StatefulSet/ns/b");
        limiter.healed("/ConfigMap/other/c");
        limiter.resetAll("apps/");
        assertThat(limiter.decide("apps/StatefulSet/ns/a")).isInstanceOf(HealLimiter.Decision.HealNow.class);
        assertThat(limiter.decide("/ConfigMap/other/c")).isInstanceOf(HealLimiter.Decision.WaitUntil.class);
    }
}

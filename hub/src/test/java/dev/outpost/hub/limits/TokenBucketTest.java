package dev.outpost.hub.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.hub.testsupport.SteppingClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TokenBucketTest {
    private final SteppingClock clock = new SteppingClock(Instant.parse("2026-12-03T06:00:00Z"));

    @Test
    void aBurstIsAllowedThenTheRateRefillsIt() {
        TokenBucket bucket = new TokenBucket(clock, 5, 2);

        for (int i = 0; i < 5; i++) {
            assertThat(bucket.tryTake()).as("take %d of the burst", i).isTrue();
        }
        assertThat(bucket.tryTake()).isFalse();

        assertThat(bucket.untilNext()).isEqualTo(Duration.ofMillis(500));
        clock.advance(Duration.ofMillis(500)); // one token at 2 per second
        assertThat(bucket.hasToken()).isTrue();
        assertThat(bucket.tryTake()).isTrue();
        assertThat(bucket.tryTake()).isFalse();

        clock.advance(Duration.ofHours(1)); // refills to the burst, no more
        for (int i = 0; i < 5; i++) {
            assertThat(bucket.tryTake()).isTrue();
        }
        assertThat(bucket.tryTake()).isFalse();
    }
}

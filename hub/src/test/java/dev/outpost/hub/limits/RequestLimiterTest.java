package dev.outpost.hub.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.hub.testsupport.FixedRateLimits;
import dev.outpost.hub.testsupport.SteppingClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RequestLimiterTest {
    private final SteppingClock clock = new SteppingClock(Instant.parse("2026-12-06T10:00:00Z"));

    /** 2/s with a burst of 3 per token, 3/s burst 4 per tenant, 0.5/s burst 2 per address, 1/s burst 2 enrolments. */
    private static RateLimitConfig config(boolean enabled) {
        return config(enabled, 2);
    }

    private static RateLimitConfig config(boolean enabled, double perToken) {
        return new FixedRateLimits(enabled, perToken, 3, 3, 4, 0.5, 2, 1, 2);
    }

    @Test
    void aTokenGetsItsBurstThenWaitsForItsRate() {
        RequestLimiter limiter = new RequestLimiter(config(true), clock);
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.admit("tok_a", null)).isEmpty();
        }
        assertThat(limiter.admit("tok_a", null)).contains(Duration.ofMillis(500));
        assertThat(limiter.admit("tok_b", null)).as("another token has its own bucket").isEmpty();

        clock.advance(Duration.ofMillis(500));
        assertThat(limiter.admit("tok_a", null)).isEmpty();
    }

    @Test
    void aTenantsTokensShareTheTenantsBucketAndARefusalCostsNothing() {
        RequestLimiter limiter = new RequestLimiter(config(true), clock);
        assertThat(limiter.admit("tok_1", "ten_x")).isEmpty();
        assertThat(limiter.admit("tok_1", "ten_x")).isEmpty();
        assertThat(limiter.admit("tok_2", "ten_x")).isEmpty();
        assertThat(limiter.admit("tok_2", "ten_x")).isEmpty();
        Optional<Duration> refused = limiter.admit("tok_3", "ten_x");
        assertThat(refused).contains(Duration.ofMillis(334));
        assertThat(limiter.admit("tok_3", "ten_y")).as("another tenant").isEmpty();

        clock.advance(Duration.ofMillis(334));
        // tok_3's own bucket was not charged for the refusal: it still has its whole burst
        assertThat(limiter.admit("tok_3", "ten_x")).isEmpty();
    }

    @Test
    void anAddressWithTooManyBadTokensIsRefusedUntilItsBucketRefills() {
        RequestLimiter limiter = new RequestLimiter(config(true), clock);
        limiter.failedFrom("10.0.0.9");
        assertThat(limiter.refusedAddress("10.0.0.9")).isEmpty();
        limiter.failedFrom("10.0.0.9");

        assertThat(limiter.refusedAddress("10.0.0.9")).contains(Duration.ofSeconds(2));
        assertThat(limiter.refusedAddress("10.0.0.10")).isEmpty();
        clock.advance(Duration.ofSeconds(2));
        assertThat(limiter.refusedAddress("10.0.0.9")).isEmpty();
    }

    @Test
    void offMeansNeverRefusedAndBadSettingsAreRefusedAtStart() {
        RequestLimiter off = new RequestLimiter(config(false), clock);
        for (int i = 0; i < 100; i++) {
            assertThat(off.admit("tok_a", "ten_x")).isEmpty();
            off.failedFrom("10.0.0.9");
        }
        assertThat(off.refusedAddress("10.0.0.9")).isEmpty();

        RateLimitConfig zero = config(true, 0);
        assertThatThrownBy(() -> new RequestLimiter(zero, clock)).hasMessageStartingWith("outpost.rate-limits:");
    }

    @Test
    void bucketsAreBoundedLeastRecentlyUsedFirst() {
        RequestLimiter limiter = new RequestLimiter(config(true), clock);
        for (int i = 0; i < 3; i++) {
            limiter.admit("tok_first", null);
        }
        assertThat(limiter.admit("tok_first", null)).isPresent();
        for (int i = 0; i < RequestLimiter.MAX_KEYS; i++) {
            limiter.admit("tok_" + i, null);
        }
        assertThat(limiter.admit("tok_first", null)).as("dropped, so full again").isEmpty();
    }

    @Test
    void anAddressGetsItsBurstOfEnrolmentsThenWaitsAndOtherAddressesAreNotHeldUp() {
        RequestLimiter limiter = new RequestLimiter(config(true), clock);
        assertThat(limiter.enrolmentFrom("10.0.0.1")).isEmpty();
        assertThat(limiter.enrolmentFrom("10.0.0.1")).isEmpty();

        assertThat(limiter.enrolmentFrom("10.0.0.1")).contains(Duration.ofSeconds(1));
        assertThat(limiter.enrolmentFrom("10.0.0.2")).isEmpty();
        clock.advance(Duration.ofSeconds(1));
        assertThat(limiter.enrolmentFrom("10.0.0.1")).isEmpty();
        assertThat(new RequestLimiter(config(false), clock).enrolmentFrom("10.0.0.1")).isEmpty();
    }
}

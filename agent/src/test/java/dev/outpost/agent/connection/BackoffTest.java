package dev.outpost.agent.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void ceilingDoublesFromTheBaseUpToTheCap() {
        Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60));
        assertThat(backoff.ceilingMillis(0)).isEqualTo(1000);
        assertThat(backoff.ceilingMillis(1)).isEqualTo(2000);
        assertThat(backoff.ceilingMillis(5)).isEqualTo(32000);
        assertThat(backoff.ceilingMillis(6)).isEqualTo(60000);
        assertThat(backoff.ceilingMillis(1000)).isEqualTo(60000);
    }

    @Test
    void waitsAreFullJitterBelowTheCeiling() {
        Backoff highest = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), () -> 0.999);
        assertThat(highest.next()).isEqualTo(Duration.ofMillis(999));
        assertThat(highest.next()).isEqualTo(Duration.ofMillis(1998));
        assertThat(highest.next()).isEqualTo(Duration.ofMillis(3996));

        Backoff lowest = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), () -> 0.0);
        assertThat(lowest.next()).isZero();
    }

    @Test
    void resetStartsOverAndManyAttemptsStayAtTheCap() {
        Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), () -> 0.5);
        for (int i = 0; i < 100; i++) {
            backoff.next();
        }
        assertThat(backoff.next()).isEqualTo(Duration.ofSeconds(30));
        backoff.reset();
        assertThat(backoff.next()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void refusesANonsensicalRange() {
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

package dev.outpost.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Metadata;
import io.grpc.Status;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BusyRetryTest {

    @Test
    void aBusyAnswerCarriesItsDelay() {
        Metadata trailers = BusyRetry.trailers(Duration.ofMillis(2500));

        assertThat(BusyRetry.requested(Status.RESOURCE_EXHAUSTED, trailers)).contains(Duration.ofMillis(2500));
    }

    @Test
    void onlyResourceExhaustedWithANumberAsksForADelay() {
        Metadata garbage = new Metadata();
        garbage.put(BusyRetry.RETRY_AFTER_MS, "-5");

        assertThat(BusyRetry.requested(Status.UNAVAILABLE, BusyRetry.trailers(Duration.ofSeconds(1)))).isEmpty();
        assertThat(BusyRetry.requested(Status.RESOURCE_EXHAUSTED, new Metadata())).isEmpty();
        assertThat(BusyRetry.requested(Status.RESOURCE_EXHAUSTED, garbage)).isEmpty();
        assertThat(BusyRetry.requested(Status.RESOURCE_EXHAUSTED, null)).isEmpty();
    }

    @Test
    void aHubCannotParkAnAgentForLong() {
        Metadata trailers = BusyRetry.trailers(Duration.ofDays(3));

        assertThat(BusyRetry.requested(Status.RESOURCE_EXHAUSTED, trailers)).contains(BusyRetry.MAX_RETRY_AFTER);
    }

    @Test
    void theWaitIsSpreadOverOneMoreDelay() {
        Duration delay = Duration.ofSeconds(4);

        assertThat(BusyRetry.spread(delay, 0)).isEqualTo(delay);
        assertThat(BusyRetry.spread(delay, 0.5)).isEqualTo(Duration.ofSeconds(6));
        assertThat(BusyRetry.spread(delay, 1.0)).isLessThan(Duration.ofSeconds(8));
    }
}

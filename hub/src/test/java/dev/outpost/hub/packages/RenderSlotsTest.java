package dev.outpost.hub.packages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.hub.api.ApiException;
import dev.outpost.hub.config.HubConfig;
import io.micronaut.http.HttpStatus;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RenderSlotsTest {

    @Test
    void beyondTheLimitARequestWaitsForAFreedSlot() throws Exception {
        RenderSlots slots = new RenderSlots(config(1));
        RenderSlots.Slot first = slots.take("the first");

        CompletableFuture<Boolean> second = CompletableFuture.supplyAsync(() -> {
            try (RenderSlots.Slot slot = slots.take("the second")) {
                return true;
            }
        });
        assertThat(second).isNotDone();
        first.close();

        assertThat(second.get(5, TimeUnit.SECONDS)).isTrue();
        // both slots were given back: another request gets one at once
        slots.take("the third").close();
    }

    @Test
    void aRequestThatWaitedInVainIsToldToRetry() {
        RenderSlots slots = new RenderSlots(config(1));
        slots.take("the first");
        Thread.currentThread().interrupt(); // stands in for the 30 s wait running out, without waiting 30 s

        assertThatThrownBy(() -> slots.take("inspecting this package")).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status().getCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE.getCode());
            assertThat(e.getMessage()).isEqualTo("the hub is busy rendering 1 packages (outpost.max-concurrent-package-renders)"
                    + " and inspecting this package waited 30 s for its turn; nothing was done: retry in a few seconds");
        });
        assertThat(Thread.interrupted()).isTrue();
    }

    private static HubConfig config(int renders) {
        HubConfig config = new HubConfig();
        config.setMaxConcurrentPackageRenders(renders);
        return config;
    }
}

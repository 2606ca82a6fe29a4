package dev.outpost.hub.packages;

import dev.outpost.hub.api.ApiException;
import dev.outpost.hub.config.HubConfig;
import io.micronaut.http.HttpStatus;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Bounds how many packages the hub unpacks and renders at once (an inspection or a plan: up to 100 MiB
 * unpacked and a Helm process each), outpost.max-concurrent-package-renders. Beyond it a request waits
 * in order for at most {@link #WAIT}, then gets 503, and may be retried: nothing was done for it.
 */
@Singleton
public class RenderSlots {
    /** Longest a request waits for a slot. */
    public static final Duration WAIT = Duration.ofSeconds(30);
    private final Semaphore slots;
    private final int size;

    public RenderSlots(HubConfig config) {
        this.size = config.getMaxConcurrentPackageRenders();
        this.slots = new Semaphore(size, true);
    }

    /** A slot held until closed. */
    public interface Slot extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Takes a slot for {@code what} (e.g. "inspecting the package").
     *
     * @throws ApiException 503 when none frees up within {@link #WAIT}
     */
    public Slot take(String what) {
        boolean taken;
        try {
            taken = slots.tryAcquire(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            taken = false;
        }
        if (!taken) {
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "the hub is busy rendering " + size
                    + " packages (outpost.max-concurrent-package-renders) and " + what + " waited "
                    + WAIT.toSeconds() + " s for its turn; nothing was done: retry in a few seconds");
        }
        return slots::release;
    }
}

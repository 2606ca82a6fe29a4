package dev.outpost.hub.config;

import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.ZoneOffset;

/** The one clock the hub reads time from, so tests can replace it. */
@Factory
public class ClockFactory {

    /**
     * UTC system clock in whole milliseconds, so a timestamp the API returns at once is the same as the
     * one it returns after a round trip through either database.
     */
    @Singleton
    public Clock clock() {
        return Clock.tickMillis(ZoneOffset.UTC);
    }
}

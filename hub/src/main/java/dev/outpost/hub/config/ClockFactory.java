package dev.outpost.hub.config;

import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import java.time.Clock;

/** The one clock the hub reads time from, so tests can replace it. */
@Factory
public class ClockFactory {

    /** UTC system clock. */
    @Singleton
    public Clock clock() {
        return Clock.systemUTC();
    }
}

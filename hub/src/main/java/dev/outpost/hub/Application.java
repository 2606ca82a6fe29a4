package dev.outpost.hub;

import io.micronaut.runtime.Micronaut;

/** Starts the Outpost hub: REST API, agent gateway and background jobs. */
public final class Application {
    private Application() {
    }

    public static void main(String[] args) {
        Micronaut.build(args).mainClass(Application.class).banner(false).start();
    }
}

package dev.outpost.hub;

import io.micronaut.runtime.Micronaut;

/**
 * Starts the Outpost hub: REST API, agent gateway and background jobs. The REST API's contract is the
 * hand-written OpenAPI document in resources/openapi/outpost-api-v1.yaml.
 */
public final class Application {
    private Application() {
    }

    public static void main(String[] args) {
        Micronaut.build(args).mainClass(Application.class).banner(false).start();
    }
}

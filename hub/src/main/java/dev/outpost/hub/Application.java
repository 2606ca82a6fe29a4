package dev.outpost.hub;

import dev.outpost.hub.pki.CaCommandLine;
import io.micronaut.runtime.Micronaut;

/**
 * Starts the Outpost hub: REST API, agent gateway and background jobs. The REST API's contract is the
 * hand-written OpenAPI document in resources/openapi/outpost-api-v1.yaml.
 */
public final class Application {
    private Application() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("ca")) {
            // The CA rollover steps work on the files alone: no server, no database.
            System.exit(CaCommandLine.run(java.util.Arrays.copyOfRange(args, 1, args.length), System.getenv(),
                    System.out, System.err, java.time.Clock.systemUTC()));
        }
        Micronaut.build(args).mainClass(Application.class).banner(false).start();
    }
}

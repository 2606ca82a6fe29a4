package dev.outpost.hub;

import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.Map;

/** What the hub does with agents' reports, on the embedded H2 database (the default). */
@MicronautTest
class AgentReportsH2IT extends AbstractAgentReportsIT {

    @Override
    Map<String, String> databaseProperties() {
        return Map.of();
    }
}

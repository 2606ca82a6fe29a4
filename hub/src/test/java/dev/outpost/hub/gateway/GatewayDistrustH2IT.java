package dev.outpost.hub.gateway;

import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.Map;

/** The gateway's distrust of agents, on the embedded H2 database (the default). */
@MicronautTest
class GatewayDistrustH2IT extends AbstractGatewayDistrustIT {

    @Override
    Map<String, String> databaseProperties() {
        return Map.of();
    }
}

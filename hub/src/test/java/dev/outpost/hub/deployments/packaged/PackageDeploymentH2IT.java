package dev.outpost.hub.deployments.packaged;

import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.Map;

/** Package deployments on the embedded H2 database (the default). */
@MicronautTest
class PackageDeploymentH2IT extends AbstractPackageDeploymentIT {

    @Override
    Map<String, String> databaseProperties() {
        return Map.of();
    }
}

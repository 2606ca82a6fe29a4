package dev.outpost.hub.gateway;

import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.Map;

/** Certificate renewal on the embedded H2 database (the default). */
@MicronautTest
class CertificateRenewalH2IT extends AbstractCertificateRenewalIT {

    @Override
    Map<String, String> databaseProperties() {
        return Map.of();
    }
}

package dev.outpost.hub.audit;

import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.Map;

/** The audit log on embedded H2. */
@MicronautTest
class AuditLogH2IT extends AbstractAuditLogIT {
    @Override
    Map<String, String> databaseProperties() {
        return Map.of();
    }
}

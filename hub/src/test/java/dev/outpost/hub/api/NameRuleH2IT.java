package dev.outpost.hub.api;

import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.Map;

/** The name rule on the embedded H2 database, whose varchar counts UTF-16 units. */
@MicronautTest
class NameRuleH2IT extends AbstractNameRuleIT {

    @Override
    Map<String, String> databaseProperties() {
        return Map.of();
    }
}

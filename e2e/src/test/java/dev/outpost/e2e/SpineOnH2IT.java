package dev.outpost.e2e;

import dev.outpost.e2e.support.TestDatabase;

/** The spine scenario with the hub on its embedded H2 default. */
class SpineOnH2IT extends SpineScenario {
    @Override
    TestDatabase database() {
        return TestDatabase.embeddedH2();
    }
}

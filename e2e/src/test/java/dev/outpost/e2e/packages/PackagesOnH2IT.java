package dev.outpost.e2e.packages;

import dev.outpost.e2e.support.TestDatabase;

/** The package scenarios with the hub on its embedded H2 default. */
class PackagesOnH2IT extends PackageScenarios {
    @Override
    TestDatabase database() {
        return TestDatabase.embeddedH2();
    }
}

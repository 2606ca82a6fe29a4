package dev.outpost.e2e.packages;

import dev.outpost.e2e.support.TestDatabase;

/** The package contract scenarios with the hub on its embedded H2 default. */
class PackageContractOnH2IT extends PackageContractScenarios {
    @Override
    TestDatabase database() {
        return TestDatabase.embeddedH2();
    }
}

package dev.outpost.e2e.packages;

import dev.outpost.e2e.support.TestDatabase;

/** The package contract scenarios with the hub on PostgreSQL, as in production. */
class PackageContractOnPostgresIT extends PackageContractScenarios {
    @Override
    TestDatabase database() {
        return TestDatabase.freshPostgres();
    }
}

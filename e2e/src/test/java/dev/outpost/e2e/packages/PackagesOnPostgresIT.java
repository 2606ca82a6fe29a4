package dev.outpost.e2e.packages;

import dev.outpost.e2e.support.TestDatabase;

/** The package scenarios with the hub on PostgreSQL, as in production. */
class PackagesOnPostgresIT extends PackageScenarios {
    @Override
    TestDatabase database() {
        return TestDatabase.freshPostgres();
    }
}

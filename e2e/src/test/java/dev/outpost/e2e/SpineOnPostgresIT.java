package dev.outpost.e2e;

import dev.outpost.e2e.support.TestDatabase;

/** The spine scenario with the hub on PostgreSQL, as in production. */
class SpineOnPostgresIT extends SpineScenario {
    @Override
    TestDatabase database() {
        return TestDatabase.freshPostgres();
    }
}

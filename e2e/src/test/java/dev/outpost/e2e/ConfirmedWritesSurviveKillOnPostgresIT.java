package dev.outpost.e2e;

import dev.outpost.e2e.support.TestDatabase;

/** Confirmed writes survive kill -9 with the hub on PostgreSQL, as in production. */
class ConfirmedWritesSurviveKillOnPostgresIT extends ConfirmedWritesSurviveKill {
    @Override
    TestDatabase database() {
        return TestDatabase.freshPostgres();
    }
}

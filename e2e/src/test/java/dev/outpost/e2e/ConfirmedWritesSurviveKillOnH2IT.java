package dev.outpost.e2e;

import dev.outpost.e2e.support.TestDatabase;

/** Confirmed writes survive kill -9 with the hub on its embedded H2 default. */
class ConfirmedWritesSurviveKillOnH2IT extends ConfirmedWritesSurviveKill {
    @Override
    TestDatabase database() {
        return TestDatabase.embeddedH2();
    }
}

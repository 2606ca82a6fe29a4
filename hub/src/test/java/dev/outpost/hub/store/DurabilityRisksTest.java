package dev.outpost.hub.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which database settings can lose a write the API has confirmed. */
class DurabilityRisksTest {

    @Test
    void theEmbeddedDatabaseWritesEachCommitBeforeItReturns() {
        assertThat(DataSourceDefaults.h2Url(Path.of("/var/lib/outpost"))).contains(";WRITE_DELAY=0");
    }

    @Test
    void h2IsSafeOnlyWithoutWriteDelay() {
        assertThat(DurabilityCheck.risks(DatabaseKind.H2, Map.of("write_delay", "0"))).isEmpty();
        assertThat(DurabilityCheck.risks(DatabaseKind.H2, Map.of("write_delay", "500")))
                .singleElement().asString().startsWith("H2 WRITE_DELAY is 500 ms").contains(";WRITE_DELAY=0");
    }

    @Test
    void postgresIsSafeWithItsDefaultsAndWithEverySynchronousCommitLevelButOff() {
        for (String level : new String[] {"on", "local", "remote_write", "remote_apply"}) {
            assertThat(DurabilityCheck.risks(DatabaseKind.POSTGRESQL,
                    Map.of("fsync", "on", "synchronous_commit", level, "full_page_writes", "on"))).as(level).isEmpty();
        }
    }

    @Test
    void postgresNamesEverySettingThatCanLoseConfirmedWrites() {
        assertThat(DurabilityCheck.risks(DatabaseKind.POSTGRESQL,
                Map.of("fsync", "off", "synchronous_commit", "off", "full_page_writes", "off")))
                .satisfiesExactly(
                        fsync -> assertThat(fsync).startsWith("PostgreSQL fsync is off"),
                        commit -> assertThat(commit).startsWith("PostgreSQL synchronous_commit is off"),
                        pages -> assertThat(pages).startsWith("PostgreSQL full_page_writes is off"));
    }

    @Test
    void aSettingThatCannotBeReadCountsAsARisk() {
        assertThat(DurabilityCheck.risks(DatabaseKind.H2, Map.of())).hasSize(1);
        assertThat(DurabilityCheck.risks(DatabaseKind.POSTGRESQL, Map.of())).hasSize(3);
    }
}

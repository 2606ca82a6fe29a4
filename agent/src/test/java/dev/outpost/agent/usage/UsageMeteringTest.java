package dev.outpost.agent.usage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.agent.usage.custom.PodMetricsScraper;
import dev.outpost.protocol.usage.Meters;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UsageMeteringTest {
    private static final long MINUTE = 60_000;
    private static final long T0 = 1_800_000_000_000L; // on the minute grid
    private static final UsageSnapshot NOTHING = new UsageSnapshot(List.of(), List.of());

    @TempDir
    Path stateDir;

    private final MovableClock clock = new MovableClock(T0 + 500);
    private final List<MeteredDeployment> deployments = new ArrayList<>(List.of(
            new MeteredDeployment("dep-a", Set.of("apps")), new MeteredDeployment("dep-b", Set.of("apps"))));

    @Test
    void eachWindowEndMeasuresEveryDeploymentOnceWithAllMeters() throws Exception {
        UsageSpool spool = spool();
        UsageMetering metering = metering(spool, deployment -> NOTHING, Duration.ofHours(1));

        assertThat(metering.measureDue()).isEqualTo(8); // 2 deployments × 4 meters, window [T0-1m, T0)
        assertThat(metering.measureDue()).isZero(); // the same window is not measured twice
        clock.set(T0 + MINUTE + 10);
        assertThat(metering.measureDue()).isEqualTo(8);
        assertThat(records(spool)).extracting(SpooledRecord::windowEndMs).containsOnly(T0, T0 + MINUTE);
    }

    @Test
    void afterARestartTheMissedWindowsAreMeasuredUpToTheCatchUp() throws Exception {
        UsageSpool spool = spool();
        metering(spool, deployment -> NOTHING, Duration.ofMinutes(5)).measureDue();

        clock.set(T0 + 30 * MINUTE + 5);
        UsageMetering restarted = metering(spool(), deployment -> NOTHING, Duration.ofMinutes(5));
        assertThat(restarted.measureDue()).isEqualTo(5 * 8);
        assertThat(records(spool())).extracting(SpooledRecord::windowEndMs).containsOnly(T0,
                T0 + 26 * MINUTE, T0 + 27 * MINUTE, T0 + 28 * MINUTE, T0 + 29 * MINUTE, T0 + 30 * MINUTE);
    }

    @Test
    void actualUseIsRecordedForTheLatestWindowOnlyAfterAGap() throws Exception {
        UsageSnapshot answered = new UsageSnapshot(List.of(), List.of(), new ActualUsage(true, Map.of()));
        UsageSpool spool = spool();
        metering(spool, deployment -> answered, Duration.ofMinutes(5)).measureDue();

        clock.set(T0 + 3 * MINUTE + 5);
        assertThat(metering(spool(), deployment -> answered, Duration.ofMinutes(5)).measureDue())
                .isEqualTo(2 * (3 * 4 + 2)); // 3 windows of requested meters, actual use for the last one
        assertThat(records(spool())).filteredOn(record -> record.meter().equals(Meters.CPU_USED.name()))
                .extracting(SpooledRecord::windowEndMs).containsOnly(T0, T0 + 3 * MINUTE);
    }

    @Test
    void measuringAWindowAgainAfterACrashGivesTheSameKeys() throws Exception {
        UsageSpool first = UsageSpool.open(stateDir.resolve("one"), 1L << 20, Optional.empty(), "agent=a1");
        UsageSpool second = UsageSpool.open(stateDir.resolve("two"), 1L << 20, Optional.empty(), "agent=a1");
        metering(first, deployment -> NOTHING, Duration.ofHours(1)).measureDue();
        metering(second, deployment -> NOTHING, Duration.ofHours(1)).measureDue();
        assertThat(records(second)).extracting(SpooledRecord::key)
                .containsExactlyElementsOf(records(first).stream().map(SpooledRecord::key).toList());
    }

    @Test
    void aDeploymentThatCannotBeReadIsRetriedThenCountedAsUnmeasuredNeverInvented() throws Exception {
        UsageSpool spool = spool();
        AtomicInteger reads = new AtomicInteger();
        UsageMetering metering = metering(spool, deployment -> {
            if (deployment.deploymentId().equals("dep-b")) {
                reads.incrementAndGet();
                throw new IllegalStateException("apiserver unavailable");
            }
            return NOTHING;
        }, Duration.ofHours(1));

        assertThat(metering.measureDue()).isEqualTo(4);
        assertThat(reads).hasValue(UsageMetering.READ_ATTEMPTS);
        assertThat(records(spool)).extracting(SpooledRecord::deploymentId).containsOnly("dep-a");
        assertThat(spool().state().unmeasuredWindowsTotal()).isEqualTo(1);
        assertThat(spool().lastMeasuredWindowEnd()).hasValue(T0);
    }

    private UsageSpool spool() throws IOException {
        return UsageSpool.open(stateDir.resolve("usage-spool"), 1L << 20, Optional.empty(), "agent=a1");
    }

    private UsageMetering metering(UsageSpool spool, UsageReader reader, Duration catchUp) {
        return new UsageMetering(new UsageGrid(Duration.ofMinutes(1)), catchUp, () -> List.copyOf(deployments), reader,
                new UsageMeter("a1"), spool, new PodMetricsScraper(Duration.ofSeconds(1)), clock, "agent=a1");
    }

    private static List<SpooledRecord> records(UsageSpool spool) {
        return spool.pendingSequences().stream().flatMap(sequence -> spool.read(sequence).orElseThrow().records().stream())
                .toList();
    }

    private static final class MovableClock extends Clock {
        private volatile long millis;

        MovableClock(long millis) {
            this.millis = millis;
        }

        void set(long to) {
            millis = to;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }
    }
}

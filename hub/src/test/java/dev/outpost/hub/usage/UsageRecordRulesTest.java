package dev.outpost.hub.usage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.protocol.GrpcLimits;
import dev.outpost.protocol.usage.UsageKeys;
import dev.outpost.protocol.v1.SpoolState;
import dev.outpost.protocol.v1.UsageBatch;
import dev.outpost.protocol.v1.UsageRecord;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UsageRecordRulesTest {
    private static final String AGENT = "agt_1";
    private static final String ENV = "env_1";
    private static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");
    private static final Instant CREATED = Instant.parse("2026-12-03T08:00:00Z");
    private static final UsageTarget DEPLOYMENT = new UsageTarget("dep_1", "ten_1", ENV, CREATED);
    private static final long START = Instant.parse("2026-12-03T10:00:00Z").toEpochMilli();
    private static final long END = START + 60_000;

    private static UsageRecord record(String deployment, String meter, String unit, long start, long end, String quantity) {
        return UsageRecord.newBuilder().setIdempotencyKey(UsageKeys.key(AGENT, deployment, meter, start, end))
                .setDeploymentId(deployment).setMeter(meter).setUnit(unit).setWindowStartUnixMs(start)
                .setWindowEndUnixMs(end).setQuantity(quantity).build();
    }

    private static UsageRecord good() {
        return record("dep_1", "cpu.requested.core-seconds", "core-second", START, END, "30.5");
    }

    private static UsageVerdict check(UsageRecord record) {
        return UsageRecordRules.check(AGENT, ENV, record, Optional.of(DEPLOYMENT), NOW);
    }

    @Test
    void aWellFormedRecordIsAcceptedWithItsExactQuantityAndTheDeploymentsOwner() {
        UsageVerdict verdict = check(good());
        assertThat(verdict.isAccepted()).isTrue();
        assertThat(verdict.row().quantity()).isEqualByComparingTo(new BigDecimal("30.5"));
        assertThat(verdict.row().tenantId()).isEqualTo("ten_1");
        assertThat(verdict.row().windowStart()).isEqualTo(Instant.ofEpochMilli(START));
    }

    @Test
    void aKeyNotDerivedFromTheCertificatesAgentIsAMismatch() {
        UsageRecord other = good().toBuilder().setIdempotencyKey(UsageKeys.key("agt_other", "dep_1",
                "cpu.requested.core-seconds", START, END)).build();
        assertThat(check(other).reason()).isEqualTo("key-mismatch");
        assertThat(check(good().toBuilder().setIdempotencyKey("u1-nope").build()).reason()).isEqualTo("key-mismatch");
    }

    @Test
    void aMissingDeploymentAndAnotherEnvironmentsAreTheSameUnknownDeployment() {
        assertThat(UsageRecordRules.check(AGENT, ENV, good(), Optional.empty(), NOW).reason())
                .isEqualTo("unknown-deployment");
        UsageTarget foreign = new UsageTarget("dep_1", "ten_2", "env_2", CREATED);
        assertThat(UsageRecordRules.check(AGENT, ENV, good(), Optional.of(foreign), NOW).reason())
                .isEqualTo("unknown-deployment");
    }

    @Test
    void anEmptyOrReversedOrOverlongWindowIsInvalid() {
        String meter = "cpu.requested.core-seconds";
        assertThat(check(record("dep_1", meter, "core-second", START, START, "1")).reason()).isEqualTo("window-invalid");
        assertThat(check(record("dep_1", meter, "core-second", END, START, "1")).reason()).isEqualTo("window-invalid");
        long day = Duration.ofHours(24).toMillis();
        long early = CREATED.toEpochMilli();
        assertThat(check(record("dep_1", meter, "core-second", early, early + day + 1, "1")).reason())
                .isEqualTo("window-invalid");
        // exactly 24 hours is fine as far as the window rule goes (it then ends in the future)
        assertThat(check(record("dep_1", meter, "core-second", early, early + day, "1")).reason())
                .isEqualTo("window-in-future");
    }

    @Test
    void aWindowEndingMoreThanFiveMinutesAheadOfTheHubIsInTheFuture() {
        String meter = "cpu.requested.core-seconds";
        long fiveAhead = NOW.plus(Duration.ofMinutes(5)).toEpochMilli();
        assertThat(check(record("dep_1", meter, "core-second", fiveAhead - 60_000, fiveAhead, "1")).isAccepted()).isTrue();
        assertThat(check(record("dep_1", meter, "core-second", fiveAhead - 60_000, fiveAhead + 1, "1")).reason())
                .isEqualTo("window-in-future");
    }

    @Test
    void aWindowStartingMoreThanFiveMinutesBeforeTheDeploymentWasCreatedIsRefused() {
        String meter = "cpu.requested.core-seconds";
        long fiveBefore = CREATED.minus(Duration.ofMinutes(5)).toEpochMilli();
        assertThat(check(record("dep_1", meter, "core-second", fiveBefore, fiveBefore + 60_000, "1")).isAccepted())
                .isTrue();
        assertThat(check(record("dep_1", meter, "core-second", fiveBefore - 1, fiveBefore + 60_000, "1")).reason())
                .isEqualTo("window-before-deployment");
    }

    @Test
    void quantitiesMustBePlainNonNegativeDecimalsOfAtMostNineDecimals() {
        for (String bad : new String[] {"", "-1", "1E+3", "0.1234567891", "abc", "1.", " 1"}) {
            assertThat(check(good().toBuilder().setQuantity(bad).build()).reason()).as(bad).isEqualTo("bad-quantity");
        }
        assertThat(check(good().toBuilder().setQuantity("0.000000001").build()).isAccepted()).isTrue();
    }

    @Test
    void malformedMeterNamesAndUnitsAreBadMeters() {
        assertThat(check(record("dep_1", "CPU", "core-second", START, END, "1")).reason()).isEqualTo("bad-meter");
        assertThat(check(record("dep_1", "cpu", "", START, END, "1")).reason()).isEqualTo("bad-meter");
        assertThat(check(record("dep_1", "cpu", "x".repeat(41), START, END, "1")).reason()).isEqualTo("bad-meter");
        assertThat(check(record("dep_1", "custom.meter_1", "GiB-hour", START, END, "1")).isAccepted()).isTrue();
    }

    @Test
    void batchRulesNameTheRuleBroken() {
        UsageBatch ok = UsageBatch.newBuilder().setSequence(1).addRecords(good()).setSpool(SpoolState.getDefaultInstance())
                .build();
        assertThat(UsageRecordRules.batchProblem(ok)).isEmpty();
        assertThat(UsageRecordRules.batchProblem(ok.toBuilder().setSequence(0).build())).get().asString()
                .contains("sequence must be positive");
        assertThat(UsageRecordRules.batchProblem(ok.toBuilder().clearRecords().build())).get().asString()
                .contains("no records");
        assertThat(UsageRecordRules.batchProblem(ok.toBuilder().addRecords(good()).build())).get().asString()
                .contains("duplicate idempotency key at records[1]");
        UsageBatch.Builder big = UsageBatch.newBuilder().setSequence(2);
        for (int i = 0; i <= GrpcLimits.MAX_USAGE_RECORDS_PER_BATCH; i++) {
            big.addRecords(record("dep_1", "cpu", "core-second", START + i, END + i, "1"));
        }
        assertThat(UsageRecordRules.batchProblem(big.build())).get().asString()
                .contains("has 1001 records, more than 1000");
    }
}

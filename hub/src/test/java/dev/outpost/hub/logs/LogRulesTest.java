package dev.outpost.hub.logs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.hub.api.Problem;
import dev.outpost.hub.auth.Caller;
import dev.outpost.protocol.v1.LogBatch;
import dev.outpost.protocol.v1.LogLine;
import dev.outpost.protocol.v1.LogPosition;
import dev.outpost.protocol.v1.LogSource;
import dev.outpost.protocol.v1.SourceLogs;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The pure rules of logs: batch validation, dedup by position, cursors, query parameters, retention cutoff. */
class LogRulesTest {
    static final LogSource SOURCE = LogSource.newBuilder().setDeploymentId("dep_1").setNamespace("apps").setPod("web-0")
            .setPodUid("uid").setContainer("app").build();

    static LogPosition at(long ns, int ordinal) {
        return LogPositions.of(ns, ordinal);
    }

    static LogLine line(long ns, int ordinal) {
        return LogLine.newBuilder().setPosition(at(ns, ordinal)).setText("l" + ns + "/" + ordinal).build();
    }

    @Test
    void aLineAtOrBelowThePositionIsADuplicateAndTheSameTimeIsOrderedByOrdinal() {
        SourceLogs source = SourceLogs.newBuilder().setSource(SOURCE).addLines(line(10, 0)).addLines(line(10, 1))
                .addLines(line(10, 2)).addLines(line(11, 0)).build();
        LogIngest.SourceOutcome outcome = LogIngest.apply(new LogSourceRow(at(10, 1), 10), source);
        assertThat(outcome.newLines()).extracting(l -> l.getText()).containsExactly("l10/2", "l11/0");
        assertThat(outcome.after().position()).isEqualTo(at(11, 0));
        assertThat(outcome.after().lastLineNs()).isEqualTo(11);
    }

    @Test
    void aDropIsCountedOnlyWhenItStartsAboveThePositionAndMovesThePosition() {
        SourceLogs dropped = SourceLogs.newBuilder().setSource(SOURCE).setDroppedLines(4).setDroppedFrom(at(20, 0))
                .setDroppedThrough(at(23, 0)).build();
        LogIngest.SourceOutcome fresh = LogIngest.apply(new LogSourceRow(at(19, 0), 19), dropped);
        assertThat(fresh.droppedCounted()).isEqualTo(4);
        assertThat(fresh.after().position()).isEqualTo(at(23, 0));
        LogIngest.SourceOutcome again = LogIngest.apply(fresh.after(), dropped);
        assertThat(again.droppedCounted()).isZero();
        assertThat(again.after().position()).isEqualTo(at(23, 0));
    }

    @Test
    void batchRulesNameTheFirstRuleBroken() {
        SourceLogs good = SourceLogs.newBuilder().setSource(SOURCE).addLines(line(10, 0)).build();
        assertThat(LogBatchRules.batchProblem(LogBatch.newBuilder().setSequence(1).addSources(good).build())).isEmpty();
        assertThat(LogBatchRules.batchProblem(LogBatch.newBuilder().setSequence(1).addSources(good.toBuilder()
                .setSource(SOURCE.toBuilder().setPodUid(""))).build())).contains("sources[0]: pod_uid must have 1 to 128 characters");
        assertThat(LogBatchRules.batchProblem(LogBatch.newBuilder().setSequence(1).addSources(good.toBuilder()
                .addLines(line(10, 0))).build())).get().asString().contains("positions must ascend");
        assertThat(LogBatchRules.batchProblem(LogBatch.newBuilder().setSequence(1).addSources(good.toBuilder()
                .setDroppedLines(1)).build())).get().asString().contains("dropped_from at or before dropped_through");
        assertThat(LogBatchRules.batchProblem(LogBatch.newBuilder().setSequence(1).addSources(SourceLogs.newBuilder()
                .setSource(SOURCE)).build())).get().asString().contains("neither lines nor drops");
        assertThat(LogBatchRules.utf8Length("aé€😀")).isEqualTo(1 + 2 + 3 + 4);
        assertThat(LogBatchRules.storable("a\0b")).isEqualTo("a\uFFFDb");
    }

    @Test
    void cursorsRoundTripAndRefuseForgeries() {
        LogCursor cursor = new LogCursor(LogOrder.NEWEST, 1_764_000_000_123_456_789L, 42);
        assertThat(LogCursor.decode(cursor.encode())).contains(cursor);
        assertThat(LogCursor.decode("bm9wZQ")).isEmpty();
        assertThat(LogCursor.decode("a".repeat(101))).isEmpty();
        List<Problem.FieldError> errors = new ArrayList<>();
        assertThat(LogQueries.cursor(Optional.of(cursor.encode()), LogOrder.OLDEST, errors)).isEmpty();
        assertThat(errors).extracting(Problem.FieldError::field).containsExactly("cursor");
    }

    @Test
    void queryParametersAreScopedToTheTenantAndCheckedOneByOne() {
        List<Problem.FieldError> errors = new ArrayList<>();
        LogFilter filter = LogQueries.filter(Caller.tenant("tok", "ten_a", "t"), new LogQueryParams(Optional.of("ten_b"),
                Optional.empty(), Optional.empty(), Optional.of(""), Optional.empty(),
                Optional.of("2026-12-01T00:00:00.000000001Z"), Optional.empty(), Optional.of("x"), Optional.of("a(")),
                errors);
        assertThat(filter.tenantId()).contains(Caller.NOBODY);
        assertThat(filter.fromNs()).contains(LogViews.nanos(Instant.parse("2026-12-01T00:00:00Z")) + 1);
        assertThat(errors).extracting(Problem.FieldError::field).containsExactlyInAnyOrder("regex", "regex", "pod");
        assertThat(LogQueries.regexProblem("(a)\\1")).isPresent();
        assertThat(LogQueries.regexProblem("^ERROR .*timeout$")).isEmpty();
        assertThat(LogStore.escapeLike("50%_a\\b")).isEqualTo("50\\%\\_a\\\\b");
    }

    @Test
    void retentionCutsAtTheClocksNowMinusTheRetention() {
        Instant now = Instant.parse("2026-12-04T06:00:00Z");
        LogRetention retention = new LogRetention(null, null, config(Duration.ofDays(7)), Clock.fixed(now, ZoneOffset.UTC));
        assertThat(LogViews.instant(retention.cutoffNs())).isEqualTo(Instant.parse("2026-11-27T06:00:00Z"));
        assertThat(LogsConfigRules.problems(config(Duration.ofMinutes(1)))).singleElement().asString()
                .startsWith("outpost.logs.retention (PT1M) must be at least");
    }

    static LogsConfig config(Duration retention) {
        return TestLogsConfig.defaults().withRetention(retention);
    }
}

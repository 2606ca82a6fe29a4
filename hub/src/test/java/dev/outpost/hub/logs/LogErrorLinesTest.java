package dev.outpost.hub.logs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LogErrorLinesTest {
    @ParameterizedTest
    @ValueSource(strings = {
        "2026-12-04 ERROR could not connect to redis",
        "level=error msg=\"disk full\"",
        "{\"level\":\"fatal\",\"msg\":\"bye\"}",
        "panic: runtime error: index out of range",
        "Exception in thread \"main\" java.lang.NullPointerException",
        "Caused by: java.io.IOException: broken pipe",
        "Traceback (most recent call last):",
        "[ERR] replication stopped",
        "CRITICAL: out of memory"})
    void linesThatLookLikeErrorsAreCounted(String line) {
        assertThat(LogErrorLines.looksLikeError(line)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "ready to accept connections",
        "no errors found",
        "error_count=0",
        "stderr is redirected",
        "GET /errors/list 200",
        "terror alert level: green",
        "exceptionally fast start"})
    void ordinaryLinesAreNot(String line) {
        assertThat(LogErrorLines.looksLikeError(line)).isFalse();
    }

    @Test
    void anEmptyLineIsNotAnError() {
        assertThat(LogErrorLines.looksLikeError("")).isFalse();
    }
}

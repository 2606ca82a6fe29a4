package dev.outpost.protocol.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FreeTextTest {
    @Test
    void acceptsOrdinaryNamesInAnyScript() {
        assertThat(FreeText.problem("acme", 100)).isEmpty();
        assertThat(FreeText.problem("Acme GmbH & Co. KG", 100)).isEmpty();
        assertThat(FreeText.problem("株式会社アクメ", 100)).isEmpty();
        assertThat(FreeText.problem("Zürich 🚀", 100)).isEmpty();
    }

    @Test
    void refusesWhatCouldHideOrForgeText() {
        assertThat(FreeText.problem("a\u0000b", 100)).get().asString().contains("control").contains("U+0000");
        assertThat(FreeText.problem("a\nb", 100)).get().asString().contains("control").contains("position 1");
        assertThat(FreeText.problem("\u001b[31mred", 100)).get().asString().contains("control");
        assertThat(FreeText.problem("evil\u202Etxt.exe", 100)).get().asString().contains("format").contains("U+202E");
        assertThat(FreeText.problem("zero\u200Bwidth", 100)).get().asString().contains("format");
        assertThat(FreeText.problem("lone\uD800", 100)).get().asString().contains("surrogate");
        assertThat(FreeText.problem("a\u2028b", 100)).get().asString().contains("line separator");
        assertThat(FreeText.problem(" padded", 100)).get().asString().contains("white space");
        assertThat(FreeText.problem("", 100)).contains("is required");
        assertThat(FreeText.problem(null, 100)).contains("is required");
    }

    @Test
    void countsLengthInCodePoints() {
        assertThat(FreeText.problem("🚀".repeat(10), 10)).isEmpty();
        assertThat(FreeText.problem("a".repeat(11), 10)).get().asString().contains("at most 10").contains("has 11");
    }

    @Test
    void normalizesToNfc() {
        assertThat(FreeText.normalize("Zu\u0308rich")).isEqualTo("Z\u00fcrich");
    }

    @Test
    void logFormKeepsOneLineAndIsBounded() {
        assertThat(FreeText.forLog("1.0\nINFO forged line")).isEqualTo("1.0\\u000aINFO forged line").doesNotContain("\n");
        assertThat(FreeText.forLog("a\u202Eb\\c")).isEqualTo("a\\u202eb\\\\c");
        assertThat(FreeText.forLog("x".repeat(250))).hasSize(FreeText.LOG_MAX_CODE_POINTS + "…(50 more)".length())
                .endsWith("…(50 more)");
        assertThat(FreeText.forLog(null)).isEqualTo("null");
    }
}

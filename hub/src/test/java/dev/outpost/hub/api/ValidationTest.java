package dev.outpost.hub.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.Test;

class ValidationTest {

    @Test
    void namesComeBackInNfcAndProblemsAreRecordedAtTheirPointer() {
        Validation v = new Validation();
        assertThat(v.name("name", "Zu\u0308rich", 200)).isEqualTo("Z\u00fcrich");
        assertThat(v.name("region", "a\u0000b", 100)).isNull();
        assertThat(v.name("/parameters/x", " padded", 100)).isNull();
        assertThat(v.dnsLabel("namespace", "Not_A_Label")).isNull();

        ApiException e = catchThrowableOfType(ApiException.class, v::throwIfInvalid);
        assertThat(e.errors()).containsExactly(
                new Problem.FieldError("/region", "must not contain control characters (U+0000 at position 1)"),
                new Problem.FieldError("/parameters/x", "must not start or end with white space"),
                new Problem.FieldError("/namespace", "must be a DNS-1123 label (lower-case letters, digits, '-')"));
    }

    @Test
    void theLimitCountsCharactersOfTheNormalizedForm() {
        Validation v = new Validation();
        assertThat(v.name("name", "\uD83D\uDE80".repeat(3), 3)).hasSize(6); // three characters, six UTF-16 units
        assertThat(v.name("name", "e\u0301".repeat(3), 3)).isEqualTo("\u00e9".repeat(3)); // six code points before NFC
        assertThatCode(v::throwIfInvalid).doesNotThrowAnyException();
        assertThat(v.name("name", "abcd", 3)).isNull();
        assertThatThrownBy(v::throwIfInvalid).isInstanceOf(ApiException.class)
                .hasMessage("/name: must be at most 3 characters (has 4)");
    }
}

package dev.outpost.agent.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class CertificateExpiryTest {
    private static final Instant NOT_AFTER = Instant.parse("2030-03-31T12:00:00Z");
    private static final String HOW = "delete /state/identity.json, then restart with a new join token";

    @Test
    void saysNothingWhileMoreThanAWeekIsLeft() {
        CertificateExpiry expiry = at(NOT_AFTER.minus(Duration.ofDays(7)).minusSeconds(1));

        assertThat(expiry.expired()).isFalse();
        assertThat(expiry.warning()).isEmpty();
    }

    @Test
    void warnsFromAWeekBeforeWithTheDateAndWhatToDo() {
        assertThat(at(NOT_AFTER.minus(Duration.ofDays(7))).warning()).contains("client certificate expires on "
                + "2030-03-31T12:00:00Z (in 7 days) and has not been renewed; the hub refuses it after that. The agent "
                + "renews it itself (see the renewal errors in this log); should that keep failing, enrol again before "
                + "then with a new join token (" + HOW + ")");
        assertThat(at(NOT_AFTER.minus(Duration.ofHours(30))).warning()).hasValueSatisfying(
                warning -> assertThat(warning).contains("(in 1 day)"));
        assertThat(at(NOT_AFTER.minus(Duration.ofMinutes(90))).warning()).hasValueSatisfying(
                warning -> assertThat(warning).contains("(in 1 hour)"));
        assertThat(at(NOT_AFTER).warning()).hasValueSatisfying(
                warning -> assertThat(warning).contains("(in less than an hour)"));
        assertThat(at(NOT_AFTER).expired()).isFalse();
    }

    @Test
    void onceExpiredItIsAnErrorNamingWhatTheOperatorMustDo() {
        CertificateExpiry expiry = at(NOT_AFTER.plusSeconds(1));

        assertThat(expiry.expired()).isTrue();
        assertThat(expiry.warning()).isEmpty();
        assertThat(expiry.expiredMessage()).isEqualTo("client certificate expired on 2030-03-31T12:00:00Z: enrol again "
                + "with a new join token (" + HOW + ")");
    }

    @Test
    void theInstructionsNameTheStateFoldersIdentityFile() {
        assertThat(new IdentityFiles(Path.of("/var/lib/outpost")).howToReEnrol())
                .isEqualTo("delete /var/lib/outpost/identity.json, then restart the agent with --join-token "
                        + "(OUTPOST_JOIN_TOKEN) and --ca-hash (OUTPOST_CA_HASH) from the hub");
    }

    static CertificateExpiry at(Instant now) {
        return new CertificateExpiry(NOT_AFTER, HOW, Clock.fixed(now, ZoneOffset.UTC));
    }
}

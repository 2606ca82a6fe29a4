package dev.outpost.hub.enrollment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.hub.enrollment.JoinTokenRejectedException.Reason;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class JoinTokenRulesTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void splitsTokensIntoIdAndSecret() {
        assertThat(JdbcEnrollmentStore.split("jt_abc.s3cret")).containsExactly("jt_abc", "s3cret");
        for (String malformed : new String[] {null, "", "nodot", ".secret", "jt_abc."}) {
            assertThatThrownBy(() -> JdbcEnrollmentStore.split(malformed))
                    .isInstanceOf(JoinTokenRejectedException.class)
                    .extracting(e -> ((JoinTokenRejectedException) e).reason()).isEqualTo(Reason.MALFORMED);
        }
    }

    @Test
    void aTokenIsUsableUntilItExpiresOrRunsOut() {
        assertThat(JdbcEnrollmentStore.whyUnusable(token(NOW.plusSeconds(1), 2, 1), NOW)).isNull();
        assertThat(JdbcEnrollmentStore.whyUnusable(token(NOW, 2, 0), NOW)).isEqualTo(Reason.EXPIRED);
        assertThat(JdbcEnrollmentStore.whyUnusable(token(NOW.plusSeconds(60), 2, 2), NOW)).isEqualTo(Reason.USED_UP);
    }

    private static JoinToken token(Instant expiresAt, int uses, int used) {
        return new JoinToken("jt_1", "ten_1", "env_1", expiresAt, uses, used, NOW.minusSeconds(60), null);
    }
}

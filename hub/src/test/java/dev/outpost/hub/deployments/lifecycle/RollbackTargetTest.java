package dev.outpost.hub.deployments.lifecycle;

import static dev.outpost.hub.deployments.lifecycle.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.hub.api.ApiException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RollbackTargetTest {
    private static final List<Revision> KEPT = List.of(revision(4), revision(3), revision(2));

    @Test
    void byDefaultTheRevisionBeforeTheCurrentOne() {
        assertThat(RollbackTarget.choose("dep_1", KEPT, 4L, false, null).number()).isEqualTo(3);
    }

    @Test
    void afterAFailedChangeByDefaultTheCurrentRevisionWhichLastWorked() {
        assertThat(RollbackTarget.choose("dep_1", KEPT, 4L, true, null).number()).isEqualTo(4);
    }

    @Test
    void aKeptRevisionCanBeNamed() {
        assertThat(RollbackTarget.choose("dep_1", KEPT, 4L, false, 2L).number()).isEqualTo(2);
    }

    @Test
    void aRevisionNotKeptIsRefusedWith422NamingWhatIsKept() {
        assertThatThrownBy(() -> RollbackTarget.choose("dep_1", KEPT, 4L, false, 1L))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status().getCode()).isEqualTo(422))
                .hasMessage("revision 1 is not a kept revision of deployment dep_1 (kept: 4, 3, 2)");
    }

    @Test
    void withoutAnEarlierRevisionThereIsNothingToRollBackTo() {
        assertThatThrownBy(() -> RollbackTarget.choose("dep_1", List.of(revision(1)), 1L, false, null))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status().getCode()).isEqualTo(409))
                .hasMessage("deployment dep_1 has no revision before its current revision 1 (kept: 1)");
        assertThatThrownBy(() -> RollbackTarget.choose("dep_1", List.of(), null, true, null))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status().getCode()).isEqualTo(409))
                .hasMessageContaining("has no revision yet");
    }

    private static Revision revision(long number) {
        return new Revision("dep_1", number, "ten_1", "op_" + number, "rel_" + number, Map.of("replicas", "" + number),
                null, "sha256:" + number, T0);
    }
}

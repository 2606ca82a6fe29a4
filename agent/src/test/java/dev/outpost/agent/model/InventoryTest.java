package dev.outpost.agent.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class InventoryTest {
    private static final ObjectRef A = new ObjectRef("v1", "ConfigMap", "shop", "a");
    private static final ObjectRef B = new ObjectRef("v1", "ConfigMap", "shop", "b");

    @Test
    void includingAddsNewObjectsAndKeepsTheLastAppliedGeneration() {
        Inventory applied = Inventory.none("d").appliedAs(3, "sha256:abc", List.of(A));

        Inventory intent = applied.including(List.of(A, B));

        assertThat(intent.objects()).containsExactly(A, B);
        assertThat(intent.generation()).isEqualTo(3);
        assertThat(intent.contentHash()).isEqualTo("sha256:abc");
        assertThat(intent.hasApplied()).isTrue();
        assertThat(Inventory.none("d").hasApplied()).isFalse();
    }
}

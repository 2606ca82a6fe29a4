package dev.outpost.agent.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PrunePlanTest {
    private static final ObjectRef CONFIG = new ObjectRef("v1", "ConfigMap", "shop", "redis-config");
    private static final ObjectRef SCRIPTS = new ObjectRef("v1", "ConfigMap", "shop", "redis-scripts");
    private static final ObjectRef SERVICE = new ObjectRef("v1", "Service", "shop", "redis");
    private static final ObjectRef STATEFUL_SET = new ObjectRef("apps/v1", "StatefulSet", "shop", "redis");

    @Test
    void prunesWhatTheNewReleaseNoLongerHas() {
        List<ObjectRef> owned = List.of(CONFIG, SCRIPTS, SERVICE, STATEFUL_SET);
        assertThat(PrunePlan.toPrune(owned, List.of(CONFIG, SERVICE, STATEFUL_SET))).containsExactly(SCRIPTS);
        assertThat(PrunePlan.toPrune(owned, owned)).isEmpty();
    }

    @Test
    void keepsAnObjectThatMovedToAnotherVersionOfItsGroup() {
        ObjectRef old = new ObjectRef("apps/v1beta2", "StatefulSet", "shop", "redis");
        assertThat(PrunePlan.toPrune(List.of(old), List.of(STATEFUL_SET))).isEmpty();
        ObjectRef otherNamespace = new ObjectRef("apps/v1", "StatefulSet", "other", "redis");
        assertThat(PrunePlan.toPrune(List.of(otherNamespace), List.of(STATEFUL_SET))).containsExactly(otherNamespace);
    }

    @Test
    void removesWorkloadsBeforeWhatTheyUseWithoutDuplicates() {
        List<ObjectRef> owned = List.of(CONFIG, SERVICE, STATEFUL_SET, CONFIG);
        assertThat(PrunePlan.toPrune(owned, List.of())).containsExactly(STATEFUL_SET, SERVICE, CONFIG);
    }
}

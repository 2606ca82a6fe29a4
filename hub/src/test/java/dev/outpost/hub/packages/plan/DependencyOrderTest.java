package dev.outpost.hub.packages.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.outpost.hub.packages.manifest.ComponentSpec;
import dev.outpost.hub.packages.manifest.ComponentWork;
import dev.outpost.hub.packages.manifest.GateSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class DependencyOrderTest {

    @Test
    void eachComponentComesAfterItsDependenciesAndOtherwiseInFileOrder() throws DependencyException {
        List<ComponentSpec> ordered = DependencyOrder.order(List.of(
                c("app", "db", "pool"), c("db", "pool"), c("docs"), c("pool"), c("smoke", "app")));

        assertThat(ordered).extracting(ComponentSpec::name).containsExactly("docs", "pool", "db", "app", "smoke");
    }

    @Test
    void unknownNamesAreRefusedWithTheComponentsPosition() {
        DependencyException e = catchThrowableOfType(DependencyException.class,
                () -> DependencyOrder.order(List.of(c("app", "db"), c("web", "app", "cache"))));

        assertThat(e.problems()).containsExactly(
                "components[0].dependsOn: no component is named 'db'",
                "components[1].dependsOn: no component is named 'cache'");
    }

    @Test
    void everyCycleIsNamedInFull() {
        DependencyException e = catchThrowableOfType(DependencyException.class, () -> DependencyOrder.order(List.of(
                c("a", "b"), c("b", "c"), c("c", "a"), c("d", "e"), c("e", "d"), c("f", "a"))));

        assertThat(e.problems()).containsExactly(
                "components: dependsOn has a cycle: a → b → c → a",
                "components: dependsOn has a cycle: d → e → d");
    }

    private static ComponentSpec c(String name, String... dependsOn) {
        return new ComponentSpec(name, List.of(dependsOn), new GateSpec(300, new GateSpec.WorkloadsReady()),
                new ComponentWork.Manifests("m.yaml"));
    }
}

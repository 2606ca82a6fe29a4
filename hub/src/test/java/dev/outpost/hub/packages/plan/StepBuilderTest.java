package dev.outpost.hub.packages.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.outpost.hub.packages.PackageRenderException;
import dev.outpost.hub.packages.manifest.ComponentSpec;
import dev.outpost.hub.packages.manifest.ComponentWork;
import dev.outpost.hub.packages.manifest.GateSpec;
import dev.outpost.hub.packages.render.RenderedObject;
import dev.outpost.protocol.v1.PlanStep;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StepBuilderTest {
    private static final ComponentSpec APP = new ComponentSpec("app", List.of("db"),
            new GateSpec(120, new GateSpec.WorkloadsReady()), new ComponentWork.Manifests("m"));

    @Test
    void theHashChangesWithTheObjectsAndTheGateButNotWithNothing() throws PackageRenderException {
        PlanStep step = StepBuilder.objects(APP, List.of(configMap("a", "1")));

        assertThat(StepBuilder.objects(APP, List.of(configMap("a", "1")))).isEqualTo(step);
        assertThat(StepBuilder.objects(APP, List.of(configMap("a", "2"))).getInputHash()).isNotEqualTo(step.getInputHash());
        ComponentSpec slower = new ComponentSpec("app", List.of("db"), new GateSpec(300, new GateSpec.WorkloadsReady()),
                APP.work());
        assertThat(StepBuilder.objects(slower, List.of(configMap("a", "1"))).getInputHash()).isNotEqualTo(step.getInputHash());
        assertThat(step.getDependsOnList()).containsExactly("db");
        assertThat(step.getGate().getTimeoutSeconds()).isEqualTo(120);
    }

    @Test
    void infrastructurePropertiesAreSortedSoTheirOrderDoesNotChangeTheHash() {
        ComponentSpec pool = new ComponentSpec("pool", List.of(), new GateSpec(600, null),
                new ComponentWork.Infrastructure("nodePool", "gpu", Map.of()));

        PlanStep a = StepBuilder.infrastructure(pool, "nodePool", "gpu", new java.util.LinkedHashMap<>(Map.of("gpus", "1")) {{
            put("min", "1");
        }});
        PlanStep b = StepBuilder.infrastructure(pool, "nodePool", "gpu", new java.util.TreeMap<>(Map.of("min", "1", "gpus", "1")));

        assertThat(a.toByteArray()).isEqualTo(b.toByteArray());
        assertThat(a.getGate().hasWorkloadsReady()).isFalse();
        assertThat(a.getGate().getTimeoutSeconds()).isEqualTo(600);
    }

    @Test
    void objectsBeyondTheCompressedLimitAreRefusedNamingTheComponent() {
        byte[] noise = new byte[1200 * 1024];
        new Random(7).nextBytes(noise);
        String incompressible = Base64.getEncoder().encodeToString(noise); // 1.6 MB of YAML, about 1.2 MB gzip'ed

        PackageRenderException e = catchThrowableOfType(PackageRenderException.class,
                () -> StepBuilder.objects(APP, List.of(configMap("big", incompressible))));

        assertThat(e.component()).isEqualTo("app");
        assertThat(e.getMessage()).contains("component app renders").contains("once compressed; at most 1048576");
    }

    @Test
    void objectsBeyondTheYamlLimitAreRefusedNamingTheComponent() {
        PackageRenderException e = catchThrowableOfType(PackageRenderException.class,
                () -> StepBuilder.objects(APP, List.of(configMap("big", "x".repeat(9 * 1024 * 1024)))));

        assertThat(e.component()).isEqualTo("app");
        assertThat(e.getMessage()).contains("bytes of YAML; at most 8388608");
    }

    private static RenderedObject configMap(String name, String value) {
        return new RenderedObject("v1", "ConfigMap", null, name,
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\ndata:\n  v: \"" + value + "\"\n");
    }
}

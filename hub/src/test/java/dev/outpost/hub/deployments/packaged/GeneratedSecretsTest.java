package dev.outpost.hub.deployments.packaged;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.hub.packages.ParameterViolation;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class GeneratedSecretsTest {
    private final AtomicInteger counter = new AtomicInteger();
    private final Supplier<String> numbered = () -> "s" + counter.incrementAndGet();

    @Test
    void aNewDeploymentGetsOneValuePerSecretParameter() {
        Map<String, String> added = GeneratedSecrets.toAdd(Set.of("password", "apiKey"), Set.of(), numbered);

        assertThat(added).containsOnlyKeys("apiKey", "password");
        assertThat(new HashSet<>(added.values())).hasSize(2);
    }

    @Test
    void anUpdateKeepsExistingSecretsAndGeneratesOnlyTheOnesANewVersionAdds() {
        Map<String, String> added = GeneratedSecrets.toAdd(Set.of("password", "token"), Set.of("password"), numbered);

        assertThat(added).containsOnlyKeys("token");
        assertThat(GeneratedSecrets.toAdd(Set.of("password"), Set.of("password", "old"), numbered)).isEmpty();
    }

    @Test
    void generatedValuesAreLongRandomAndPlain() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String value = GeneratedSecrets.generate();
            assertThat(value).hasSize(GeneratedSecrets.CHARS).matches("[A-Za-z0-9]+");
            seen.add(value);
        }
        assertThat(seen).hasSize(1000);
    }

    @Test
    void aSecretFromTheCallerIsAViolationAtItsPointer() {
        List<ParameterViolation> given = GeneratedSecrets.given(Set.of("password", "a/b"),
                Map.of("password", "mine", "a/b", "x", "replicas", 2));

        assertThat(given).extracting(ParameterViolation::pointer).containsExactly("/a~1b", "/password");
        assertThat(given.getFirst().message()).contains("the hub generates it");
        assertThat(given).noneMatch(v -> v.message().contains("mine"));
    }

    @Test
    void thePlannerGetsTheParametersWithTheSecrets() {
        assertThat(GeneratedSecrets.withSecrets(Map.of("replicas", 2), Map.of("password", "p")))
                .containsExactlyInAnyOrderEntriesOf(Map.of("replicas", 2, "password", "p"));
    }

    @Test
    void aRenderFailureNeverQuotesASecret() {
        assertThat(PackagedChanges.scrubbed("value \"hunter2hunter2\" is not an int", Map.of("password", "hunter2hunter2")))
                .isEqualTo("value \"<secret password>\" is not an int");
    }
}

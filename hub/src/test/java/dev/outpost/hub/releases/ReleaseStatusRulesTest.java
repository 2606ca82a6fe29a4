package dev.outpost.hub.releases;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.hub.packages.InspectedPackage;
import dev.outpost.hub.packages.PackageProblem;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** What each release status still allows, and the bounds of a refused package's answer. */
class ReleaseStatusRulesTest {
    private static final Instant AT = Instant.parse("2026-12-03T12:00:00Z");

    @Test
    void anActiveReleaseIsDeployableForEverything() {
        Release active = release(Release.Lifecycle.ACTIVE);

        assertThat(ReleaseLifecycle.refusal(active, true)).isEmpty();
        assertThat(ReleaseLifecycle.refusal(active, false)).isEmpty();
    }

    @Test
    void aDeprecatedReleaseRefusesOnlyNewUsesNamingItsReason() {
        Release deprecated = release(new Release.Lifecycle(Release.Status.DEPRECATED, "use 2.0.0", AT));

        assertThat(ReleaseLifecycle.refusal(deprecated, false)).isEmpty();
        assertThat(ReleaseLifecycle.refusal(deprecated, true)).hasValue("release rel_1 (redis 1.0.0) is deprecated "
                + "(reason: use 2.0.0): no new deployments; deployments already on it may still be updated and deleted");
        assertThat(ReleaseLifecycle.refusal(release(new Release.Lifecycle(Release.Status.DEPRECATED, null, AT)), true))
                .hasValueSatisfying(reason -> assertThat(reason).startsWith("release rel_1 (redis 1.0.0) is deprecated:"));
    }

    @Test
    void aYankedReleaseRefusesNewUsesAndUpdatesNamingItsReason() {
        Release yanked = release(new Release.Lifecycle(Release.Status.YANKED, "data loss on failover", AT));

        for (boolean newUse : new boolean[] {true, false}) {
            assertThat(ReleaseLifecycle.refusal(yanked, newUse)).hasValueSatisfying(reason -> assertThat(reason)
                    .contains("was yanked (reason: data loss on failover)", "move the deployment to another release"));
        }
    }

    @Test
    void aRefusalListsAtMostAHundredProblemsAndCountsTheRest() {
        List<PackageProblem> problems = IntStream.range(0, 130)
                .mapToObj(i -> new PackageProblem("charts/c" + i + "/Chart.yaml", "missing")).toList();

        PackageRefusedException refused = new PackageRefusedException(problems);

        assertThat(refused.problems()).hasSize(101);
        assertThat(refused.problems().getLast()).isEqualTo(new PackageProblem("", "30 more problems (only the first 100 "
                + "are listed)"));
        assertThat(refused.getMessage()).isEqualTo("the package was refused: 130 problems (each is listed in problems)");
        assertThat(new PackageRefusedException(List.of(new PackageProblem("outpost.yaml", "version is required")))
                .getMessage()).isEqualTo("the package was refused: outpost.yaml: version is required");
    }

    @Test
    void aDefaultPlanOutsideThePlansIsAProblemOfOutpostYaml() {
        InspectedPackage inspected = new InspectedPackage("redis", "1.0.0", new byte[1], "{}", List.of("small"), "large",
                Set.of());

        assertThat(PackagePublisher.identityProblems(inspected)).containsExactly(
                new PackageProblem("outpost.yaml", "the default plan 'large' is not one of the plans"));
    }

    private static Release release(Release.Lifecycle lifecycle) {
        return new Release("rel_1", "redis", "1.0.0", "", Map.of(), AT, Release.Kind.PACKAGE,
                new ReleasePackage("{}", List.of("small"), "small", Set.of(), "ab".repeat(32), 10), lifecycle);
    }
}

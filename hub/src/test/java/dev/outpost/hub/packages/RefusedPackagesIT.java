package dev.outpost.hub.packages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.outpost.hub.packages.archive.PackageArchiver;
import dev.outpost.hub.packages.inspect.HelmPackageInspection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad test packages through real helm-java: each is refused with the file and the problem named. */
class RefusedPackagesIT {
    private final HelmPackageInspection inspection = new HelmPackageInspection();

    @Test
    void aChartWithATemplateSyntaxErrorIsRefusedNamingTheTemplate() {
        List<PackageProblem> problems = refused("broken-chart");

        assertThat(problems).anySatisfy(p -> {
            assertThat(p.file()).isEqualTo("chart/templates/service.yaml");
            assertThat(p.problem()).contains("helm lint");
        });
    }

    @Test
    void aDependsOnCycleIsRefusedNamingTheCycle() {
        List<PackageProblem> problems = refused("cyclic");

        assertThat(problems).containsExactly(new PackageProblem("outpost.yaml",
                "components: dependsOn has a cycle: db → api → cache → db"));
    }

    @Test
    void anInvalidJsonSchemaIsRefusedNamingTheKeyword() {
        List<PackageProblem> problems = refused("invalid-schema");

        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.file()).isEqualTo("outpost.yaml");
            assertThat(p.problem()).startsWith("parameters.properties.replicas.minimum:");
        });
    }

    @Test
    void missingChartAndManifestsAreEachRefusedNamingTheFile() {
        List<PackageProblem> problems = refused("missing-file");

        assertThat(problems).extracting(PackageProblem::file).containsExactly("charts/app", "manifests/extras.yaml");
        assertThat(problems).allSatisfy(p -> assertThat(p.problem()).startsWith("does not exist in the package"));
    }

    @Test
    void valuesThatDoNotRenderAreRefusedForTheChartAndForTheUnknownReference() {
        List<PackageProblem> problems = refused("values-do-not-render");

        assertThat(problems).hasSize(2);
        assertThat(problems.get(0).file()).isEqualTo("chart/templates/deployment.yaml");
        assertThat(problems.get(0).problem()).startsWith("plan default: the chart does not render")
                .contains("image.tag is required");
        assertThat(problems.get(1)).isEqualTo(new PackageProblem("outpost.yaml", "plan default: component other, "
                + "values key replicas: unknown reference plan.replicaz (the plan has no value 'replicaz')"));
    }

    @Test
    void anUndeclaredClusterScopedObjectAndAnotherNamespaceAreRefused() {
        List<PackageProblem> problems = refused("cluster-scoped");

        assertThat(problems).extracting(PackageProblem::file).containsOnly("chart");
        assertThat(problems).extracting(PackageProblem::problem).containsExactly(
                "plan default: renders ClusterRole/clusterwide-reader, a cluster-scoped ClusterRole; add ClusterRole to "
                        + "clusterScopedKinds in outpost.yaml if the package needs it",
                "plan default: renders Role/clusterwide-system in namespace 'kube-system'; objects go to the "
                        + "deployment's namespace (use .Release.Namespace or leave it out)");
    }

    @Test
    void declaringTheClusterScopedKindLeavesOnlyTheNamespaceProblem(@TempDir Path temp) throws IOException {
        Path copy = copy(TestPackages.directory("cluster-scoped"), temp.resolve("pkg"));
        Files.writeString(copy.resolve("outpost.yaml"),
                Files.readString(copy.resolve("outpost.yaml")) + "clusterScopedKinds: [ClusterRole]\n");

        PackageRejectedException e = catchThrowableOfType(PackageRejectedException.class,
                () -> inspection.inspect(PackageArchiver.pack(copy)));

        assertThat(e.problems()).singleElement().satisfies(p -> assertThat(p.problem()).contains("kube-system"));
    }

    @Test
    void inspectionLeavesNoTemporaryFilesBehind() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        List<Path> before = outpostTempDirs(tmp);

        refused("values-do-not-render");

        assertThat(outpostTempDirs(tmp)).isSubsetOf(before);
    }

    private List<PackageProblem> refused(String name) {
        PackageRejectedException e = catchThrowableOfType(PackageRejectedException.class,
                () -> inspection.inspect(TestPackages.archive(name)));
        assertThat(e).as("package %s must be refused", name).isNotNull();
        return e.problems();
    }

    private static List<Path> outpostTempDirs(Path tmp) throws IOException {
        try (Stream<Path> list = Files.list(tmp)) {
            return list.filter(p -> p.getFileName().toString().startsWith("outpost-inspect-")).toList();
        }
    }

    private static Path copy(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        return to;
    }
}

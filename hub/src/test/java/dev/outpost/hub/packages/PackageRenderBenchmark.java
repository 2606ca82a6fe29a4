package dev.outpost.hub.packages;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.hub.packages.inspect.HelmPackageInspection;
import dev.outpost.hub.packages.plan.HelmPackagePlanning;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Benchmark, not a test (no *Test/*IT suffix, so the suite never runs it): how long inspecting and
 * planning a package take with real helm-java, the first (cold) call and the median of the next ones.
 * Measures the test package {@code good}, or the package directory in {@code -Doutpost.bench.package}.
 * Run it with {@code ./mvnw -B -o -pl hub -am test -Dtest=PackageRenderBenchmark
 * -Dsurefire.failIfNoSpecifiedTests=false [-Doutpost.bench.package=examples/redis]}.
 */
class PackageRenderBenchmark {
    private static final int RUNS = 9;

    @Test
    void inspectAndPlanTimes() throws Exception {
        String dir = System.getProperty("outpost.bench.package");
        byte[] archive = dir == null ? TestPackages.archive("good")
                : dev.outpost.hub.packages.archive.PackageArchiver.pack(Path.of(dir).toAbsolutePath());
        HelmPackageInspection inspection = new HelmPackageInspection();
        HelmPackagePlanning planning = new HelmPackagePlanning();
        InspectedPackage inspected = inspection.inspect(archive);
        PlanInputs inputs = new PlanInputs("bench", "bench-ns", inspected.defaultPlan(),
                Map.of("password", "s3cret-s3cret-s3cret-s3cret-s3cret-s3"), GoodPackageIT.facts());

        long[] inspect = time(() -> inspection.inspect(archive));
        long[] plan = time(() -> planning.plan(archive, inputs));

        assertThat(planning.plan(archive, inputs).getStepsCount()).isPositive();
        System.out.printf("BENCH package %s %s (%d bytes, %d plans): inspect cold %d ms, median %d ms; "
                        + "plan cold %d ms, median %d ms%n", inspected.service(), inspected.version(), archive.length,
                inspected.plans().size(), inspect[0], inspect[1], plan[0], plan[1]);
    }

    private interface Run {
        void run() throws Exception;
    }

    /** The first run's milliseconds and the median of the rest. */
    private static long[] time(Run run) throws Exception {
        long[] ms = new long[RUNS];
        for (int i = 0; i < RUNS; i++) {
            long start = System.nanoTime();
            run.run();
            ms[i] = (System.nanoTime() - start) / 1_000_000;
        }
        long first = ms[0];
        long[] rest = java.util.Arrays.copyOfRange(ms, 1, RUNS);
        java.util.Arrays.sort(rest);
        return new long[] {first, rest[rest.length / 2]};
    }
}

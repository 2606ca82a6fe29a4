package dev.outpost.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.protocol.GrpcLimits;
import dev.outpost.protocol.v1.DeploymentMetrics;
import dev.outpost.protocol.v1.ScrapedSample;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class MetricsSenderBatchesTest {

    @Test
    void aRoundIsCutAtTheDeploymentLimit() {
        List<DeploymentMetrics> round = IntStream.range(0, 250)
                .mapToObj(i -> DeploymentMetrics.newBuilder().setDeploymentId("dep-" + i).build()).toList();

        assertThat(MetricsSender.batches(round)).extracting(List::size).containsExactly(100, 100, 50);
    }

    @Test
    void deploymentsWithManyForwardedSeriesMakeBatchesAsFullAsTheByteLimitAllowsNeverSplittingOne() {
        List<DeploymentMetrics> round = IntStream.range(0, 9).mapToObj(MetricsSenderBatchesTest::heavy).toList();
        int one = round.getFirst().getSerializedSize();
        assertThat(one).as("a heavy deployment").isGreaterThan(GrpcLimits.MAX_METRICS_BATCH_BYTES / 5);

        List<List<DeploymentMetrics>> batches = MetricsSender.batches(round);

        assertThat(batches.stream().flatMap(List::stream).toList()).as("in order, none lost").isEqualTo(round);
        assertThat(batches).hasSizeGreaterThan(1).allSatisfy(batch -> assertThat(bytes(batch))
                .isLessThanOrEqualTo(GrpcLimits.MAX_METRICS_BATCH_BYTES));
        for (int b = 0; b < batches.size() - 1; b++) {
            // full: the next deployment would not have fitted
            assertThat(bytes(batches.get(b)) + batches.get(b + 1).getFirst().getSerializedSize())
                    .isGreaterThan(GrpcLimits.MAX_METRICS_BATCH_BYTES);
        }
    }

    private static long bytes(List<DeploymentMetrics> batch) {
        return batch.stream().mapToLong(DeploymentMetrics::getSerializedSize).sum();
    }

    /** A deployment at the per-deployment series limit, with long labels (about 260 KB). */
    private static DeploymentMetrics heavy(int i) {
        DeploymentMetrics.Builder deployment = DeploymentMetrics.newBuilder().setDeploymentId("dep-" + i);
        for (int s = 0; s < GrpcLimits.MAX_METRICS_SCRAPED_SERIES_PER_DEPLOYMENT; s++) {
            ScrapedSample.Builder sample = ScrapedSample.newBuilder().setMetric("m_" + "x".repeat(150)).setPod("pod-" + s)
                    .setValue(s);
            for (int l = 0; l < GrpcLimits.MAX_SCRAPED_LABELS; l++) {
                sample.putLabels("label_" + l, "v".repeat(GrpcLimits.MAX_SCRAPED_LABEL_VALUE_CHARS));
            }
            deployment.addScraped(sample);
        }
        return deployment.build();
    }
}

package dev.outpost.agent.usage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.protocol.usage.Meters;
import dev.outpost.protocol.usage.UsageKeys;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class UsageMeterTest {
    private static final UsageWindow MINUTE = new UsageWindow(1_700_000_040_000L, 1_700_000_100_000L);
    private final UsageMeter meter = new UsageMeter("a1");

    @Test
    void cpuAndMemoryRequestsTimesSecondsExactly() {
        Pod pod = pod("Running", Map.of("cpu", "250m", "memory", "100Mi"), Map.of());
        Map<String, String> q = quantities(meter.measure("dep-1", MINUTE, new UsageSnapshot(List.of(pod, pod), List.of())));

        assertThat(q).containsEntry(Meters.CPU_REQUESTED.name(), "30"); // 2 × 0.25 cores × 60 s
        // 2 × 100 MiB = 200/1024 GiB, × 60 s = 11.71875 GiB-seconds, exactly
        assertThat(q).containsEntry(Meters.MEMORY_REQUESTED.name(), "11.71875");
        assertThat(q).containsEntry(Meters.PODS_RUNNING.name(), "0.033333333"); // 2 pods × 1/60 h, rounded once
    }

    @Test
    void aContainerWithoutARequestCountsItsLimitElseNothing() {
        Pod limited = pod("Running", Map.of(), Map.of("cpu", "1", "memory", "1Gi"));
        Pod nothing = pod("Running", Map.of(), Map.of());
        Map<String, String> q = quantities(meter.measure("dep-1", MINUTE, new UsageSnapshot(List.of(limited, nothing), List.of())));
        assertThat(q).containsEntry(Meters.CPU_REQUESTED.name(), "60").containsEntry(Meters.MEMORY_REQUESTED.name(), "60");
    }

    @Test
    void podsNotRunningAndInitContainersAreNotCounted() {
        Pod pending = pod("Pending", Map.of("cpu", "1"), Map.of());
        Pod succeeded = pod("Succeeded", Map.of("cpu", "1"), Map.of());
        Pod withInit = new PodBuilder(pod("Running", Map.of("cpu", "100m"), Map.of())).editSpec()
                .addToInitContainers(new ContainerBuilder().withName("init").withNewResources()
                        .addToRequests("cpu", new Quantity("4")).endResources().build()).endSpec().build();
        Map<String, String> q = quantities(meter.measure("dep-1", MINUTE, new UsageSnapshot(List.of(pending, succeeded, withInit), List.of())));
        assertThat(q).containsEntry(Meters.CPU_REQUESTED.name(), "6");
    }

    @Test
    void everyMeterIsReportedAtZeroWhenNothingRuns() {
        List<SpooledRecord> records = meter.measure("dep-1", MINUTE, new UsageSnapshot(List.of(), List.of()));
        assertThat(records).extracting(SpooledRecord::meter)
                .containsExactlyElementsOf(Meters.BUILT_IN.stream().map(Meters.Meter::name).toList());
        assertThat(records).extracting(SpooledRecord::quantity).containsOnly("0");
        assertThat(records).allSatisfy(record -> {
            assertThat(record.key()).isEqualTo(UsageKeys.key("a1", "dep-1", record.meter(), MINUTE.startMs(), MINUTE.endMs()));
            assertThat(record.windowStartMs()).isEqualTo(MINUTE.startMs());
            assertThat(record.windowEndMs()).isEqualTo(MINUTE.endMs());
        });
        assertThat(records).extracting(SpooledRecord::unit).containsExactly("core-second", "GiB-second", "GiB-hour", "pod-hour");
    }

    @Test
    void onlyBoundClaimsCountTheirCapacity() {
        UsageWindow hour = new UsageWindow(0, 3_600_000);
        Map<String, String> q = quantities(meter.measure("dep-1", hour, new UsageSnapshot(List.of(),
                List.of(claim("Bound", "10Gi"), claim("Bound", "512Mi"), claim("Pending", "100Gi")))));
        assertThat(q).containsEntry(Meters.STORAGE_BOUND.name(), "10.5");
    }

    @Test
    void sameWindowSameKeysOtherWindowOtherKeys() {
        UsageSnapshot empty = new UsageSnapshot(List.of(), List.of());
        assertThat(meter.measure("dep-1", MINUTE, empty)).isEqualTo(meter.measure("dep-1", MINUTE, empty));
        UsageWindow next = new UsageWindow(MINUTE.endMs(), MINUTE.endMs() + 60_000);
        assertThat(meter.measure("dep-1", next, empty).getFirst().key()).isNotEqualTo(meter.measure("dep-1", MINUTE, empty).getFirst().key());
    }

    @Test
    void actualUseIsTheReportedRateTimesTheWindowForRunningPodsOnly() {
        Pod web1 = named(pod("Running", Map.of("cpu", "1"), Map.of()), "web-1");
        Pod web2 = named(pod("Running", Map.of("cpu", "1"), Map.of()), "web-2");
        Pod done = named(pod("Succeeded", Map.of(), Map.of()), "migrate");
        ActualUsage actual = new ActualUsage(true, Map.of(
                ActualUsage.key("ns", "web-1"), new ActualUsage.PodUse(new BigDecimal("0.249876"),
                        BigDecimal.valueOf(64L << 20)),
                ActualUsage.key("ns", "web-2"), new ActualUsage.PodUse(new BigDecimal("0.000124"),
                        BigDecimal.valueOf(448L << 20)),
                // a finished pod's last sample, and a pod of another deployment: neither counts
                ActualUsage.key("ns", "migrate"), new ActualUsage.PodUse(BigDecimal.TEN, BigDecimal.TEN),
                ActualUsage.key("other", "web-1"), new ActualUsage.PodUse(BigDecimal.TEN, BigDecimal.TEN)));

        UsageMeter.ActualUse use = meter.measureActual("dep-1", MINUTE,
                new UsageSnapshot(List.of(web1, web2, done), List.of(), actual));

        // (0.249876 + 0.000124) cores × 60 s; (64 + 448) MiB = 0.5 GiB × 60 s
        assertThat(quantities(use.records())).containsExactlyInAnyOrderEntriesOf(Map.of(
                Meters.CPU_USED.name(), "15", Meters.MEMORY_USED.name(), "30"));
        assertThat(use.records()).allSatisfy(record -> assertThat(record.key())
                .isEqualTo(UsageKeys.key("a1", "dep-1", record.meter(), MINUTE.startMs(), MINUTE.endMs())));
        assertThat(use.problems()).isEmpty();
    }

    @Test
    void aRunningPodWithoutMetricsIsNamedAndNotGuessed() {
        Pod seen = named(pod("Running", Map.of(), Map.of()), "seen");
        Pod fresh = named(pod("Running", Map.of(), Map.of()), "fresh");
        ActualUsage actual = new ActualUsage(true, Map.of(ActualUsage.key("ns", "seen"),
                new ActualUsage.PodUse(new BigDecimal("0.5"), BigDecimal.valueOf(1L << 30))));

        UsageMeter.ActualUse use = meter.measureActual("dep-1", MINUTE, new UsageSnapshot(List.of(seen, fresh), List.of(), actual));

        assertThat(quantities(use.records())).containsEntry(Meters.CPU_USED.name(), "30").containsEntry(Meters.MEMORY_USED.name(), "60");
        assertThat(use.problems()).singleElement().asString().contains("fresh").doesNotContain("seen");
    }

    @Test
    void noActualUseRecordWhenTheMetricsApiDidNotAnswer() {
        UsageMeter.ActualUse use = meter.measureActual("dep-1", MINUTE,
                new UsageSnapshot(List.of(named(pod("Running", Map.of(), Map.of()), "web")), List.of()));

        assertThat(use.records()).isEmpty();
        assertThat(use.problems()).isEmpty();
    }

    private static Pod named(Pod pod, String name) {
        pod.getMetadata().setName(name);
        pod.getMetadata().setNamespace("ns");
        return pod;
    }

    private static Map<String, String> quantities(List<SpooledRecord> records) {
        return records.stream().collect(Collectors.toMap(SpooledRecord::meter, SpooledRecord::quantity));
    }

    private static Pod pod(String phase, Map<String, String> requests, Map<String, String> limits) {
        return new PodBuilder().withNewMetadata().withName("p").endMetadata()
                .withNewSpec().addNewContainer().withName("app").withNewResources()
                .withRequests(toQuantities(requests)).withLimits(toQuantities(limits)).endResources().endContainer().endSpec()
                .withNewStatus().withPhase(phase).endStatus().build();
    }

    private static PersistentVolumeClaim claim(String phase, String capacity) {
        return new PersistentVolumeClaimBuilder().withNewMetadata().withName("c").endMetadata()
                .withNewStatus().withPhase(phase).addToCapacity("storage", new Quantity(capacity)).endStatus().build();
    }

    private static Map<String, Quantity> toQuantities(Map<String, String> values) {
        return values.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> new Quantity(e.getValue())));
    }
}

package dev.outpost.agent.usage;

import dev.outpost.protocol.usage.Meters;
import dev.outpost.protocol.usage.UsageKeys;
import dev.outpost.protocol.usage.UsageQuantity;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The built-in meters of one deployment over one window, from a snapshot: exact decimals, rounded once
 * to the wire's scale. A record for every meter is produced even when it is 0, so the hub can tell a
 * window with no usage from a window the agent never measured.
 */
public final class UsageMeter {
    private static final BigDecimal GIB = BigDecimal.valueOf(1L << 30);
    private static final BigDecimal MS_PER_SECOND = BigDecimal.valueOf(1000);
    private static final BigDecimal MS_PER_HOUR = BigDecimal.valueOf(3_600_000);
    // exact enough for any quantity the wire can hold (21 + 9 digits), and far beyond what rounding keeps
    private static final MathContext DIVISION = new MathContext(60);

    private final String agentId;

    public UsageMeter(String agentId) {
        this.agentId = agentId;
    }

    /** The agent whose keys this meter derives. */
    public String agentId() {
        return agentId;
    }

    /** One record per built-in meter, in {@link Meters#BUILT_IN} order. */
    public List<SpooledRecord> measure(String deploymentId, UsageWindow window, UsageSnapshot snapshot) {
        BigDecimal seconds = BigDecimal.valueOf(window.millis()).divide(MS_PER_SECOND, DIVISION);
        BigDecimal hours = BigDecimal.valueOf(window.millis()).divide(MS_PER_HOUR, DIVISION);
        BigDecimal cores = BigDecimal.ZERO;
        BigDecimal memoryBytes = BigDecimal.ZERO;
        int running = 0;
        for (Pod pod : snapshot.pods()) {
            if (!isRunning(pod)) {
                continue;
            }
            running++;
            // init containers have finished by the time a pod runs: only the app containers are counted
            for (Container container : pod.getSpec().getContainers()) {
                cores = cores.add(requested(container.getResources(), "cpu"));
                memoryBytes = memoryBytes.add(requested(container.getResources(), "memory"));
            }
        }
        BigDecimal storageBytes = BigDecimal.ZERO;
        for (PersistentVolumeClaim claim : snapshot.claims()) {
            if (claim.getStatus() != null && "Bound".equals(claim.getStatus().getPhase())
                    && claim.getStatus().getCapacity() != null) {
                Quantity capacity = claim.getStatus().getCapacity().get("storage");
                if (capacity != null) {
                    storageBytes = storageBytes.add(Quantity.getAmountInBytes(capacity));
                }
            }
        }
        List<SpooledRecord> records = new ArrayList<>(Meters.BUILT_IN.size());
        for (Meters.Meter meter : Meters.BUILT_IN) {
            BigDecimal amount;
            if (meter.equals(Meters.CPU_REQUESTED)) {
                amount = cores.multiply(seconds);
            } else if (meter.equals(Meters.MEMORY_REQUESTED)) {
                amount = memoryBytes.multiply(seconds).divide(GIB, DIVISION);
            } else if (meter.equals(Meters.STORAGE_BOUND)) {
                amount = storageBytes.multiply(hours).divide(GIB, DIVISION);
            } else if (meter.equals(Meters.PODS_RUNNING)) {
                amount = BigDecimal.valueOf(running).multiply(hours);
            } else {
                throw new IllegalStateException("no measurement for built-in meter " + meter.name());
            }
            records.add(record(deploymentId, meter, window, amount));
        }
        return records;
    }

    /** The actual-use records of one window and the running pods the metrics API had nothing for. */
    public record ActualUse(List<SpooledRecord> records, List<String> problems) {
    }

    /**
     * The {@link Meters#ACTUAL_USE} records of {@code window}, from the use the metrics API reported when
     * the snapshot was read, taken as the rate of the whole window; none when the API did not answer. A
     * running pod it has no metrics for (just started: metrics-server needs two scrapes) adds nothing and
     * is named in the problems: the record undercounts rather than guesses.
     */
    public ActualUse measureActual(String deploymentId, UsageWindow window, UsageSnapshot snapshot) {
        if (!snapshot.actual().answered()) {
            return new ActualUse(List.of(), List.of());
        }
        BigDecimal seconds = BigDecimal.valueOf(window.millis()).divide(MS_PER_SECOND, DIVISION);
        BigDecimal cores = BigDecimal.ZERO;
        BigDecimal memoryBytes = BigDecimal.ZERO;
        List<String> withoutMetrics = new ArrayList<>();
        for (Pod pod : snapshot.pods()) {
            if (!isRunning(pod)) {
                continue;
            }
            ActualUsage.PodUse use = snapshot.actual().pods()
                    .get(ActualUsage.key(pod.getMetadata().getNamespace(), pod.getMetadata().getName()));
            if (use == null) {
                withoutMetrics.add(pod.getMetadata().getName());
                continue;
            }
            cores = cores.add(use.cores());
            memoryBytes = memoryBytes.add(use.memoryBytes());
        }
        List<SpooledRecord> records = List.of(
                record(deploymentId, Meters.CPU_USED, window, cores.multiply(seconds)),
                record(deploymentId, Meters.MEMORY_USED, window, memoryBytes.multiply(seconds).divide(GIB, DIVISION)));
        List<String> problems = withoutMetrics.isEmpty() ? List.of() : List.of("running pods without metrics in the "
                + "metrics API (yet), their use not counted in " + Meters.CPU_USED.name() + "/" + Meters.MEMORY_USED.name()
                + ": " + String.join(", ", withoutMetrics));
        return new ActualUse(records, problems);
    }

    private SpooledRecord record(String deploymentId, Meters.Meter meter, UsageWindow window, BigDecimal amount) {
        return new SpooledRecord(UsageKeys.key(agentId, deploymentId, meter.name(), window.startMs(), window.endMs()),
                deploymentId, meter.name(), meter.unit(), window.startMs(), window.endMs(), UsageQuantity.format(amount));
    }

    private static boolean isRunning(Pod pod) {
        return pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase()) && pod.getSpec() != null;
    }

    /** The container's request for {@code resource}; without one its limit (what Kubernetes defaults it to); else 0. */
    private static BigDecimal requested(ResourceRequirements resources, String resource) {
        if (resources == null) {
            return BigDecimal.ZERO;
        }
        Quantity quantity = get(resources.getRequests(), resource);
        if (quantity == null) {
            quantity = get(resources.getLimits(), resource);
        }
        return quantity == null ? BigDecimal.ZERO : Quantity.getAmountInBytes(quantity);
    }

    private static Quantity get(Map<String, Quantity> quantities, String resource) {
        return quantities == null ? null : quantities.get(resource);
    }
}

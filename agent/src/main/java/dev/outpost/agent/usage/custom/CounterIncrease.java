package dev.outpost.agent.usage.custom;

import java.math.BigDecimal;
import java.util.Optional;

/** How much a counter grew on one pod since its baseline, with resets handled as Prometheus does. */
public final class CounterIncrease {

    private CounterIncrease() {
    }

    /**
     * The increase to bill: {@code current − baseline}; the whole {@code current} after a reset (the
     * value went down, or a container of the pod restarted: the counter started again from 0). Without
     * a baseline the whole value only when the pod started since the last scrape (so it counted from 0
     * within the billed time), else 0: what it counted before the agent saw it is not known to be ours.
     */
    public static BigDecimal of(Optional<CounterBaseline> baseline, BigDecimal current, long restarts,
            boolean podStartedSinceLastScrape) {
        if (baseline.isEmpty()) {
            return podStartedSinceLastScrape ? current.max(BigDecimal.ZERO) : BigDecimal.ZERO;
        }
        BigDecimal previous = baseline.get().decimal();
        if (restarts > baseline.get().restarts() || current.compareTo(previous) < 0) {
            return current.max(BigDecimal.ZERO);
        }
        return current.subtract(previous);
    }
}

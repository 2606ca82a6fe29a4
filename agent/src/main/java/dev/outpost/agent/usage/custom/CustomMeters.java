package dev.outpost.agent.usage.custom;

import dev.outpost.agent.usage.SpooledRecord;
import dev.outpost.agent.usage.UsageWindow;
import dev.outpost.protocol.usage.UsageKeys;
import dev.outpost.protocol.usage.UsageQuantity;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns one round's scrapes of a deployment's pods into usage records of the meters they declare, and
 * the counter baselines for the next round. Pure: same scrapes and baselines, same records.
 * <ul>
 * <li>A counter is billed its increase since the last round, summed over pods, in the latest due
 *     window: after a gap (agent down) the whole increase lands there, the gap's windows get 0.
 * <li>A gauge is billed its value summed over pods, sampled now, in every due window (as the
 *     built-in meters are after a gap).
 * <li>A pod that did not answer keeps its baseline: its increase is billed when it next answers.
 * </ul>
 */
public final class CustomMeters {

    private CustomMeters() {
    }

    /** The round's records (every declared meter, 0 included), the baselines to keep, and what went wrong. */
    public record Measured(List<SpooledRecord> records, Map<String, CounterBaseline> baselines, List<String> problems) {

        public Measured {
            records = List.copyOf(records);
            baselines = Map.copyOf(baselines);
            problems = List.copyOf(problems);
        }
    }

    /** The key of a pod's counter baseline: one per deployment, meter and pod (by uid, so a recreated pod is new). */
    public static String baselineKey(String deploymentId, String meter, String podUid) {
        return deploymentId + " " + meter + " " + podUid;
    }

    /** {@code baselines} (keyed by {@link #baselineKey}) grouped by their deployment. */
    public static Map<String, Map<String, CounterBaseline>> byDeployment(Map<String, CounterBaseline> baselines) {
        Map<String, Map<String, CounterBaseline>> grouped = new HashMap<>();
        baselines.forEach((key, baseline) -> grouped
                .computeIfAbsent(key.substring(0, key.indexOf(' ')), deployment -> new HashMap<>()).put(key, baseline));
        return grouped;
    }

    /**
     * @param windows      the round's due windows, oldest first (not empty)
     * @param baselines    the deployment's baselines from the last round
     * @param lastScrapeMs when the last round scraped, 0 when none has
     */
    public static Measured measure(String agentId, String deploymentId, List<UsageWindow> windows, List<PodScrape> scrapes,
            Map<String, CounterBaseline> baselines, long lastScrapeMs) {
        List<PodScrape> pods = new ArrayList<>(scrapes);
        pods.sort(Comparator.comparing(PodScrape::podName)); // the first declaration of a meter wins, by pod name
        Map<String, MeterDeclaration> meters = new LinkedHashMap<>();
        Map<String, BigDecimal> totals = new HashMap<>();
        Map<String, CounterBaseline> kept = new HashMap<>();
        List<String> problems = new ArrayList<>();
        for (PodScrape pod : pods) {
            for (MeterDeclaration declared : pod.target().meters()) {
                MeterDeclaration meter = meters.putIfAbsent(declared.meter(), declared);
                if (meter != null && (meter.kind() != declared.kind() || !meter.unit().equals(declared.unit()))) {
                    problems.add("pod " + pod.podName() + " declares meter " + declared.meter() + " as "
                            + describe(declared) + " but another pod as " + describe(meter) + "; this pod's is ignored");
                    continue;
                }
                meter = meter == null ? declared : meter;
                String key = baselineKey(deploymentId, meter.meter(), pod.podUid());
                Optional<CounterBaseline> baseline = Optional.ofNullable(baselines.get(key));
                Optional<BigDecimal> current = pod.page().flatMap(page -> sum(page, declared));
                if (current.isEmpty()) {
                    if (pod.page().isPresent()) {
                        problems.add("pod " + pod.podName() + " serves no sample of " + declared.metric()
                                + declared.labels() + " for meter " + meter.meter());
                    }
                    baseline.ifPresent(b -> kept.put(key, b)); // billed when it answers again
                    continue;
                }
                BigDecimal amount;
                if (meter.kind() == MeterKind.COUNTER) {
                    boolean startedSince = lastScrapeMs > 0 && pod.startedAtMs() > lastScrapeMs;
                    amount = CounterIncrease.of(baseline, current.get(), pod.restarts(), startedSince);
                    kept.put(key, CounterBaseline.of(current.get(), pod.restarts()));
                } else if (current.get().signum() < 0) {
                    problems.add("pod " + pod.podName() + " reports gauge " + declared.metric() + " = "
                            + current.get().toPlainString() + " for meter " + meter.meter() + "; usage cannot be negative");
                    continue;
                } else {
                    amount = current.get();
                }
                totals.merge(meter.meter(), amount, BigDecimal::add);
            }
        }
        List<SpooledRecord> records = new ArrayList<>();
        for (MeterDeclaration meter : meters.values()) {
            BigDecimal total = totals.getOrDefault(meter.meter(), BigDecimal.ZERO);
            if (total.precision() - total.scale() > UsageQuantity.INTEGER_DIGITS) {
                problems.add("meter " + meter.meter() + " sums to more than " + UsageQuantity.INTEGER_DIGITS
                        + " digits; NOT recorded");
                continue;
            }
            for (UsageWindow window : windows) {
                // a counter's increase since the last round lands in the latest window; the earlier ones
                // of a gap get a record of 0, so every window of every meter has its record
                boolean latest = window.equals(windows.getLast());
                BigDecimal amount = meter.kind() == MeterKind.COUNTER && !latest ? BigDecimal.ZERO : total;
                records.add(new SpooledRecord(
                        UsageKeys.key(agentId, deploymentId, meter.meter(), window.startMs(), window.endMs()),
                        deploymentId, meter.meter(), meter.unit(), window.startMs(), window.endMs(),
                        UsageQuantity.format(amount)));
            }
        }
        return new Measured(records, kept, problems);
    }

    private static Optional<BigDecimal> sum(PrometheusText.Page page, MeterDeclaration meter) {
        BigDecimal sum = null;
        for (PrometheusText.Sample sample : page.samples()) {
            if (meter.matches(sample)) {
                sum = sum == null ? sample.value() : sum.add(sample.value());
            }
        }
        return Optional.ofNullable(sum);
    }

    private static String describe(MeterDeclaration meter) {
        return meter.kind().name().toLowerCase(java.util.Locale.ROOT) + " in " + meter.unit();
    }
}

package dev.outpost.agent.model;

import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a {@link ResourceDemand} fits one ResourceQuota: pure, one problem per resource, each in
 * words an operator can act on. A quota's {@code cpu} and {@code memory} are its {@code requests.}
 * ones, as in Kubernetes; resources the agent cannot count (e.g. {@code count/...}) are not checked.
 */
public final class QuotaFit {
    private static final int MAX_CONTAINERS_NAMED = 3;
    private static final BigDecimal MEBI = BigDecimal.valueOf(1024L * 1024);
    private static final BigDecimal GIBI = MEBI.multiply(BigDecimal.valueOf(1024));

    private QuotaFit() {
    }

    /**
     * @param quota names the quota in messages, e.g. "ResourceQuota apps/compute" or "the plan's quota"
     * @param hard the quota's limits
     * @param used what the namespace uses already; empty when the demand replaces all of it (a
     *             namespace of the deployment's own) or already includes it (an upgrade)
     */
    public static List<String> problems(ResourceDemand demand, String quota, Map<String, Quantity> hard,
                                        Optional<Map<String, Quantity>> used) {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Quantity> limit : hard.entrySet()) {
            String resource = canonical(limit.getKey());
            BigDecimal needed = demand.totals().get(resource);
            if (needed == null && !ResourceDemand.COMPUTE.contains(resource)) {
                continue;
            }
            List<String> unset = demand.unset().getOrDefault(resource, List.of());
            if (!unset.isEmpty()) {
                problems.add(quota + " limits " + resource + ", but " + named(unset) + " set" + (unset.size() == 1 ? "s" : "")
                        + " no " + resource.substring(resource.indexOf('.') + 1) + " request or limit and the namespace"
                        + " has no default: Kubernetes would refuse the pods");
            }
            if (needed == null || needed.signum() == 0) {
                continue;
            }
            BigDecimal allowed = limit.getValue().getNumericalAmount();
            BigDecimal taken = used.map(u -> u.get(limit.getKey())).map(Quantity::getNumericalAmount).orElse(BigDecimal.ZERO);
            BigDecimal free = allowed.subtract(taken).max(BigDecimal.ZERO);
            if (needed.compareTo(allowed) > 0) {
                problems.add(quota + " allows " + resource + " " + format(resource, allowed) + ", the deployment needs "
                        + format(resource, needed));
            } else if (needed.compareTo(free) > 0) {
                problems.add(quota + " has " + resource + " " + format(resource, free) + " free of " + format(resource, allowed)
                        + ", the deployment needs " + format(resource, needed));
            }
        }
        return problems;
    }

    /** "cpu" and "memory" in a quota mean their requests. */
    static String canonical(String resource) {
        return switch (resource) {
            case "cpu", "memory" -> "requests." + resource;
            default -> resource;
        };
    }

    /** An amount as people write it: "500m" or "2" cores, "512Mi" or "3Gi" bytes. */
    static String format(String resource, BigDecimal amount) {
        if (resource.endsWith("cpu")) {
            return amount.stripTrailingZeros().scale() > 0
                    ? amount.multiply(BigDecimal.valueOf(1000)).setScale(0, RoundingMode.CEILING).toPlainString() + "m"
                    : amount.stripTrailingZeros().toPlainString();
        }
        if (resource.endsWith("memory") || resource.endsWith("storage")) {
            if (amount.compareTo(GIBI) >= 0 && amount.remainder(GIBI).signum() == 0) {
                return amount.divide(GIBI).toPlainString() + "Gi";
            }
            if (amount.compareTo(MEBI) >= 0) {
                return amount.divide(MEBI, 1, RoundingMode.CEILING).stripTrailingZeros().toPlainString() + "Mi";
            }
        }
        return amount.stripTrailingZeros().toPlainString();
    }

    private static String named(List<String> containers) {
        List<String> shown = containers.subList(0, Math.min(containers.size(), MAX_CONTAINERS_NAMED));
        String more = containers.size() > shown.size() ? " and " + (containers.size() - shown.size()) + " more" : "";
        return String.join(", ", shown) + more;
    }
}

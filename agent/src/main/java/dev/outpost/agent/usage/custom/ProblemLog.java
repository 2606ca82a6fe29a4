package dev.outpost.agent.usage.custom;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Remembers, per deployment, the problems warned about last round, so a lasting problem is logged
 * once when it starts, not every round. Used by one thread (a metering or sampling loop).
 */
public final class ProblemLog {
    private final Map<String, Set<String>> last = new HashMap<>();

    /** The problems of {@code deploymentId} this round that were not there last round (to log now). */
    public List<String> fresh(String deploymentId, Collection<String> problems) {
        Set<String> now = new LinkedHashSet<>(problems);
        Set<String> before = last.getOrDefault(deploymentId, Set.of());
        if (now.isEmpty()) {
            last.remove(deploymentId);
        } else {
            last.put(deploymentId, now);
        }
        return now.stream().filter(problem -> !before.contains(problem)).toList();
    }

    /** Forgets deployments not among {@code current} (deleted since). */
    public void retain(Collection<String> current) {
        last.keySet().retainAll(Set.copyOf(current));
    }
}

package dev.outpost.agent.drift;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides an object's drift entry from what was applied, what is live and what was reported before.
 * Pure: the watcher feeds it cluster state, tests feed it maps.
 */
final class DriftRules {
    private DriftRules() {
    }

    /**
     * The object's entry now.
     *
     * @param live the live object, or null when it is gone
     * @return empty when the object is in line and was never healed; a healed entry stays (the record
     *     that the agent put it back) until the deployment is applied again; an unchanged drift keeps
     *     the time it was first seen
     */
    static Optional<DriftEntry> evaluate(AppliedObject applied, Map<String, Object> live,
                                         Optional<DriftEntry> previous, long nowMs) {
        DriftEntry seen;
        if (live == null) {
            seen = DriftEntry.of(applied.ref(), DriftEntry.Change.DELETED, List.of(), nowMs);
        } else {
            List<String> fields = ObjectDiff.differingFields(applied.body(), live);
            if (fields.isEmpty()) {
                return previous.filter(DriftEntry::healed);
            }
            seen = DriftEntry.of(applied.ref(), DriftEntry.Change.MODIFIED, fields, nowMs);
        }
        if (previous.isPresent() && !previous.get().healed() && previous.get().sameDrift(seen)) {
            return previous; // the same drift as before: it keeps the time it was first seen
        }
        return Optional.of(seen);
    }
}

package dev.outpost.hub.drift;

import io.micronaut.core.annotation.Nullable;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * A deployment's current drift.
 *
 * @param driftedSince the earliest {@code since} of the objects not healed; null when none is drifted
 */
public record DeploymentDrift(List<DriftedObject> objects, @Nullable Instant driftedSince) {
    /** No drift. */
    public static final DeploymentDrift NONE = new DeploymentDrift(List.of(), null);

    public DeploymentDrift {
        objects = List.copyOf(objects);
    }

    /** The drift of these objects, {@code driftedSince} derived from them. */
    public static DeploymentDrift of(List<DriftedObject> objects) {
        return new DeploymentDrift(objects, objects.stream().filter(o -> !o.healed()).map(DriftedObject::since)
                .min(Comparator.naturalOrder()).orElse(null));
    }
}

package dev.outpost.hub.drift;

import com.fasterxml.jackson.annotation.JsonValue;
import io.micronaut.core.annotation.Nullable;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * One object of a deployment that differs from what its agent applied, as the REST API shows it.
 *
 * @param namespace null for a cluster-scoped object
 * @param fields the differing field paths (e.g. {@code spec.replicas}); empty when deleted
 * @param since when the agent first saw this drift (never later than when the hub heard of it)
 * @param healed the agent re-applied the object (policy heal) and it matched again
 * @param lastSeenAt when the agent last reported it
 */
public record DriftedObject(String apiVersion, String kind, @Nullable String namespace, String name, Change change,
                            List<String> fields, Instant since, boolean healed, Instant lastSeenAt) {

    public DriftedObject {
        fields = List.copyOf(fields);
    }

    /** How the object drifted. */
    public enum Change {
        MODIFIED, DELETED;

        @JsonValue
        public String json() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}

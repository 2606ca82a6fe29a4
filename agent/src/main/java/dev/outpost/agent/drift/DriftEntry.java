package dev.outpost.agent.drift;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.outpost.agent.model.ObjectRef;
import dev.outpost.protocol.v1.DriftChange;
import dev.outpost.protocol.v1.DriftedObject;
import java.util.List;

/**
 * One object that differs from what was applied (or did, and was healed).
 *
 * @param fields differing field paths; empty when deleted
 * @param detectedAtMs when this drift was first seen (unchanged while it stays the same drift)
 */
public record DriftEntry(String apiVersion, String kind, String namespace, String name, Change change,
                         List<String> fields, long detectedAtMs, boolean healed) {
    /** Longest field path sent; longer ones are cut (annotation keys can be long). */
    static final int MAX_PATH_CHARS = 256;

    /** How the object drifted. */
    public enum Change {
        MODIFIED, DELETED
    }

    public DriftEntry {
        fields = List.copyOf(fields);
    }

    static DriftEntry of(ObjectRef ref, Change change, List<String> fields, long detectedAtMs) {
        return new DriftEntry(ref.apiVersion(), ref.kind(), ref.namespace(), ref.name(), change, fields,
                detectedAtMs, false);
    }

    @JsonIgnore
    public ObjectRef ref() {
        return new ObjectRef(apiVersion, kind, namespace, name);
    }

    /** The same drift, re-applied by the agent and in line again. */
    DriftEntry asHealed() {
        return new DriftEntry(apiVersion, kind, namespace, name, change, fields, detectedAtMs, true);
    }

    /** Whether {@code other} is the same drift (same change, same fields), whatever its times. */
    boolean sameDrift(DriftEntry other) {
        return change == other.change && fields.equals(other.fields);
    }

    DriftedObject toProto() {
        return DriftedObject.newBuilder().setApiVersion(apiVersion).setKind(kind)
                .setNamespace(namespace == null ? "" : namespace).setName(name)
                .setChange(change == Change.DELETED ? DriftChange.DRIFT_CHANGE_DELETED : DriftChange.DRIFT_CHANGE_MODIFIED)
                .addAllFields(fields.stream().map(f -> f.length() <= MAX_PATH_CHARS ? f
                        : f.substring(0, MAX_PATH_CHARS - 1) + "…").toList())
                .setDetectedAtUnixMs(detectedAtMs).setHealed(healed).build();
    }
}

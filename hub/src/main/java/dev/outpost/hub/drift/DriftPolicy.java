package dev.outpost.hub.drift;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.Optional;

/** What a deployment's agent does when someone else changes its objects (docs/drift.md). */
public enum DriftPolicy {
    /** Report the drift; change nothing. */
    REPORT,
    /** Report it and re-apply what was applied (deleted objects are recreated), a bounded number of times. */
    HEAL;

    @JsonValue
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The policy named {@code text} ("report", "heal"), or empty. */
    public static Optional<DriftPolicy> parse(String text) {
        for (DriftPolicy policy : values()) {
            if (policy.json().equals(text)) {
                return Optional.of(policy);
            }
        }
        return Optional.empty();
    }

    @JsonCreator
    static DriftPolicy fromJson(String text) {
        return parse(text).orElseThrow(() -> new IllegalArgumentException("must be report or heal"));
    }

    /** As the command carries it to the agent. */
    public dev.outpost.protocol.v1.DriftPolicy toProto() {
        return this == HEAL ? dev.outpost.protocol.v1.DriftPolicy.DRIFT_POLICY_HEAL
                : dev.outpost.protocol.v1.DriftPolicy.DRIFT_POLICY_REPORT;
    }
}

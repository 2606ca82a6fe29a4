package dev.outpost.agent.drift;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.protocol.GrpcLimits;
import dev.outpost.protocol.v1.DriftChange;
import dev.outpost.protocol.v1.DriftReport;
import dev.outpost.protocol.v1.DriftedObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DriftRulesTest {
    private static final AppliedObject CONFIG = AppliedObject.of(Map.of("apiVersion", "v1", "kind", "ConfigMap",
            "metadata", Map.of("name", "redis-config", "namespace", "ns"), "data", Map.of("maxmemory", "100mb")));
    private static final Map<String, Object> IN_LINE = Map.of("metadata", Map.of("name", "redis-config"),
            "data", Map.of("maxmemory", "100mb"));
    private static final Map<String, Object> EDITED = Map.of("metadata", Map.of("name", "redis-config"),
            "data", Map.of("maxmemory", "2gb"));

    @Test
    void anObjectInLineHasNoEntry() {
        assertThat(DriftRules.evaluate(CONFIG, IN_LINE, Optional.empty(), 1000)).isEmpty();
    }

    @Test
    void anEditIsModifiedWithItsFieldsAndKeepsTheTimeItWasFirstSeen() {
        DriftEntry first = DriftRules.evaluate(CONFIG, EDITED, Optional.empty(), 1000).orElseThrow();
        assertThat(first.change()).isEqualTo(DriftEntry.Change.MODIFIED);
        assertThat(first.fields()).containsExactly("data.maxmemory");
        assertThat(first.detectedAtMs()).isEqualTo(1000);
        assertThat(first.healed()).isFalse();

        assertThat(DriftRules.evaluate(CONFIG, EDITED, Optional.of(first), 5000)).contains(first);
    }

    @Test
    void aDeletionIsDeletedWithoutFields() {
        DriftEntry gone = DriftRules.evaluate(CONFIG, null, Optional.empty(), 1000).orElseThrow();
        assertThat(gone.change()).isEqualTo(DriftEntry.Change.DELETED);
        assertThat(gone.fields()).isEmpty();
    }

    @Test
    void anEditUndoneByHandClearsTheEntry() {
        DriftEntry first = DriftRules.evaluate(CONFIG, EDITED, Optional.empty(), 1000).orElseThrow();
        assertThat(DriftRules.evaluate(CONFIG, IN_LINE, Optional.of(first), 2000)).isEmpty();
    }

    @Test
    void aHealedEntryStaysAsTheRecordUntilItDriftsAgain() {
        DriftEntry healed = DriftRules.evaluate(CONFIG, EDITED, Optional.empty(), 1000).orElseThrow().asHealed();
        assertThat(DriftRules.evaluate(CONFIG, IN_LINE, Optional.of(healed), 2000)).contains(healed);

        DriftEntry again = DriftRules.evaluate(CONFIG, EDITED, Optional.of(healed), 3000).orElseThrow();
        assertThat(again.healed()).isFalse();
        assertThat(again.detectedAtMs()).isEqualTo(3000);
    }

    @Test
    void theReportListsOldestFirstAndIsBoundedByTheProtocolLimit() {
        List<DriftEntry> entries = new ArrayList<>();
        for (int i = 0; i < GrpcLimits.MAX_DRIFTED_OBJECTS + 20; i++) {
            AppliedObject object = AppliedObject.of(Map.of("apiVersion", "v1", "kind", "ConfigMap",
                    "metadata", Map.of("name", "c" + i, "namespace", "ns")));
            entries.add(DriftEntry.of(object.ref(), DriftEntry.Change.DELETED, List.of(), 10_000 - i));
        }
        DriftReport report = new TrackedDeployment("dep-1", TrackedDeployment.Policy.REPORT, List.of(), entries,
                false).report();

        assertThat(report.getDeploymentId()).isEqualTo("dep-1");
        assertThat(report.getObjectsList()).hasSize(GrpcLimits.MAX_DRIFTED_OBJECTS);
        assertThat(report.getObjects(0).getName()).isEqualTo("c" + (GrpcLimits.MAX_DRIFTED_OBJECTS + 19));
        assertThat(report.getObjects(0).getChange()).isEqualTo(DriftChange.DRIFT_CHANGE_DELETED);
    }

    @Test
    void theReportCutsOverlongFieldPaths() {
        String longKey = "a".repeat(400);
        DriftEntry entry = DriftEntry.of(CONFIG.ref(), DriftEntry.Change.MODIFIED, List.of("data." + longKey), 1);
        DriftedObject sent = entry.toProto();
        assertThat(sent.getFields(0)).hasSize(DriftEntry.MAX_PATH_CHARS).endsWith("…");
        assertThat(sent.getNamespace()).isEqualTo("ns");
        assertThat(sent.getKind()).isEqualTo("ConfigMap");
    }

    @Test
    void anEntryChangeMakesTheDeploymentUnreportedAndTheSameEntryChangesNothing() {
        TrackedDeployment reported = new TrackedDeployment("dep-1", TrackedDeployment.Policy.REPORT, List.of(CONFIG),
                List.of(), true);
        String identity = CONFIG.ref().identity();
        assertThat(reported.withEntry(identity, Optional.empty())).isSameAs(reported);

        DriftEntry entry = DriftRules.evaluate(CONFIG, EDITED, Optional.empty(), 1).orElseThrow();
        TrackedDeployment drifted = reported.withEntry(identity, Optional.of(entry));
        assertThat(drifted.reported()).isFalse();
        assertThat(drifted.entry(identity)).contains(entry);
        assertThat(drifted.markReported().withEntry(identity, Optional.of(entry)).reported()).isTrue();
    }
}

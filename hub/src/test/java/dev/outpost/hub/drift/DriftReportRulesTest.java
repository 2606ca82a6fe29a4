package dev.outpost.hub.drift;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.protocol.GrpcLimits;
import dev.outpost.protocol.v1.DriftChange;
import dev.outpost.protocol.v1.DriftReport;
import dev.outpost.protocol.v1.DriftedObject;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DriftReportRulesTest {
    private static final DriftedObject SCALED = DriftedObject.newBuilder().setApiVersion("apps/v1")
            .setKind("StatefulSet").setNamespace("apps").setName("redis").setChange(DriftChange.DRIFT_CHANGE_MODIFIED)
            .addFields("spec.replicas").setDetectedAtUnixMs(1_700_000_000_000L).build();

    private static DriftReport report(DriftedObject... objects) {
        return DriftReport.newBuilder().setDeploymentId("dep_1").addAllObjects(List.of(objects)).build();
    }

    @Test
    void anHonestReportAndAnEmptyOneAreAccepted() {
        assertThat(DriftReportRules.problem(report(SCALED))).isEmpty();
        assertThat(DriftReportRules.problem(report())).isEmpty();
        assertThat(DriftReportRules.problem(report(SCALED.toBuilder().setNamespace("").build()))).isEmpty();
    }

    @Test
    void theDeploymentIdIsRequired() {
        assertThat(DriftReportRules.problem(DriftReport.newBuilder().addObjects(SCALED).build()))
                .contains("drift.deployment_id is required");
    }

    @Test
    void moreObjectsThanTheProtocolAllowsAreRefused() {
        DriftReport.Builder many = DriftReport.newBuilder().setDeploymentId("dep_1");
        for (int i = 0; i <= GrpcLimits.MAX_DRIFTED_OBJECTS; i++) {
            many.addObjects(SCALED.toBuilder().setName("redis-" + i));
        }
        assertThat(DriftReportRules.problem(many.build())).contains("drift.objects has 201 entries, more than the 200 allowed");
    }

    @Test
    void eachObjectFieldIsCheckedNamingIt() {
        assertThat(DriftReportRules.problem(report(SCALED, SCALED.toBuilder().setKind("").build())))
                .contains("drift.objects[1].kind is required");
        assertThat(DriftReportRules.problem(report(SCALED.toBuilder().setName("x\ny").build())))
                .hasValueSatisfying(p -> assertThat(p).startsWith("drift.objects[0].name must not contain control characters"));
        assertThat(DriftReportRules.problem(report(SCALED.toBuilder().setNamespace("n".repeat(64)).build())))
                .contains("drift.objects[0].namespace must be at most 63 characters (has 64)");
        assertThat(DriftReportRules.problem(report(SCALED.toBuilder().setChange(DriftChange.DRIFT_CHANGE_UNSPECIFIED).build())))
                .contains("drift.objects[0].change must be MODIFIED or DELETED");
        assertThat(DriftReportRules.problem(report(SCALED.toBuilder().addFields("f".repeat(257)).build())))
                .contains("drift.objects[0].fields[1] must be at most 256 characters (has 257)");
        assertThat(DriftReportRules.problem(report(SCALED.toBuilder().setDetectedAtUnixMs(-1).build())))
                .contains("drift.objects[0].detected_at_unix_ms is out of range (-1)");
    }

    @Test
    void tooManyFieldPathsOrTheSameObjectTwiceAreRefused() {
        DriftedObject.Builder fields = SCALED.toBuilder();
        for (int i = 0; i < DriftReportRules.MAX_FIELDS; i++) {
            fields.addFields("data.k" + i);
        }
        assertThat(DriftReportRules.problem(report(fields.build())))
                .contains("drift.objects[0].fields has 51 entries, more than the 50 allowed");
        assertThat(DriftReportRules.problem(report(SCALED, SCALED)))
                .contains("drift.objects[1] names StatefulSet/redis a second time");
    }

    @Test
    void driftedSinceIsTheEarliestUnhealedDrift() {
        Instant early = Instant.parse("2026-12-03T06:00:00Z");
        Instant late = early.plusSeconds(60);
        dev.outpost.hub.drift.DriftedObject.Change modified = dev.outpost.hub.drift.DriftedObject.Change.MODIFIED;
        dev.outpost.hub.drift.DriftedObject healed = new dev.outpost.hub.drift.DriftedObject("v1", "ConfigMap", "apps",
                "a", modified, List.of("data.x"), early, true, late);
        dev.outpost.hub.drift.DriftedObject open = new dev.outpost.hub.drift.DriftedObject("v1", "ConfigMap", "apps",
                "b", modified, List.of("data.x"), late, false, late);
        assertThat(DeploymentDrift.of(List.of(healed, open)).driftedSince()).isEqualTo(late);
        assertThat(DeploymentDrift.of(List.of(healed)).driftedSince()).isNull();
        assertThat(DriftPolicy.parse("heal")).contains(DriftPolicy.HEAL);
        assertThat(DriftPolicy.parse("HEAL")).isEmpty();
    }
}

package dev.outpost.hub.drift;

import dev.outpost.protocol.FieldLimits;
import dev.outpost.protocol.GrpcLimits;
import dev.outpost.protocol.text.FreeText;
import dev.outpost.protocol.v1.DriftChange;
import dev.outpost.protocol.v1.DriftReport;
import dev.outpost.protocol.v1.DriftedObject;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The field rules of a {@code DriftReport}: what is wrong, naming the field, or empty. A report that
 * breaks one can never be accepted as sent, so the stream is closed with INVALID_ARGUMENT, as for any
 * other malformed message.
 */
public final class DriftReportRules {
    /** Most field paths per object (the agent sends at most 50). */
    public static final int MAX_FIELDS = 50;
    public static final int FIELD_CHARS = 256;
    public static final int API_VERSION_CHARS = 253;
    public static final int KIND_CHARS = 100;
    public static final int NAMESPACE_CHARS = 63;
    public static final int NAME_CHARS = 253;

    private DriftReportRules() {
    }

    /** What is wrong with the report, or empty. */
    public static Optional<String> problem(DriftReport report) {
        Optional<String> id = FreeText.problem(report.getDeploymentId(), FieldLimits.ID_CHARS)
                .map(p -> "drift.deployment_id " + p);
        if (id.isPresent()) {
            return id;
        }
        if (report.getObjectsCount() > GrpcLimits.MAX_DRIFTED_OBJECTS) {
            return Optional.of("drift.objects has " + report.getObjectsCount() + " entries, more than the "
                    + GrpcLimits.MAX_DRIFTED_OBJECTS + " allowed");
        }
        Set<String> seen = new HashSet<>();
        List<DriftedObject> objects = report.getObjectsList();
        for (int i = 0; i < objects.size(); i++) {
            Optional<String> problem = objectProblem("drift.objects[" + i + "]", objects.get(i), seen);
            if (problem.isPresent()) {
                return problem;
            }
        }
        return Optional.empty();
    }

    private static Optional<String> objectProblem(String field, DriftedObject object, Set<String> seen) {
        Optional<String> text = text(field + ".api_version", object.getApiVersion(), API_VERSION_CHARS)
                .or(() -> text(field + ".kind", object.getKind(), KIND_CHARS))
                .or(() -> text(field + ".name", object.getName(), NAME_CHARS))
                .or(() -> object.getNamespace().isEmpty() ? Optional.empty()
                        : text(field + ".namespace", object.getNamespace(), NAMESPACE_CHARS));
        if (text.isPresent()) {
            return text;
        }
        if (object.getChange() != DriftChange.DRIFT_CHANGE_MODIFIED && object.getChange() != DriftChange.DRIFT_CHANGE_DELETED) {
            return Optional.of(field + ".change must be MODIFIED or DELETED");
        }
        if (object.getFieldsCount() > MAX_FIELDS) {
            return Optional.of(field + ".fields has " + object.getFieldsCount() + " entries, more than the "
                    + MAX_FIELDS + " allowed");
        }
        for (int j = 0; j < object.getFieldsCount(); j++) {
            Optional<String> path = text(field + ".fields[" + j + "]", object.getFields(j), FIELD_CHARS);
            if (path.isPresent()) {
                return path;
            }
        }
        if (object.getDetectedAtUnixMs() < 0 || object.getDetectedAtUnixMs() > FieldLimits.LATEST_UNIX_MS) {
            return Optional.of(field + ".detected_at_unix_ms is out of range (" + object.getDetectedAtUnixMs() + ")");
        }
        String identity = object.getApiVersion() + "/" + object.getKind() + "/" + object.getNamespace() + "/"
                + object.getName();
        if (!seen.add(identity)) {
            return Optional.of(field + " names " + FreeText.forLog(object.getKind() + "/" + object.getName())
                    + " a second time");
        }
        return Optional.empty();
    }

    private static Optional<String> text(String field, String value, int max) {
        return FreeText.problem(value, max).map(p -> field + " " + p);
    }
}

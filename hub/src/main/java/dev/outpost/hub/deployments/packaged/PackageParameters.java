package dev.outpost.hub.deployments.packaged;

import dev.outpost.hub.api.ApiException;
import dev.outpost.hub.api.Problem;
import dev.outpost.hub.api.RequestBinder;
import dev.outpost.hub.packages.ParameterViolation;
import io.micronaut.http.HttpStatus;
import java.util.List;
import java.util.Map;

/** How parameter violations of a package deployment reach the caller. */
public final class PackageParameters {
    /** The pointer the planner gives an unknown plan (the request's {@code plan} field). */
    static final String PLAN_POINTER = "/plan";

    private PackageParameters() {
    }

    /**
     * The request-body pointer of a violation: the planner's pointers are into the parameters object,
     * except {@code /plan}, which is the request's plan field.
     */
    static String bodyPointer(ParameterViolation violation) {
        String pointer = violation.pointer() == null ? "" : violation.pointer();
        if (PLAN_POINTER.equals(pointer)) {
            return pointer;
        }
        return "/parameters" + (pointer.isEmpty() || pointer.startsWith("/") ? pointer : "/" + pointer);
    }

    /** The 422 that lists every violation at its pointer, or nothing when there is none. */
    static void throwIfAny(List<ParameterViolation> violations) {
        if (violations.isEmpty()) {
            return;
        }
        List<Problem.FieldError> errors = violations.stream()
                .map(v -> new Problem.FieldError(bodyPointer(v), v.message()))
                .toList();
        String detail = errors.size() == 1 ? errors.getFirst().field() + ": " + errors.getFirst().message()
                : errors.size() + " parameters break the package's schema";
        throw new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, detail, errors);
    }

    /** The 422 for an update that would turn a manifests deployment into a package one, or back. */
    public static ApiException kindChange(String deploymentId, String releaseId, boolean toPackage) {
        return ApiException.unprocessable("releaseId", "release " + releaseId + " is a " + (toPackage ? "package" : "manifests")
                + " release and deployment " + deploymentId + " is of a " + (toPackage ? "manifests" : "package")
                + " release; a deployment keeps its kind: create a new deployment instead");
    }

    /**
     * The parameters of a manifests release as strings, recording every value of another JSON type at
     * its pointer (manifests templates take strings only); null when any is not a string.
     */
    public static Map<String, String> strings(dev.outpost.hub.api.Validation v, String field, Map<String, Object> parameters) {
        Map<String, String> strings = new java.util.LinkedHashMap<>();
        boolean ok = true;
        for (Map.Entry<String, Object> e : parameters.entrySet()) {
            if (e.getValue() instanceof String s) {
                strings.put(e.getKey(), s);
            } else {
                ok = false;
                v.error(RequestBinder.pointer(RequestBinder.pointer("", field), e.getKey()),
                        "must be a string (got " + kind(e.getValue()) + "); only package releases take other JSON values");
            }
        }
        return ok ? strings : null;
    }

    /** What a bound JSON value is, in words for an error message. */
    static String kind(Object value) {
        return switch (value) {
            case null -> "null";
            case String s -> "a string";
            case Boolean b -> "a boolean";
            case Long l -> "an integer";
            case Integer i -> "an integer";
            case java.math.BigInteger i -> "an integer";
            case Number n -> "a number with a fraction or exponent";
            case List<?> l -> "an array";
            case Map<?, ?> m -> "an object";
            default -> "a value of another kind";
        };
    }
}

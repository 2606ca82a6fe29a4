package dev.outpost.hub.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.micronaut.http.HttpStatus;
import java.util.List;

/** An RFC 9457 problem document, the body of every error response of the REST API. */
public record Problem(
        String type,
        String title,
        int status,
        String detail,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<FieldError> errors) {

    /** Content type of every error response. */
    public static final String CONTENT_TYPE = "application/problem+json";
    private static final String TYPE_BASE = "https://outpost.dev/problems/";

    /** One invalid field of a request and what is wrong with it. */
    public record FieldError(String field, String message) {
    }

    /** A problem of the given status whose type is derived from it, e.g. .../problems/not-found. */
    public static Problem of(HttpStatus status, String detail) {
        return of(status, detail, List.of());
    }

    /** As {@link #of(HttpStatus, String)}, with invalid fields listed. */
    public static Problem of(HttpStatus status, String detail, List<FieldError> errors) {
        return new Problem(TYPE_BASE + slug(status), status.getReason(), status.getCode(), detail, errors);
    }

    static String slug(HttpStatus status) {
        return switch (status) {
            case BAD_REQUEST -> "bad-request";
            case UNAUTHORIZED -> "unauthorized";
            case FORBIDDEN -> "forbidden";
            case NOT_FOUND -> "not-found";
            case METHOD_NOT_ALLOWED -> "method-not-allowed";
            case CONFLICT -> "conflict";
            case UNSUPPORTED_MEDIA_TYPE -> "unsupported-media-type";
            case UNPROCESSABLE_ENTITY -> "validation";
            case REQUEST_ENTITY_TOO_LARGE -> "body-too-large";
            case REQUEST_URI_TOO_LONG -> "request-line-too-long";
            case REQUEST_HEADER_FIELDS_TOO_LARGE -> "headers-too-large";
            default -> status.getCode() >= 500 ? "internal" : "http-" + status.getCode();
        };
    }
}

package dev.outpost.hub.api;

import io.micronaut.http.HttpStatus;
import java.util.List;

/** An error the API reports on purpose; its message is safe to show to the caller. */
public class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final HttpStatus status;
    private final transient List<Problem.FieldError> errors;

    public ApiException(HttpStatus status, String detail) {
        this(status, detail, List.of());
    }

    public ApiException(HttpStatus status, String detail, List<Problem.FieldError> errors) {
        super(detail, null, false, false); // expected errors: no stack trace needed
        this.status = status;
        this.errors = List.copyOf(errors);
    }

    public HttpStatus status() {
        return status;
    }

    public List<Problem.FieldError> errors() {
        return errors;
    }

    /** The problem document for this error. */
    public Problem toProblem() {
        return Problem.of(status, getMessage(), errors);
    }

    /** 404: the object does not exist, or the caller may not see it (the two are not told apart). */
    public static ApiException notFound(String what, String id) {
        return new ApiException(HttpStatus.NOT_FOUND, what + " " + id + " not found");
    }

    /** 422 about one field of the request, e.g. a namespace mode the agent cannot carry out. */
    public static ApiException unprocessable(String field, String message) {
        return new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, field + ": " + message,
                List.of(new Problem.FieldError(RequestBinder.pointer("", field), message)));
    }

    /** 409: the request clashes with the current state. */
    public static ApiException conflict(String detail) {
        return new ApiException(HttpStatus.CONFLICT, detail);
    }

    /** 403: the caller is known but may not do this. */
    public static ApiException forbidden(String detail) {
        return new ApiException(HttpStatus.FORBIDDEN, detail);
    }

    /** 400: the request's fields are invalid; each is listed. */
    public static ApiException invalid(List<Problem.FieldError> errors) {
        String detail = errors.size() == 1
                ? errors.getFirst().field() + ": " + errors.getFirst().message()
                : errors.size() + " fields are invalid";
        return new ApiException(HttpStatus.BAD_REQUEST, detail, errors);
    }
}

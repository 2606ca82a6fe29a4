package dev.outpost.hub.api;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.exceptions.response.Error;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Turns every error response Micronaut produces (unknown route, wrong method, malformed JSON, wrong
 * content type, unhandled exception...) and every {@link ApiException} into problem+json. Server
 * errors get a generic detail: their cause goes to the log only, never to the client.
 */
@Singleton
@Replaces(ErrorResponseProcessor.class)
public class ProblemResponseProcessor implements ErrorResponseProcessor<Problem> {
    static final String INTERNAL_DETAIL = "the hub hit an unexpected error; its log has the details";

    @Override
    public MutableHttpResponse<Problem> processResponse(ErrorContext context, MutableHttpResponse<?> response) {
        Problem problem = context.getRootCause()
                .filter(ApiException.class::isInstance)
                .map(cause -> ((ApiException) cause).toProblem())
                .orElseGet(() -> Problem.of(response.status(), detail(context, response.status())));
        return response.contentType(Problem.CONTENT_TYPE).body(problem);
    }

    static String detail(ErrorContext context, HttpStatus status) {
        if (status.getCode() >= 500) {
            return INTERNAL_DETAIL;
        }
        Optional<String> json = context.getRootCause().flatMap(ProblemResponseProcessor::jsonProblem);
        return json.orElseGet(() -> context.getErrors().stream().map(Error::getMessage).findFirst()
                .orElse(status.getReason()));
    }

    /**
     * Says what is wrong with a request body Jackson could not read, without the Java class names
     * Micronaut's own message carries: the field and the problem, or where the JSON breaks off.
     */
    static Optional<String> jsonProblem(Throwable error) {
        // Syntax errors first: Jackson wraps them in a mapping exception that has a field path too.
        Optional<StreamReadException> syntax = cause(error, StreamReadException.class);
        if (syntax.isPresent()) {
            JsonLocation at = syntax.get().getLocation();
            return Optional.of("request body is not valid JSON: " + syntax.get().getOriginalMessage()
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        }
        return cause(error, JsonMappingException.class).filter(e -> !e.getPath().isEmpty()).map(mapping -> {
            String field = mapping.getPath().stream()
                    .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
            return "invalid value for '" + field + "': " + mapping.getOriginalMessage();
        });
    }

    private static <T extends Throwable> Optional<T> cause(Throwable error, Class<T> type) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return Optional.of(type.cast(t));
            }
        }
        return Optional.empty();
    }
}

package dev.outpost.hub.api;

import io.micronaut.context.annotation.Replaces;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.exceptions.response.Error;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;

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
        return context.getErrors().stream().map(Error::getMessage).findFirst().orElse(status.getReason());
    }
}

package dev.outpost.hub.api;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;

/** Answers an {@link ApiException} with its status and problem document. */
@Singleton
public class ApiExceptionHandler implements ExceptionHandler<ApiException, HttpResponse<?>> {
    private final ErrorResponseProcessor<?> processor;

    public ApiExceptionHandler(ErrorResponseProcessor<?> processor) {
        this.processor = processor;
    }

    @Override
    public HttpResponse<?> handle(HttpRequest request, ApiException exception) {
        return processor.processResponse(
                ErrorContext.builder(request).cause(exception).errorMessage(exception.getMessage()).build(),
                HttpResponse.status(exception.status()));
    }
}

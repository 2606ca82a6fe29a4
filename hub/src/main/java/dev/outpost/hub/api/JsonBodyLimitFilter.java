package dev.outpost.hub.api;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;

/**
 * Answers 413 before reading a JSON body that declares more than {@link #MAX_JSON_BODY_BYTES}: the
 * server's own limit (micronaut.server.max-request-size, 20 MB) is sized for package archives, and no
 * JSON request needs a fraction of it. A chunked body without Content-Length is held to the server's limit.
 */
@ServerFilter("/api/**")
public class JsonBodyLimitFilter {
    /** Largest JSON request body, in bytes (4 MiB): the largest real one, a deployment's parameters, is far smaller. */
    public static final long MAX_JSON_BODY_BYTES = 4L * 1024 * 1024;
    private static final String PACKAGES = "/api/v1/packages";

    /** Lets the request through, or answers 413 problem+json. */
    @RequestFilter
    @Nullable
    public HttpResponse<?> limit(HttpRequest<?> request) {
        long length = request.getContentLength();
        if (length <= MAX_JSON_BODY_BYTES || PACKAGES.equals(request.getPath())) {
            return null;
        }
        return HttpResponse.status(HttpStatus.REQUEST_ENTITY_TOO_LARGE).contentType(Problem.CONTENT_TYPE)
                .body(Problem.of(HttpStatus.REQUEST_ENTITY_TOO_LARGE, "the request body has " + length
                        + " bytes; JSON requests take at most " + MAX_JSON_BODY_BYTES + " (4 MiB)"));
    }
}

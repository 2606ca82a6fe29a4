package dev.outpost.hub.auth;

import dev.outpost.hub.api.Problem;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * Requires {@code Authorization: Bearer <token>} on every /api request except the OpenAPI document,
 * and records the {@link Caller} on the request for {@link CallerBinder}.
 */
@ServerFilter("/api/**")
public class AuthFilter {
    static final String CALLER_ATTRIBUTE = "outpost.caller";
    private static final String PUBLIC_PATH = "/api/v1/openapi.yaml";
    private static final String BEARER = "Bearer ";

    private final ApiTokenStore tokens;

    public AuthFilter(ApiTokenStore tokens) {
        this.tokens = tokens;
    }

    /** Lets the request through with its caller, or answers 401. */
    @RequestFilter
    @ExecuteOn(TaskExecutors.BLOCKING) // looks the token up in the database
    @Nullable
    public HttpResponse<?> authenticate(HttpRequest<?> request) {
        if (PUBLIC_PATH.equals(request.getPath())) {
            return null;
        }
        Optional<Caller> caller = request.getHeaders().getAuthorization()
                .filter(value -> value.regionMatches(true, 0, BEARER, 0, BEARER.length()))
                .map(value -> value.substring(BEARER.length()).trim())
                .filter(token -> !token.isEmpty())
                .flatMap(tokens::find);
        if (caller.isEmpty()) {
            return HttpResponse.status(HttpStatus.UNAUTHORIZED)
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                    .contentType(Problem.CONTENT_TYPE)
                    .body(Problem.of(HttpStatus.UNAUTHORIZED,
                            "a valid API token is required: send 'Authorization: Bearer <token>'"));
        }
        request.setAttribute(CALLER_ATTRIBUTE, caller.get().from(sourceOf(request)));
        return null;
    }

    /** The peer's IP address as text (what the audit log records as "from where"). */
    private static String sourceOf(HttpRequest<?> request) {
        InetSocketAddress peer = request.getRemoteAddress();
        return peer.getAddress() != null ? peer.getAddress().getHostAddress() : peer.getHostString();
    }
}

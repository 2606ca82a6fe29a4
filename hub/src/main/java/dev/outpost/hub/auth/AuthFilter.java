package dev.outpost.hub.auth;

import dev.outpost.hub.api.Problem;
import dev.outpost.hub.access.Capability;
import dev.outpost.hub.access.RouteCapabilities;
import dev.outpost.hub.auth.oidc.OidcTokens;
import dev.outpost.hub.limits.RequestLimiter;
import dev.outpost.hub.ops.HubMetrics;
import dev.outpost.protocol.text.FreeText;
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
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requires {@code Authorization: Bearer <token>} on every /api request except the OpenAPI document,
 * holds each caller to its rate ({@link RequestLimiter}: 429 with {@code Retry-After}), refuses with 403
 * an operation whose capability the caller's role lacks ({@link RouteCapabilities}), and records
 * the {@link Caller} on the request for {@link CallerBinder}.
 */
@ServerFilter("/api/**")
public class AuthFilter {
    private static final Logger LOG = LoggerFactory.getLogger(AuthFilter.class);
    static final String CALLER_ATTRIBUTE = "outpost.caller";
    private static final String PUBLIC_PATH = "/api/v1/openapi.yaml";
    private static final String BEARER = "Bearer ";

    private final ApiTokenStore tokens;
    private final OidcTokens oidc;
    private final HubMetrics metrics;
    private final RequestLimiter limiter;
    private final RouteCapabilities capabilities;

    public AuthFilter(ApiTokenStore tokens, OidcTokens oidc, RequestLimiter limiter, RouteCapabilities capabilities,
            HubMetrics metrics) {
        this.tokens = tokens;
        this.oidc = oidc;
        this.metrics = metrics;
        this.limiter = limiter;
        this.capabilities = capabilities;
    }

    /** Lets the request through with its caller, or answers 401. */
    @RequestFilter
    @ExecuteOn(TaskExecutors.BLOCKING) // looks the token up in the database
    @Nullable
    public HttpResponse<?> authenticate(HttpRequest<?> request) {
        if (PUBLIC_PATH.equals(request.getPath())) {
            return null;
        }
        String source = sourceOf(request);
        Optional<Duration> blocked = limiter.refusedAddress(source);
        if (blocked.isPresent()) {
            // Before the token is looked up: guessing costs no database work once refused.
            return tooMany(blocked.get(), "too many requests with a missing or unknown API token from " + source);
        }
        Optional<String> bearer = request.getHeaders().getAuthorization()
                .filter(value -> value.regionMatches(true, 0, BEARER, 0, BEARER.length()))
                .map(value -> value.substring(BEARER.length()).trim())
                .filter(token -> !token.isEmpty());
        boolean asOidc = bearer.isPresent() && oidc.enabled() && OidcTokens.looksLikeJwt(bearer.get());
        Optional<Caller> caller = bearer.flatMap(token -> asOidc ? oidc.find(token) : tokens.find(token));
        if (caller.isEmpty()) {
            limiter.failedFrom(source);
            String presented = bearer.isEmpty() ? "missing" : asOidc ? "oidc" : "api_token";
            metrics.authFailed(presented);
            // Never the token: only what kind of credential failed, and from where.
            LOG.info("401 for {} {} from {}: {}", request.getMethodName(), FreeText.forLog(request.getPath()), source,
                    bearer.isEmpty() ? "no bearer token" : asOidc ? "an OIDC token that failed its checks"
                            : "an unknown, revoked or expired API token");
            return HttpResponse.status(HttpStatus.UNAUTHORIZED)
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                    .contentType(Problem.CONTENT_TYPE)
                    .body(Problem.of(HttpStatus.UNAUTHORIZED,
                            "a valid API token is required: send 'Authorization: Bearer <token>'"));
        }
        Optional<Duration> wait = limiter.admit(caller.get().tokenId(), caller.get().tenantId());
        if (wait.isPresent()) {
            return tooMany(wait.get(), "too many requests for " + caller.get().describe()
                    + (caller.get().isVendor() ? "" : " or its tenant"));
        }
        // Before any object is looked up: a refusal says nothing about whether the object exists.
        Optional<Capability> needed = capabilities.required(request.getMethodName(), request.getPath());
        if (needed.isPresent() && !caller.get().role().may(needed.get())) {
            return HttpResponse.status(HttpStatus.FORBIDDEN).contentType(Problem.CONTENT_TYPE)
                    .body(Problem.of(HttpStatus.FORBIDDEN, "the role " + caller.get().role().json() + " of "
                            + caller.get().describe() + " lacks the capability " + needed.get().json()
                            + " this operation needs"));
        }
        request.setAttribute(CALLER_ATTRIBUTE, caller.get().from(source));
        return null;
    }

    /** 429 with the whole seconds to wait (at least 1), as Retry-After and in the detail. */
    private static HttpResponse<?> tooMany(Duration wait, String why) {
        long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
        return HttpResponse.status(HttpStatus.TOO_MANY_REQUESTS)
                .header(HttpHeaders.RETRY_AFTER, Long.toString(seconds))
                .contentType(Problem.CONTENT_TYPE)
                .body(Problem.of(HttpStatus.TOO_MANY_REQUESTS, why + ": retry after " + seconds + " s"));
    }

    /** The peer's IP address as text (what the audit log records as "from where"). */
    private static String sourceOf(HttpRequest<?> request) {
        InetSocketAddress peer = request.getRemoteAddress();
        return peer.getAddress() != null ? peer.getAddress().getHostAddress() : peer.getHostString();
    }
}

package dev.outpost.hub.access;

import dev.outpost.hub.api.StrictRequest;
import dev.outpost.hub.api.idempotency.IdempotentRequests;
import dev.outpost.hub.auth.ApiTokenStore.StoredToken;
import dev.outpost.hub.auth.Authenticated;
import dev.outpost.hub.auth.Caller;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.annotation.Status;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** REST: /api/v1/tokens, API tokens per user or service (capability manage-tokens). */
@Controller("/api/v1/tokens")
@ExecuteOn(TaskExecutors.BLOCKING)
public class TokenController {
    private final TokenService service;

    public TokenController(TokenService service) {
        this.service = service;
    }

    /** Body of POST /tokens. */
    @StrictRequest
    public record IssueTokenRequest(
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED) String name,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED) String role,
            @Nullable String tenantId,
            @Nullable @Schema(minimum = "1") Long ttlSeconds) {
    }

    /** A token as listed: never its secret. */
    public record TokenView(String id, String name, String role, String tenantId, Instant createdAt, Instant expiresAt) {
        static TokenView of(StoredToken token) {
            return new TokenView(token.id(), token.name(), token.role().json(), token.tenantId(), token.createdAt(),
                    token.expiresAt());
        }
    }

    /** A token just issued, with its secret (shown only here). */
    public record IssuedTokenView(String id, String name, String role, String tenantId, Instant createdAt,
            Instant expiresAt, String token) {
    }

    @Post
    @Status(HttpStatus.CREATED)
    public IssuedTokenView issue(@Authenticated Caller caller, @Body IssueTokenRequest body,
                                 @Header(IdempotentRequests.HEADER) @Nullable String key) {
        IdempotentRequests.refuseForSecrets(key);
        TokenService.Issued issued = service.issue(caller, body.name(), body.role(), body.tenantId(), body.ttlSeconds());
        StoredToken t = issued.stored();
        return new IssuedTokenView(t.id(), t.name(), t.role().json(), t.tenantId(), t.createdAt(), t.expiresAt(),
                issued.token());
    }

    @Get
    public List<TokenView> list(@Authenticated Caller caller, @QueryValue Optional<String> tenantId) {
        return service.list(caller, tenantId).stream().map(TokenView::of).toList();
    }

    /** Revokes a token: it is refused from the next request on. */
    @Delete("/{id}")
    @Status(HttpStatus.NO_CONTENT)
    public void revoke(@Authenticated Caller caller, String id) {
        service.revoke(caller, id);
    }
}

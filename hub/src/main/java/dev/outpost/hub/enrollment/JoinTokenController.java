package dev.outpost.hub.enrollment;

import dev.outpost.hub.api.StrictRequest;
import dev.outpost.hub.api.idempotency.IdempotentRequests;
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
import io.micronaut.http.annotation.Status;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/** REST: /api/v1/environments/{id}/join-tokens. */
@Controller("/api/v1/environments/{environmentId}/join-tokens")
@ExecuteOn(TaskExecutors.BLOCKING)
public class JoinTokenController {
    private final JoinTokenService service;

    public JoinTokenController(JoinTokenService service) {
        this.service = service;
    }

    /**
     * Body of POST; both fields optional (defaults: configured TTL, one use). The TTL's upper bound is
     * {@code outpost.join-token-max-ttl}, checked by the service.
     */
    @StrictRequest
    public record JoinTokenRequest(
            @Nullable @Schema(minimum = "1", description = "lifetime in seconds; at most outpost.join-token-max-ttl "
                    + "(default 604800, 7 days); default outpost.join-token-default-ttl (3600)") Long ttlSeconds,
            @Nullable @Schema(minimum = "1", maximum = "" + JoinTokenService.MAX_USES,
                    description = "how many agents the token admits; default 1") Integer uses) {
    }

    /** Issues a join token; the response is the only place its secret appears. */
    @Post
    @Status(HttpStatus.CREATED)
    public JoinTokenService.IssuedJoinToken issue(
            @Authenticated Caller caller, String environmentId, @Body @Nullable JoinTokenRequest body,
            @Header(IdempotentRequests.HEADER) @Nullable String key) {
        IdempotentRequests.refuseForSecrets(key);
        JoinTokenRequest request = body == null ? new JoinTokenRequest(null, null) : body;
        return service.issue(caller, environmentId, request.ttlSeconds(), request.uses());
    }

    @Get
    public List<JoinToken> list(@Authenticated Caller caller, String environmentId) {
        return service.list(caller, environmentId);
    }

    /** Revokes a token: it admits no more agents. Revoking twice is fine. */
    @Delete("/{tokenId}")
    @Status(HttpStatus.NO_CONTENT)
    public void revoke(@Authenticated Caller caller, String environmentId, String tokenId) {
        service.revoke(caller, environmentId, tokenId);
    }
}

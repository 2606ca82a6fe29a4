package dev.outpost.hub.enrollment;

import dev.outpost.hub.auth.Authenticated;
import dev.outpost.hub.auth.Caller;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Status;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.List;

/** REST: /api/v1/environments/{id}/join-tokens. */
@Controller("/api/v1/environments/{environmentId}/join-tokens")
@ExecuteOn(TaskExecutors.BLOCKING)
public class JoinTokenController {
    private final JoinTokenService service;

    public JoinTokenController(JoinTokenService service) {
        this.service = service;
    }

    /** Body of POST; both fields optional (defaults: configured TTL, one use). */
    public record JoinTokenRequest(@Nullable Long ttlSeconds, @Nullable Integer uses) {
    }

    /** Issues a join token; the response is the only place its secret appears. */
    @Post
    @Status(HttpStatus.CREATED)
    public JoinTokenService.IssuedJoinToken issue(
            @Authenticated Caller caller, String environmentId, @Body @Nullable JoinTokenRequest body) {
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

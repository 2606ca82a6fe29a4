package dev.outpost.hub.deployments.lifecycle;

import dev.outpost.hub.api.idempotency.IdempotentRequests;
import dev.outpost.hub.auth.Authenticated;
import dev.outpost.hub.auth.Caller;
import dev.outpost.hub.deployments.DeploymentService;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

/** REST: /api/v1/operations/{id}/retry. */
@Controller("/api/v1/operations")
@ExecuteOn(TaskExecutors.BLOCKING)
public class RetryController {
    private final DeploymentService service;
    private final IdempotentRequests idempotent;

    public RetryController(DeploymentService service, IdempotentRequests idempotent) {
        this.service = service;
        this.idempotent = idempotent;
    }

    /** Sends a failed latest operation's command again as a new operation; 409 with the reason otherwise. */
    @Post("/{id}/retry")
    public HttpResponse<?> retry(@Authenticated Caller caller, String id,
                                 @Header(IdempotentRequests.HEADER) @Nullable String key) {
        return idempotent.run(new IdempotentRequests.Call(caller, key, "POST", "/api/v1/operations/" + id + "/retry",
                null), HttpStatus.ACCEPTED, () -> service.retry(caller, id));
    }
}

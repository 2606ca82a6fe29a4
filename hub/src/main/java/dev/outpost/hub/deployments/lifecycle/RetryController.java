package dev.outpost.hub.deployments.lifecycle;

import dev.outpost.hub.auth.Authenticated;
import dev.outpost.hub.auth.Caller;
import dev.outpost.hub.deployments.DeploymentService;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Status;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

/** REST: /api/v1/operations/{id}/retry. */
@Controller("/api/v1/operations")
@ExecuteOn(TaskExecutors.BLOCKING)
public class RetryController {
    private final DeploymentService service;

    public RetryController(DeploymentService service) {
        this.service = service;
    }

    /** Sends a failed latest operation's command again as a new operation; 409 with the reason otherwise. */
    @Post("/{id}/retry")
    @Status(HttpStatus.ACCEPTED)
    public DeploymentService.Accepted retry(@Authenticated Caller caller, String id) {
        return service.retry(caller, id);
    }
}

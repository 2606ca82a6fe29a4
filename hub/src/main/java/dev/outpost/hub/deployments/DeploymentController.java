package dev.outpost.hub.deployments;

import dev.outpost.hub.auth.Authenticated;
import dev.outpost.hub.auth.Caller;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Patch;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Status;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.List;
import java.util.Optional;

/** REST: /api/v1/deployments. Changes answer 202: an agent carries them out later. */
@Controller("/api/v1/deployments")
@ExecuteOn(TaskExecutors.BLOCKING)
public class DeploymentController {
    private final DeploymentService service;

    public DeploymentController(DeploymentService service) {
        this.service = service;
    }

    @Post
    @Status(HttpStatus.ACCEPTED)
    public DeploymentService.Accepted create(@Authenticated Caller caller, @Body DeploymentService.NewDeployment body) {
        return service.create(caller, body);
    }

    @Get
    public List<Deployment> list(@Authenticated Caller caller, @QueryValue Optional<String> tenantId,
                                 @QueryValue Optional<String> environmentId) {
        return service.list(caller, tenantId, environmentId);
    }

    @Get("/{id}")
    public Deployment get(@Authenticated Caller caller, String id) {
        return service.get(caller, id);
    }

    /** Upgrade (releaseId) and/or new parameters (replacing the old ones); 409 while another operation is active. */
    @Patch("/{id}")
    @Status(HttpStatus.ACCEPTED)
    public DeploymentService.Accepted update(@Authenticated Caller caller, String id,
                                               @Body DeploymentService.DeploymentChange body) {
        return service.update(caller, id, body);
    }

    @Delete("/{id}")
    @Status(HttpStatus.ACCEPTED)
    public DeploymentService.Accepted delete(@Authenticated Caller caller, String id) {
        return service.delete(caller, id);
    }
}

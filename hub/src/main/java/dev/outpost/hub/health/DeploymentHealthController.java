package dev.outpost.hub.health;

import dev.outpost.hub.auth.Authenticated;
import dev.outpost.hub.auth.Caller;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

/** REST: GET /api/v1/deployments/{id}/health. */
@Controller("/api/v1/deployments")
@ExecuteOn(TaskExecutors.BLOCKING)
public class DeploymentHealthController {
    private final DeploymentHealthService service;

    public DeploymentHealthController(DeploymentHealthService service) {
        this.service = service;
    }

    @Get("/{id}/health")
    public DeploymentHealth health(@Authenticated Caller caller, String id) {
        return service.of(caller, id);
    }
}

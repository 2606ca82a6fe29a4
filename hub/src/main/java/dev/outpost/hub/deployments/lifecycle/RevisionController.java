package dev.outpost.hub.deployments.lifecycle;

import dev.outpost.hub.auth.Authenticated;
import dev.outpost.hub.auth.Caller;
import dev.outpost.hub.deployments.DeploymentService;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Status;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.List;

/** REST: /api/v1/deployments/{id}/revisions and /rollback. */
@Controller("/api/v1/deployments")
@ExecuteOn(TaskExecutors.BLOCKING)
public class RevisionController {
    private final RevisionService service;

    public RevisionController(RevisionService service) {
        this.service = service;
    }

    @Get("/{id}/revisions")
    public List<Revision> revisions(@Authenticated Caller caller, String id) {
        return service.list(caller, id);
    }

    /** Back to a revision ({@code {}}: the previous one); 202 with the new update operation. */
    @Post("/{id}/rollback")
    @Status(HttpStatus.ACCEPTED)
    public DeploymentService.Accepted rollback(@Authenticated Caller caller, String id,
                                               @Body RevisionService.RollbackRequest body) {
        return service.rollback(caller, id, body);
    }
}

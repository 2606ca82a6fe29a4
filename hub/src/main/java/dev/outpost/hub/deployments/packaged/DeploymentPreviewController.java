package dev.outpost.hub.deployments.packaged;

import dev.outpost.hub.auth.Authenticated;
import dev.outpost.hub.auth.Caller;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.Optional;

/** REST: GET /api/v1/deployments/{id}/preview — what a change would apply; changes nothing. */
@Controller("/api/v1/deployments")
@ExecuteOn(TaskExecutors.BLOCKING)
public class DeploymentPreviewController {
    private final DeploymentPreviews previews;

    public DeploymentPreviewController(DeploymentPreviews previews) {
        this.previews = previews;
    }

    /** Each query value is optional: absent is the deployment's current release, plan or parameters. */
    @Get("/{id}/preview")
    public Preview preview(@Authenticated Caller caller, String id, @QueryValue Optional<String> releaseId,
                           @QueryValue Optional<String> plan, @QueryValue Optional<String> parameters) {
        return previews.preview(caller, id, releaseId.orElse(null), plan.orElse(null), parameters.orElse(null));
    }
}

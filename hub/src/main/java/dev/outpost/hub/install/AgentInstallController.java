package dev.outpost.hub.install;

import dev.outpost.hub.auth.Authenticated;
import dev.outpost.hub.auth.Caller;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

/** REST: GET /api/v1/environments/{id}/install?token=… — how to install the environment's agent. */
@Controller("/api/v1/environments/{environmentId}/install")
@ExecuteOn(TaskExecutors.BLOCKING)
public class AgentInstallController {
    private final AgentInstallService service;

    public AgentInstallController(AgentInstallService service) {
        this.service = service;
    }

    /** The install command, the Helm command and the rendered manifest for this join token. */
    @Get
    public AgentInstall install(@Authenticated Caller caller, String environmentId, @QueryValue @Nullable String token,
            @QueryValue @Nullable String namespaces, @QueryValue @Nullable String agentNamespace) {
        return service.install(caller, environmentId, token, namespaces, agentNamespace);
    }
}

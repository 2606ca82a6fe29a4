package dev.outpost.hub.agents;

import dev.outpost.hub.auth.Authenticated;
import dev.outpost.hub.auth.Caller;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.List;
import java.util.Optional;

/** REST: /api/v1/agents (agents are created by enrollment; the API reads and revokes them). */
@Controller("/api/v1/agents")
@ExecuteOn(TaskExecutors.BLOCKING)
public class AgentController {
    private final AgentService service;

    public AgentController(AgentService service) {
        this.service = service;
    }

    @Get
    public List<Agent> list(@Authenticated Caller caller, @QueryValue Optional<String> tenantId,
                            @QueryValue Optional<String> environmentId) {
        return service.list(caller, tenantId, environmentId);
    }

    @Get("/{id}")
    public Agent get(@Authenticated Caller caller, String id) {
        return service.get(caller, id);
    }

    /** Revokes the agent; its certificate is refused from then on. Answers the agent as it now is. */
    @Post("/{id}/revoke")
    public Agent revoke(@Authenticated Caller caller, String id) {
        return service.revoke(caller, id);
    }
}

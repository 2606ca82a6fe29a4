package dev.outpost.hub.agents;

import dev.outpost.hub.api.ApiException;
import dev.outpost.hub.auth.Authenticated;
import dev.outpost.hub.auth.Caller;
import dev.outpost.hub.store.Database;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.List;
import java.util.Optional;

/** REST: /api/v1/agents (read-only; agents are created by enrollment). */
@Controller("/api/v1/agents")
@ExecuteOn(TaskExecutors.BLOCKING)
public class AgentController {
    private final Database db;
    private final AgentStore agents;

    public AgentController(Database db, AgentStore agents) {
        this.db = db;
        this.agents = agents;
    }

    @Get
    public List<Agent> list(@Authenticated Caller caller, @QueryValue Optional<String> tenantId,
                            @QueryValue Optional<String> environmentId) {
        return db.read(sql -> agents.list(sql, caller.tenantFilter(tenantId), environmentId));
    }

    @Get("/{id}")
    public Agent get(@Authenticated Caller caller, String id) {
        return db.read(sql -> agents.find(sql, id))
                .filter(agent -> caller.canSee(agent.tenantId()))
                .orElseThrow(() -> ApiException.notFound("agent", id));
    }
}

package dev.outpost.hub.agents;

import dev.outpost.hub.auth.Caller;
import dev.outpost.hub.store.Database;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Optional;

/** Reading agents within the caller's tenant (agents are created by enrollment, not by the API). */
@Singleton
public class AgentService {
    private final Database db;
    private final AgentStore agents;

    public AgentService(Database db, AgentStore agents) {
        this.db = db;
        this.agents = agents;
    }

    /** Agents the caller may see, optionally of one tenant and/or environment. */
    public List<Agent> list(Caller caller, Optional<String> tenantId, Optional<String> environmentId) {
        return db.read(sql -> agents.list(sql, caller.tenantFilter(tenantId), environmentId));
    }

    /** One agent; 404 if unknown or another tenant's. */
    public Agent get(Caller caller, String id) {
        return caller.visible(db.read(sql -> agents.find(sql, id)), Agent::tenantId, "agent", id);
    }
}

package dev.outpost.hub.agents;

import dev.outpost.hub.audit.AuditLog;
import dev.outpost.hub.auth.Caller;
import dev.outpost.hub.store.Database;
import io.micronaut.context.event.ApplicationEventPublisher;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reading and revoking agents within the caller's tenant (agents are created by enrollment, not by the API). */
@Singleton
public class AgentService {
    private static final Logger LOG = LoggerFactory.getLogger(AgentService.class);

    private final Database db;
    private final AgentStore agents;
    private final Clock clock;
    private final AuditLog audit;
    private final ApplicationEventPublisher<AgentRevoked> events;

    public AgentService(Database db, AgentStore agents, Clock clock, AuditLog audit,
                        ApplicationEventPublisher<AgentRevoked> events) {
        this.audit = audit;
        this.events = events;
        this.db = db;
        this.agents = agents;
        this.clock = clock;
    }

    /** Agents the caller may see, optionally of one tenant and/or environment. */
    public List<Agent> list(Caller caller, Optional<String> tenantId, Optional<String> environmentId) {
        return db.read(sql -> agents.list(sql, caller.tenantFilter(tenantId), environmentId));
    }

    /** One agent; 404 if unknown or another tenant's. */
    public Agent get(Caller caller, String id) {
        return caller.visible(db.read(sql -> agents.find(sql, id)), Agent::tenantId, "agent", id);
    }

    /**
     * Revokes an agent the caller may see: the gateway refuses its certificate from the next connection
     * (and its open stream is cut within seconds, on every replica); only a new enrolment brings the environment back.
     */
    public Agent revoke(Caller caller, String id) {
        Agent revoked = db.inTransaction(sql -> {
            Agent agent = caller.visible(agents.find(sql, id), Agent::tenantId, "agent", id);
            agents.revoke(sql, agent.id(), clock.instant());
            audit.record(sql, caller, AuditLog.Change.of("agent.revoke", "agent", agent.id(), agent.tenantId())
                    .detail("environment " + agent.environmentId()));
            db.afterCommit(() -> events.publishEvent(new AgentRevoked(agent.id())));
            return agents.find(sql, id).orElseThrow();
        });
        LOG.info("agent {} of tenant {} environment {} revoked by {}", id, revoked.tenantId(), revoked.environmentId(),
                caller);
        return revoked;
    }
}

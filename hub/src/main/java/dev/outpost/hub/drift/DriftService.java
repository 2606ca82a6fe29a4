package dev.outpost.hub.drift;

import dev.outpost.hub.store.Database;
import dev.outpost.hub.store.Sql;
import dev.outpost.protocol.text.FreeText;
import dev.outpost.protocol.v1.DriftChange;
import dev.outpost.protocol.v1.DriftReport;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Takes agents' drift reports into the store and answers what a deployment's drift is. */
@Singleton
public class DriftService implements DriftReports {
    private static final Logger LOG = LoggerFactory.getLogger(DriftService.class);

    private final Database db;
    private final DriftStore store;
    private final Clock clock;

    public DriftService(Database db, DriftStore store, Clock clock) {
        this.db = db;
        this.store = store;
        this.clock = clock;
    }

    /** The deployment of a report, when the reporting agent may report on it. */
    private record Target(String tenantId, int before) {
    }

    @Override
    public void report(String environmentId, String agentId, DriftReport report) {
        Instant now = clock.instant();
        String deploymentId = report.getDeploymentId();
        List<DriftedObject> objects = report.getObjectsList().stream().map(o -> toStored(o, now)).toList();
        Optional<Target> stored = db.inTransaction(sql -> {
            Optional<Target> target = target(sql, environmentId, agentId, deploymentId);
            target.ifPresent(t -> store.replace(sql, deploymentId, t.tenantId(), objects));
            return target;
        });
        if (stored.isEmpty()) {
            LOG.info("drift report for deployment {} from agent {} of environment {} ignored: unknown, deleted, "
                    + "another environment's, or the agent is no longer the environment's",
                    FreeText.forLog(deploymentId), agentId, environmentId);
            return;
        }
        long healed = objects.stream().filter(DriftedObject::healed).count();
        if (stored.get().before() != objects.size() || healed > 0) {
            LOG.info("deployment {} drift: {} objects ({} healed): tenant {} agent {}", deploymentId, objects.size(),
                    healed, stored.get().tenantId(), agentId);
        }
    }

    /** The deployment's drift now. */
    public DeploymentDrift of(Sql sql, String deploymentId) {
        return DeploymentDrift.of(store.find(sql, deploymentId));
    }

    /** The drift of the tenant's deployments (all tenants when empty) that have any. */
    public Map<String, List<DriftedObject>> byDeployment(Sql sql, Optional<String> tenantId) {
        return store.byDeployment(sql, tenantId);
    }

    private static Optional<Target> target(Sql sql, String environmentId, String agentId, String deploymentId) {
        return sql.queryOne("select d.tenant_id, (select count(*) from deployment_drift x where x.deployment_id = d.id) n "
                        + "from deployments d where d.id = ? and d.environment_id = ? and d.status <> 'deleted' and exists "
                        + "(select 1 from agents a where a.id = ? and a.environment_id = ? and a.status <> 'revoked')",
                rs -> new Target(rs.getString("tenant_id"), rs.getInt("n")),
                deploymentId, environmentId, agentId, environmentId);
    }

    /** As stored: since is the agent's first sighting, but never later than now (agents' clocks are theirs). */
    private static DriftedObject toStored(dev.outpost.protocol.v1.DriftedObject o, Instant now) {
        Instant detected = o.getDetectedAtUnixMs() > 0 ? Instant.ofEpochMilli(o.getDetectedAtUnixMs()) : now;
        return new DriftedObject(o.getApiVersion(), o.getKind(), o.getNamespace().isEmpty() ? null : o.getNamespace(),
                o.getName(), o.getChange() == DriftChange.DRIFT_CHANGE_DELETED ? DriftedObject.Change.DELETED
                        : DriftedObject.Change.MODIFIED, o.getFieldsList(), detected.isBefore(now) ? detected : now,
                o.getHealed(), now);
    }
}

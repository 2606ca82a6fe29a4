package dev.outpost.hub.metrics;

import dev.outpost.hub.store.Database;
import dev.outpost.protocol.v1.DeploymentMetrics;
import dev.outpost.protocol.v1.MetricsBatch;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores one MetricsBatch in one transaction: for each deployment of the agent's environment, its
 * series replace the ones stored before. A deployment of another environment (or none) is not
 * stored and is named in the result: an agent cannot write another tenant's metrics.
 */
@Singleton
public class MetricsIngest {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsIngest.class);

    private final Database db;
    private final MetricsStore store;
    private final Clock clock;

    public MetricsIngest(Database db, MetricsStore store, Clock clock) {
        this.db = db;
        this.store = store;
        this.clock = clock;
    }

    /** The agent is not (or no longer) admitted: revoked, or unknown to the store. */
    public static final class AgentNotAdmitted extends RuntimeException {
        private static final long serialVersionUID = 1L;

        AgentNotAdmitted(String agentId) {
            super("agent " + agentId + " is revoked or unknown", null, false, false);
        }
    }

    /**
     * Stores a batch that passed {@link MetricsBatchRules#batchProblem} from {@code agentId} (its
     * certificate's). Throws {@link AgentNotAdmitted} for a revoked agent and a store exception when
     * the database fails; in both cases nothing was stored.
     */
    public MetricsIngestResult ingest(String agentId, MetricsBatch batch) {
        Instant now = clock.instant();
        Instant sampledAt = batch.getSampledAtUnixMs() > 0 ? Instant.ofEpochMilli(batch.getSampledAtUnixMs()) : now;
        return db.inTransaction(sql -> {
            MetricsStore.Owner agent = store.activeAgent(sql, agentId).orElseThrow(() -> new AgentNotAdmitted(agentId));
            List<String> unknown = new ArrayList<>();
            // one global order of deployments, so concurrent batches never deadlock on each other's rows
            List<DeploymentMetrics> deployments = new ArrayList<>(batch.getDeploymentsList());
            deployments.sort(Comparator.comparing(DeploymentMetrics::getDeploymentId));
            int stored = 0;
            for (DeploymentMetrics deployment : deployments) {
                Optional<MetricsStore.Owner> owner = store.deployment(sql, deployment.getDeploymentId());
                if (owner.isEmpty() || !owner.get().environmentId().equals(agent.environmentId())) {
                    unknown.add(deployment.getDeploymentId());
                    continue;
                }
                store.replace(sql, deployment.getDeploymentId(), owner.get(), agentId,
                        MetricsBatchRules.series(deployment), MetricsBatchRules.workloadSeries(deployment), sampledAt, now);
                stored++;
            }
            if (!unknown.isEmpty()) {
                LOG.info("metrics batch {} of agent {} tenant {}: {} deployments stored, not of its environment: {}",
                        batch.getSequence(), agentId, agent.tenantId(), stored,
                        unknown.size() > 10 ? unknown.subList(0, 10) + "…" : unknown);
            }
            return new MetricsIngestResult(stored, List.copyOf(unknown));
        });
    }
}

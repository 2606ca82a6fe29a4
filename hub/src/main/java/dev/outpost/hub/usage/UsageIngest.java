package dev.outpost.hub.usage;

import dev.outpost.hub.store.Database;
import dev.outpost.hub.store.Sql;
import dev.outpost.protocol.text.FreeText;
import dev.outpost.protocol.v1.UsageBatch;
import dev.outpost.protocol.v1.UsageRecord;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores one usage batch in one transaction: each accepted record once by its idempotency key, the
 * hourly aggregates only for records that were new (so aggregates always equal the sum of stored
 * records, however often or concurrently a batch arrives), the refused records' counts and the
 * agent's spool. Nothing of a batch is visible, or acknowledged, before all of it is committed.
 */
@Singleton
public class UsageIngest {
    private static final Logger LOG = LoggerFactory.getLogger(UsageIngest.class);

    private final Database db;
    private final UsageWrites writes;
    private final Clock clock;

    public UsageIngest(Database db, UsageWrites writes, Clock clock) {
        this.db = db;
        this.writes = writes;
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
     * Stores a batch that passed {@link UsageRecordRules#batchProblem} from {@code agentId} (its
     * certificate's). Throws {@link AgentNotAdmitted} when the agent is revoked, and a store exception
     * when the database fails; in both cases nothing was stored.
     */
    public UsageIngestResult ingest(String agentId, UsageBatch batch) {
        Instant now = clock.instant();
        UsageIngestResult result = db.inTransaction(sql -> {
            UsageWrites.AgentRef agent = writes.activeAgent(sql, agentId).orElseThrow(() -> new AgentNotAdmitted(agentId));
            Map<String, Optional<UsageTarget>> deployments = new HashMap<>();
            List<UsageIngestResult.Rejected> rejected = new ArrayList<>();
            List<UsageRow> accepted = new ArrayList<>();
            for (UsageRecord record : batch.getRecordsList()) {
                Optional<UsageTarget> deployment = deployments.computeIfAbsent(record.getDeploymentId(),
                        id -> lookUp(sql, id));
                UsageVerdict verdict = UsageRecordRules.check(agentId, agent.environmentId(), record, deployment, now);
                if (verdict.isAccepted()) {
                    accepted.add(verdict.row());
                } else {
                    rejected.add(new UsageIngestResult.Rejected(record.getIdempotencyKey(), verdict.reason()));
                }
            }
            // Rows are locked in one global order (keys, then hours), so concurrent batches never deadlock.
            accepted.sort(Comparator.comparing(UsageRow::idempotencyKey));
            Map<HourKey, HourSum> hours = new TreeMap<>();
            int stored = 0;
            boolean[] inserted = writes.insertIfNew(sql, accepted, now);
            for (int i = 0; i < inserted.length; i++) {
                if (inserted[i]) {
                    UsageRow row = accepted.get(i);
                    hours.computeIfAbsent(new HourKey(row.deploymentId(), row.meter(), UsageWrites.hourOf(row.windowStart())),
                            k -> new HourSum(row)).add(row.quantity());
                    stored++;
                }
            }
            int duplicates = accepted.size() - stored;
            hours.forEach((key, sum) -> writes.addToHour(sql, sum.first(), key.hour(), sum.quantity(), sum.records()));
            countRejections(sql, agentId, agent.tenantId(), rejected, now);
            writes.reportSpool(sql, agentId, agent.tenantId(), batch.getSpool(), now);
            if (!rejected.isEmpty() || duplicates > 0) {
                LOG.info("usage batch {} of agent {} tenant {}: {} stored, {} duplicates, {} rejected {}",
                        batch.getSequence(), agentId, agent.tenantId(), stored, duplicates, rejected.size(),
                        reasons(rejected));
            } else {
                LOG.debug("usage batch {} of agent {} tenant {}: {} stored", batch.getSequence(), agentId,
                        agent.tenantId(), stored);
            }
            return new UsageIngestResult(stored, duplicates, rejected);
        });
        return result;
    }

    /** One hourly aggregate a batch adds to, in primary-key order. */
    private record HourKey(String deploymentId, String meter, Instant hour) implements Comparable<HourKey> {
        private static final Comparator<HourKey> ORDER = Comparator.comparing(HourKey::deploymentId)
                .thenComparing(HourKey::meter).thenComparing(HourKey::hour);

        @Override
        public int compareTo(HourKey other) {
            return ORDER.compare(this, other);
        }
    }

    /** What a batch's new records add to one hourly aggregate. */
    private static final class HourSum {
        private final UsageRow first;
        private BigDecimal quantity = BigDecimal.ZERO;
        private long records;

        HourSum(UsageRow first) {
            this.first = first;
        }

        void add(BigDecimal q) {
            quantity = quantity.add(q);
            records++;
        }

        UsageRow first() {
            return first;
        }

        BigDecimal quantity() {
            return quantity;
        }

        long records() {
            return records;
        }
    }

    /** An id that cannot be a deployment's (too long) is looked up as none. */
    private Optional<UsageTarget> lookUp(Sql sql, String deploymentId) {
        return deploymentId.isEmpty() || deploymentId.length() > 64 ? Optional.empty() : writes.deployment(sql, deploymentId);
    }

    private void countRejections(Sql sql, String agentId, String tenantId, List<UsageIngestResult.Rejected> rejected,
            Instant now) {
        Map<String, List<UsageIngestResult.Rejected>> byReason = new TreeMap<>();
        rejected.forEach(r -> byReason.computeIfAbsent(r.reason(), k -> new ArrayList<>()).add(r));
        byReason.forEach((reason, records) -> writes.countRejections(sql, agentId, tenantId, reason, records.size(),
                UsageRecordRules.storableKey(records.getLast().idempotencyKey()), now));
    }

    private static String reasons(List<UsageIngestResult.Rejected> rejected) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        rejected.forEach(r -> counts.merge(r.reason(), 1, Integer::sum));
        return FreeText.forLog(counts.toString());
    }
}

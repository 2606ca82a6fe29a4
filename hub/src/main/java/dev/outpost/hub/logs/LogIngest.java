package dev.outpost.hub.logs;

import dev.outpost.hub.store.Database;
import dev.outpost.protocol.v1.LogBatch;
import dev.outpost.protocol.v1.LogSource;
import dev.outpost.protocol.v1.LogLine;
import dev.outpost.protocol.v1.LogPosition;
import dev.outpost.protocol.v1.SourceLogs;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores one log batch in one transaction: per source (rows locked in key order, so concurrent
 * batches never deadlock) the lines above the source's position, the drops that start above it, and
 * the new position. A line at or below the position is a duplicate; a drop starting at or below it
 * was counted before. Nothing of a batch is visible, or acknowledged, before all of it is committed.
 */
@Singleton
public class LogIngest {
    private static final Logger LOG = LoggerFactory.getLogger(LogIngest.class);
    private static final Comparator<SourceLogs> KEY_ORDER = Comparator
            .comparing((SourceLogs s) -> s.getSource().getPodUid())
            .thenComparing(s -> s.getSource().getContainer());

    private final Database db;
    private final LogWrites writes;
    private final Clock clock;

    public LogIngest(Database db, LogWrites writes, Clock clock) {
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

    /** The batch breaks a rule only the store can check (a deployment not of the agent's environment). */
    public static final class BatchRefused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BatchRefused(String rule) {
            super(rule, null, false, false);
        }
    }

    /**
     * Stores a batch that passed {@link LogBatchRules#batchProblem} from {@code agentId} (its
     * certificate's). Throws {@link AgentNotAdmitted}, {@link BatchRefused}, or a store exception when
     * the database fails; in every case nothing was stored.
     */
    public LogIngestResult ingest(String agentId, LogBatch batch) {
        Instant now = clock.instant();
        return db.inTransaction(sql -> {
            LogWrites.AgentRef agent = writes.activeAgent(sql, agentId).orElseThrow(() -> new AgentNotAdmitted(agentId));
            Map<String, Optional<String>> environments = new HashMap<>();
            for (int i = 0; i < batch.getSourcesCount(); i++) {
                if (batch.getSources(i).getSource().getAgent()) {
                    continue; // the agent's own log is the agent's: its tenant and environment
                }
                String deploymentId = batch.getSources(i).getSource().getDeploymentId();
                Optional<String> environment = environments.computeIfAbsent(deploymentId,
                        id -> writes.deploymentEnvironment(sql, id));
                if (!environment.equals(Optional.of(agent.environmentId()))) {
                    throw new BatchRefused("sources[" + i + "]: deployment " + deploymentId
                            + " is not a deployment of the agent's environment");
                }
            }
            List<SourceLogs> sources = new ArrayList<>(batch.getSourcesList());
            sources.sort(KEY_ORDER);
            int stored = 0;
            int duplicates = 0;
            long dropped = 0;
            for (SourceLogs source : sources) {
                LogSource kept = source.getSource().getAgent() ? AgentLogSource.stored(agentId) : source.getSource();
                LogSourceRow row = writes.lockSource(sql, agentId, agent, kept, now);
                SourceOutcome outcome = apply(row, source);
                writes.insertLines(sql, agent, kept, outcome.newLines());
                writes.advanceSource(sql, agentId, kept, outcome.after(), outcome.newLines().size(),
                        outcome.droppedCounted(), now);
                stored += outcome.newLines().size();
                duplicates += source.getLinesCount() - outcome.newLines().size();
                dropped += outcome.droppedCounted();
            }
            if (duplicates > 0 || dropped > 0) {
                LOG.info("log batch {} of agent {} tenant {}: {} stored, {} duplicates, {} dropped counted",
                        batch.getSequence(), agentId, agent.tenantId(), stored, duplicates, dropped);
            }
            return new LogIngestResult(stored, duplicates, dropped);
        });
    }

    /** What a source's part of a batch changes, given the source's row: pure, so the rule is tested alone. */
    record SourceOutcome(List<LogLine> newLines, long droppedCounted, LogSourceRow after) {
    }

    static SourceOutcome apply(LogSourceRow row, SourceLogs source) {
        LogPosition position = row.position();
        long dropped = 0;
        if (source.getDroppedLines() > 0 && LogPositions.after(source.getDroppedFrom(), position)) {
            dropped = source.getDroppedLines();
        }
        if (source.getDroppedLines() > 0) {
            position = LogPositions.max(position, source.getDroppedThrough());
        }
        List<LogLine> fresh = new ArrayList<>();
        long lastLine = row.lastLineNs();
        for (LogLine line : source.getLinesList()) {
            // Lines ascend (LogBatchRules), so comparing with the moving position also drops repeats.
            if (LogPositions.after(line.getPosition(), position)) {
                fresh.add(line);
                position = line.getPosition();
                lastLine = Math.max(lastLine, line.getPosition().getTimeUnixNanos());
            }
        }
        return new SourceOutcome(fresh, dropped, new LogSourceRow(position, lastLine));
    }
}

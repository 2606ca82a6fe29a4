package dev.outpost.agent.cluster;

import dev.outpost.protocol.text.FreeText;
import dev.outpost.protocol.v1.AgentCondition;
import dev.outpost.protocol.v1.AgentState;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's condition as the hub sees it: ready, or degraded with the reason, since when. Rechecked
 * on its own thread, so a slow API server never holds up a heartbeat; {@link #get} only reads.
 */
public final class ClusterCondition implements Supplier<AgentCondition>, AutoCloseable {
    /** How often the cluster is checked again once the agent runs. */
    public static final Duration RECHECK_INTERVAL = Duration.ofSeconds(30);
    /** The protocol's limit on the reason. */
    static final int MAX_REASON_CHARS = 500;
    private static final Logger LOG = LoggerFactory.getLogger(ClusterCondition.class);

    private final Supplier<ClusterPreflight.Result> check;
    private final Clock clock;
    private final ScheduledExecutorService timer;
    private volatile AgentCondition current;

    /** Starts from the result of the check at start; {@link #start} schedules the rechecks. */
    public ClusterCondition(ClusterPreflight.Result initial, Supplier<ClusterPreflight.Result> check, Clock clock) {
        this.check = check;
        this.clock = clock;
        this.current = condition(initial, null);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "outpost-cluster-check");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Rechecks every {@code interval} until closed. */
    public void start(Duration interval) {
        timer.scheduleWithFixedDelay(this::recheck, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public AgentCondition get() {
        return current;
    }

    /** Checks now and updates the condition; logs only changes. */
    void recheck() {
        ClusterPreflight.Result result;
        try {
            result = check.get();
        } catch (RuntimeException e) {
            result = new ClusterPreflight.Result("", java.util.Optional.empty(), java.util.Optional.empty(),
                    java.util.List.of("cannot check the cluster: " + ClusterPreflight.describe(e)));
        }
        AgentCondition before = current;
        AgentCondition after = condition(result, before);
        current = after;
        if (after.getState() != before.getState() || !after.getReason().equals(before.getReason())) {
            if (after.getState() == AgentState.AGENT_STATE_DEGRADED) {
                LOG.warn("Degraded: {}", after.getReason());
            } else {
                LOG.info("Cluster access is back: ready again");
            }
        }
    }

    private AgentCondition condition(ClusterPreflight.Result result, AgentCondition before) {
        AgentState state = result.ok() ? AgentState.AGENT_STATE_READY : AgentState.AGENT_STATE_DEGRADED;
        String reason = truncate(result.summary());
        // "since" is when the state began: an unchanged state keeps it, even if the reason's wording changes.
        long since = before != null && before.getState() == state ? before.getSinceUnixMs() : clock.millis();
        return AgentCondition.newBuilder().setState(state).setReason(reason).setSinceUnixMs(since).build();
    }

    /** The reason as the hub's free-text rule accepts it: one line, no control or format characters, bounded. */
    private static String truncate(String text) {
        StringBuilder clean = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> {
            int type = Character.getType(cp);
            boolean forbidden = Character.isISOControl(cp) || type == Character.FORMAT || type == Character.SURROGATE
                    || type == Character.PRIVATE_USE || type == Character.UNASSIGNED;
            clean.appendCodePoint(forbidden ? ' ' : cp);
        });
        String reason = FreeText.normalize(clean.toString().strip());
        if (reason.codePointCount(0, reason.length()) <= MAX_REASON_CHARS) {
            return reason;
        }
        return reason.substring(0, reason.offsetByCodePoints(0, MAX_REASON_CHARS - 1)) + "…";
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}

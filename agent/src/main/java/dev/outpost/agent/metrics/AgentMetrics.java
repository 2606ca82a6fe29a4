package dev.outpost.agent.metrics;

import dev.outpost.protocol.v1.AgentCondition;
import dev.outpost.protocol.v1.AgentState;
import dev.outpost.protocol.v1.Outcome;
import dev.outpost.protocol.v1.SpoolState;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The agent's own metrics, in a registry of its own: whether the control stream is up, how often it
 * had to reconnect, commands finished by outcome, the usage spool, and the cluster condition. Reads
 * of the spool and the condition happen at scrape time, so the numbers are never stale.
 */
public final class AgentMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Gauge hubConnected;
    private final Counter reconnects;
    private final Counter commands;
    private volatile Supplier<SpoolState> spool = SpoolState::getDefaultInstance;
    private volatile LongSupplier meterProblems = () -> 0;

    /** {@code condition} is read at every scrape; it must only read (ClusterCondition does). */
    public AgentMetrics(Supplier<AgentCondition> condition) {
        hubConnected = Gauge.builder().name("outpost_agent_hub_connected")
                .help("1 while the control stream to the hub is open and welcomed, else 0").register(registry);
        hubConnected.set(0);
        reconnects = Counter.builder().name("outpost_agent_stream_reconnects")
                .help("Control streams that ended and were opened again (hub restarts, network cuts, refusals)")
                .register(registry);
        commands = Counter.builder().name("outpost_agent_commands_finished")
                .help("Commands from the hub the agent finished, by outcome (succeeded, failed)")
                .labelNames("outcome").register(registry);
        // both outcomes exist from the start, so a rate() over them never starts from a missing series
        commands.labelValues("succeeded");
        commands.labelValues("failed");
        GaugeWithCallback.builder().name("outpost_agent_usage_spool_pending_records")
                .help("Usage records spooled and not yet acknowledged by the hub")
                .callback(cb -> cb.call(spool.get().getPendingRecords())).register(registry);
        GaugeWithCallback.builder().name("outpost_agent_usage_spool_pending_bytes")
                .help("Bytes the usage spool takes on disk").callback(cb -> cb.call(spool.get().getPendingBytes()))
                .register(registry);
        GaugeWithCallback.builder().name("outpost_agent_usage_spool_max_bytes")
                .help("The most bytes the usage spool may take (--usage-spool-max-bytes)")
                .callback(cb -> cb.call(spool.get().getMaxBytes())).register(registry);
        CounterWithCallback.builder().name("outpost_agent_usage_spool_dropped_records")
                .help("Usage records that could not be spooled because the spool was full, since first start")
                .callback(cb -> cb.call(spool.get().getDroppedRecordsTotal())).register(registry);
        CounterWithCallback.builder().name("outpost_agent_custom_meter_problems")
                .help("Problems with the meters workloads declare (unusable declarations, pods not answering a scrape), since start")
                .callback(cb -> cb.call(meterProblems.getAsLong())).register(registry);
        GaugeWithCallback.builder().name("outpost_agent_cluster_ready")
                .help("1 while the agent's cluster check passes, 0 while it is degraded (see /healthz for why)")
                .callback(cb -> cb.call(condition.get().getState() == AgentState.AGENT_STATE_READY ? 1 : 0))
                .register(registry);
    }

    /** The registry /metrics serves. */
    public PrometheusRegistry registry() {
        return registry;
    }

    /** The usage spool's report, read at every scrape from now on. */
    public void watchSpool(Supplier<SpoolState> report) {
        this.spool = report;
    }

    /** The hub welcomed a control stream. */
    public void hubConnected() {
        hubConnected.set(1);
    }

    /** The custom meters' problem count, read at every scrape from now on. */
    public void watchMeterProblems(LongSupplier problems) {
        this.meterProblems = problems;
    }

    /** A control stream ended; {@code reconnecting} unless the agent is stopping. */
    public void hubDisconnected(boolean reconnecting) {
        hubConnected.set(0);
        if (reconnecting) {
            reconnects.inc();
        }
    }

    /** Whether the control stream is up now. */
    public boolean isHubConnected() {
        return hubConnected.get() == 1;
    }

    /** A command finished with {@code outcome}. */
    public void commandFinished(Outcome outcome) {
        commands.labelValues(outcome == Outcome.OUTCOME_SUCCEEDED ? "succeeded" : "failed").inc();
    }
}

package dev.outpost.hub.ops;

import dev.outpost.hub.agents.AgentStore;
import dev.outpost.hub.store.Database;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import jakarta.inject.Singleton;

/**
 * The hub's Prometheus registry: JVM metrics, finished operations by type and outcome, and agents
 * online. Other parts may register their own metrics on {@link #registry()}.
 */
@Singleton
public class HubMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter operations;

    public HubMetrics(Database db, AgentStore agents) {
        JvmMetrics.builder().register(registry);
        operations = Counter.builder()
                .name("outpost_operations_finished_total")
                .help("Deployment operations that finished, by type (create, update, delete) and outcome")
                .labelNames("type", "outcome")
                .register(registry);
        GaugeWithCallback.builder()
                .name("outpost_agents_online")
                .help("Agents whose control stream is open")
                .callback(cb -> cb.call(db.read(agents::countOnline)))
                .register(registry);
    }

    /** The registry /metrics exposes. */
    public PrometheusRegistry registry() {
        return registry;
    }

    /** Counts an operation that ended; outcome is "succeeded", "failed" or "cancelled". */
    public void operationFinished(String type, String outcome) {
        operations.labelValues(type, outcome).inc();
    }
}

package dev.outpost.hub.ops;

import dev.outpost.hub.agents.AgentStore;
import dev.outpost.hub.store.Database;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import jakarta.inject.Singleton;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * The hub's Prometheus registry: JVM metrics, finished operations by type and outcome, refused API
 * requests, agents online, and the database connection pool. Other parts may register their own metrics on {@link #registry()}.
 */
@Singleton
public class HubMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter operations;
    private final Counter refusedClaims;
    private final Counter refusedBearers;

    public HubMetrics(Database db, AgentStore agents, DataSource dataSource) {
        JvmMetrics.builder().register(registry);
        operations = Counter.builder()
                .name("outpost_operations_finished_total")
                .help("Deployment operations that finished, by type (create, update, delete) and outcome")
                .labelNames("type", "outcome")
                .register(registry);
        refusedClaims = Counter.builder()
                .name("outpost_agent_claims_refused_total")
                .help("What agents claimed and the hub refused to store, by where the claim was made "
                        + "(hello_applied, result_applied)")
                .labelNames("claim")
                .register(registry);
        refusedBearers = Counter.builder()
                .name("outpost_api_auth_failures_total")
                .help("REST API requests refused with 401, by what they presented (missing, api_token, oidc)")
                .labelNames("presented")
                .register(registry);
        GaugeWithCallback.builder()
                .name("outpost_agents_online")
                .help("Agents whose control stream is open")
                .callback(cb -> cb.call(db.read(agents::countOnline)))
                .register(registry);
        HikariDataSource pool = hikari(dataSource);
        if (pool != null) {
            GaugeWithCallback.builder()
                    .name("outpost_db_connections")
                    .help("The hub's database connections by state: active (in use), idle, and waiting (threads "
                            + "waiting for one); at most datasources.default.maximum-pool-size are open")
                    .labelNames("state")
                    .callback(cb -> {
                        HikariPoolMXBean bean = pool.getHikariPoolMXBean();
                        if (bean != null) { // null until the pool has started
                            cb.call(bean.getActiveConnections(), "active");
                            cb.call(bean.getIdleConnections(), "idle");
                            cb.call(bean.getThreadsAwaitingConnection(), "waiting");
                        }
                    })
                    .register(registry);
        }
    }

    private static HikariDataSource hikari(DataSource dataSource) {
        try {
            return dataSource.isWrapperFor(HikariDataSource.class) ? dataSource.unwrap(HikariDataSource.class) : null;
        } catch (SQLException e) {
            return null;
        }
    }

    /** The registry /metrics exposes. */
    public PrometheusRegistry registry() {
        return registry;
    }

    /** Counts {@code count} claims of an agent the hub refused; claim is "hello_applied" or "result_applied". */
    public void claimsRefused(String claim, int count) {
        refusedClaims.labelValues(claim).inc(count);
    }

    /** Counts a REST request refused with 401; presented is "missing", "api_token" or "oidc". */
    public void authFailed(String presented) {
        refusedBearers.labelValues(presented).inc();
    }

    /** Counts an operation that ended; outcome is "succeeded", "failed" or "cancelled". */
    public void operationFinished(String type, String outcome) {
        operations.labelValues(type, outcome).inc();
    }
}

package dev.outpost.hub.ops;

import dev.outpost.hub.config.HubConfig;
import dev.outpost.hub.store.DatabaseKind;
import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import jakarta.inject.Singleton;
import java.lang.management.ManagementFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs one line when the REST API accepts requests: port, database kind and start time. */
@Singleton
public class ReadyLog {
    private static final Logger LOG = LoggerFactory.getLogger(ReadyLog.class);
    private final HubConfig config;

    public ReadyLog(HubConfig config) {
        this.config = config;
    }

    /** Called when the HTTP server has bound its port. */
    @EventListener
    public void onServerStarted(ServerStartupEvent event) {
        String database = DatabaseKind.configured(config).label();
        long startMillis = ManagementFactory.getRuntimeMXBean().getUptime();
        LOG.info("Outpost hub REST API ready on port {} (database: {}, started in {} ms)",
                event.getSource().getPort(), database, startMillis);
    }
}

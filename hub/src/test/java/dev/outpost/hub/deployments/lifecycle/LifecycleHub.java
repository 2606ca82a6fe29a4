package dev.outpost.hub.deployments.lifecycle;

import dev.outpost.hub.gateway.AgentGateway;
import dev.outpost.hub.pki.HubCertificateAuthority;
import dev.outpost.hub.testsupport.Api;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.security.cert.X509Certificate;
import java.util.Map;

/**
 * A real hub in this JVM that a test can stop and start again on the same data folder and database,
 * as a restart (or a crash) of the hub process would: new ports, same state.
 */
final class LifecycleHub implements AutoCloseable {
    private final Map<String, Object> properties;
    private EmbeddedServer server;
    private Api api;

    LifecycleHub(Map<String, ? extends Object> properties) {
        this.properties = Map.copyOf(properties);
    }

    LifecycleHub start() {
        server = ApplicationContext.run(EmbeddedServer.class, properties);
        api = new Api(server.getURI());
        return this;
    }

    /** Stops the hub (its agents' streams break) and starts it again on the same database. */
    void restart() {
        stop();
        start();
    }

    void stop() {
        if (server != null) {
            server.getApplicationContext().close();
            server = null;
        }
    }

    Api api() {
        return api;
    }

    int grpcPort() {
        return server.getApplicationContext().getBean(AgentGateway.class).port();
    }

    X509Certificate caCertificate() {
        return server.getApplicationContext().getBean(HubCertificateAuthority.class).caCertificate();
    }

    <T> T bean(Class<T> type) {
        return server.getApplicationContext().getBean(type);
    }

    @Override
    public void close() {
        stop();
    }
}

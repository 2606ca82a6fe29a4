package dev.outpost.agent.metrics;

import com.sun.net.httpserver.HttpExchange;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Serves /metrics (Prometheus text or OpenMetrics, as the scraper asks) and /healthz on one address.
 * Two threads and a short queue at most: a scraper or probe storm waits in line (the accepting thread
 * serves the overflow itself), it never grows the agent.
 */
public final class MetricsEndpoint implements AutoCloseable {
    private static final int THREADS = 2;
    private static final int QUEUED = 16;

    private final HTTPServer server;

    private MetricsEndpoint(HTTPServer server) {
        this.server = server;
    }

    /** Starts serving; IOException when the address cannot be bound (in use, not local). */
    public static MetricsEndpoint start(InetSocketAddress address, PrometheusRegistry registry,
            Supplier<AgentHealth> health) throws IOException {
        AtomicInteger count = new AtomicInteger();
        ThreadPoolExecutor executor = new ThreadPoolExecutor(1, THREADS, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUED), r -> {
                    Thread thread = new Thread(r, "outpost-metrics-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                }, new ThreadPoolExecutor.CallerRunsPolicy());
        HTTPServer server = HTTPServer.builder()
                .inetAddress(address.getAddress())
                .port(address.getPort())
                .registry(registry)
                .executorService(executor)
                .registerHealthHandler(false)
                .defaultHandler(exchange -> other(exchange, health))
                .buildAndStart();
        return new MetricsEndpoint(server);
    }

    /** The port served (the chosen one when started on port 0). */
    public int port() {
        return server.getPort();
    }

    /** Everything but /metrics: /healthz, or 404. */
    private static void other(HttpExchange exchange, Supplier<AgentHealth> health) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (!path.equals("/healthz")) {
                reply(exchange, 404, "not found: this endpoint serves /metrics and /healthz\n");
                return;
            }
            if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                reply(exchange, 405, "method not allowed: GET /healthz\n");
                return;
            }
            AgentHealth verdict = health.get();
            reply(exchange, verdict.healthy() ? 200 : 503, verdict.text() + "\n");
        }
    }

    private static void reply(HttpExchange exchange, int status, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.close();
    }
}

package dev.outpost.agent.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import dev.outpost.agent.ledger.CommandLedger;
import dev.outpost.protocol.chain.HashChain;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Serves /metrics (Prometheus text or OpenMetrics, as the scraper asks), /healthz, and the customer's
 * command ledger (/ledger as stored, /ledger/verify its check) on one address.
 * Two threads and a short queue at most: a scraper or probe storm waits in line (the accepting thread
 * serves the overflow itself), it never grows the agent.
 */
public final class MetricsEndpoint implements AutoCloseable {
    private static final int THREADS = 2;
    private static final int QUEUED = 16;
    private static final Set<String> PATHS = Set.of("/healthz", "/ledger", "/ledger/verify");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HTTPServer server;

    private MetricsEndpoint(HTTPServer server) {
        this.server = server;
    }

    /** Starts serving; IOException when the address cannot be bound (in use, not local). */
    public static MetricsEndpoint start(InetSocketAddress address, PrometheusRegistry registry,
            Supplier<AgentHealth> health, CommandLedger ledger) throws IOException {
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
                .defaultHandler(exchange -> other(exchange, health, ledger))
                .buildAndStart();
        return new MetricsEndpoint(server);
    }

    /** The port served (the chosen one when started on port 0). */
    public int port() {
        return server.getPort();
    }

    /** Everything but /metrics: /healthz, the ledger, or 404. */
    private static void other(HttpExchange exchange, Supplier<AgentHealth> health, CommandLedger ledger)
            throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (!PATHS.contains(path)) {
                reply(exchange, 404, "not found: this endpoint serves /metrics, /healthz, /ledger and /ledger/verify\n");
                return;
            }
            if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                reply(exchange, 405, "method not allowed: GET " + path + "\n");
                return;
            }
            switch (path) {
                case "/ledger" -> ledgerFile(exchange, ledger);
                case "/ledger/verify" -> reply(exchange, 200, "application/json", verdict(ledger));
                default -> {
                    AgentHealth verdict = health.get();
                    reply(exchange, verdict.healthy() ? 200 : 503, verdict.text() + "\n");
                }
            }
        }
    }

    /** The ledger's lines as stored (JSON lines), streamed: it grows with every command. */
    private static void ledgerFile(HttpExchange exchange, CommandLedger ledger) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/x-ndjson; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        Path file = ledger.file();
        if (exchange.getRequestMethod().equals("HEAD") || !Files.exists(file)) {
            exchange.sendResponseHeaders(200, -1);
            return;
        }
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            Files.copy(file, out);
        }
    }

    private static String verdict(CommandLedger ledger) throws IOException {
        HashChain.Verdict verdict = ledger.verify();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("valid", verdict.valid());
        body.put("entriesChecked", verdict.entries());
        body.put("brokenAtSeq", verdict.brokenAtSeq());
        body.put("reason", verdict.reason());
        body.put("file", ledger.file().toString());
        return JSON.writeValueAsString(body) + "\n";
    }

    private static void reply(HttpExchange exchange, int status, String text) throws IOException {
        reply(exchange, status, "text/plain; charset=utf-8", text);
    }

    private static void reply(HttpExchange exchange, int status, String contentType, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
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

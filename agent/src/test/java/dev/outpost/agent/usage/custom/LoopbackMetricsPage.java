package dev.outpost.agent.usage.custom;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A test workload's Prometheus page, served over real HTTP on 127.0.0.1 (where kwok puts hostNetwork
 * pods): the page set last, or 503 while none is set.
 */
public final class LoopbackMetricsPage implements AutoCloseable {
    private final HttpServer server;
    private final AtomicReference<String> page = new AtomicReference<>();

    /** Serves at {@code path}, on a free port. */
    public LoopbackMetricsPage(String path) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext(path, exchange -> {
            String body = page.get();
            byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(body == null ? 503 : 200, bytes.length == 0 ? -1 : bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    /** The page served from now on; null: 503. */
    public void serve(String text) {
        page.set(text);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

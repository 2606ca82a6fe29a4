package dev.outpost.e2e.telemetry;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A workload's Prometheus page served by the test on 127.0.0.1 (where kwok puts hostNetwork pods): a
 * counter that grows by {@link #STEP} on every scrape, starting at 0, so the test knows exactly what
 * an agent could have billed: the last value it served.
 */
final class CountingMetricsPage implements AutoCloseable {
    static final long STEP = 7;
    private final HttpServer server;
    private final AtomicLong scrapes = new AtomicLong();

    CountingMetricsPage() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/metrics", exchange -> {
            long value = STEP * scrapes.getAndIncrement();
            byte[] page = ("# TYPE e2e_requests_total counter\n"
                    + "e2e_requests_total{result=\"ok\"} " + value + "\n"
                    + "e2e_requests_total{result=\"error\"} 1000\n").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, page.length);
            exchange.getResponseBody().write(page);
            exchange.close();
        });
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** The counter's value in the last page served (0 before any). */
    long lastServed() {
        return Math.max(0, STEP * (scrapes.get() - 1));
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

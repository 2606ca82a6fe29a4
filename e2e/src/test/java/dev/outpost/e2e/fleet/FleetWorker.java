package dev.outpost.e2e.fleet;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * One simulator process of a {@link FleetWorkers} fleet: a {@link FleetSimulator} driven over a
 * loopback HTTP port. {@code POST /enrol} (lines of {@code joinToken caFingerprint}) enrols and
 * connects that many more agents and answers their ids, one per line; {@code POST
 * /redial?parallelism=&patience-seconds=} has every agent drop its connection and dial again at once;
 * {@code GET /totals}, {@code /ends} and {@code /timings} report its counters. Arguments: {@code <control port>
 * <gateway,gateway...> <apply ms> <enrol parallelism> <backoff cap seconds>}.
 */
public final class FleetWorker {
    private FleetWorker() {
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        FleetSimulator fleet = new FleetSimulator(List.of(args[1].split(",")),
                new SimulatedCluster.Behaviour(Duration.ofMillis(Long.parseLong(args[2])), 0), Integer.parseInt(args[3]),
                2, Duration.ofSeconds(Long.parseLong(args[4])));
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 16);
        http.setExecutor(Executors.newFixedThreadPool(4));
        Object enrolling = new Object();
        http.createContext("/enrol", exchange -> {
            List<String[]> invitations = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)
                    .lines().filter(line -> !line.isBlank()).map(line -> line.split(" ", 2)).toList();
            answer(exchange, () -> {
                synchronized (enrolling) {
                    int first = fleet.agents().size();
                    return String.join("\n", fleet.enrol(invitations.size(), index -> new FleetSimulator.Invitation(
                            invitations.get(index - first)[0], invitations.get(index - first)[1])));
                }
            });
        });
        http.createContext("/redial", exchange -> {
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            answer(exchange, () -> {
                fleet.redialAll(Integer.parseInt(query.get("parallelism")),
                        Duration.ofSeconds(Long.parseLong(query.get("patience-seconds"))));
                return "redialled";
            });
        });
        http.createContext("/totals", exchange -> reply(exchange, 200, fleet.totals().format()));
        http.createContext("/ends", exchange -> {
            StringBuilder body = new StringBuilder();
            fleet.streamEndsByCode().forEach((kind, count) -> body.append(kind).append('\t').append(count).append('\n'));
            reply(exchange, 200, body.toString());
        });
        http.createContext("/timings", exchange -> {
            StringBuilder body = new StringBuilder();
            for (Map.Entry<String, long[]> timing : fleet.timings().entrySet()) {
                body.append(timing.getKey()).append(' ').append(timing.getValue()[0]).append(' ')
                        .append(timing.getValue()[1]).append('\n');
            }
            reply(exchange, 200, body.toString());
        });
        http.start();
        System.out.println("fleet worker ready on 127.0.0.1:" + port);
    }

    /** What a long request does: its answer, or why it failed. */
    @FunctionalInterface
    private interface Work {
        String run() throws InterruptedException;
    }

    private static void answer(HttpExchange exchange, Work work) throws IOException {
        try {
            reply(exchange, 200, work.run());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reply(exchange, 500, "interrupted");
        } catch (RuntimeException e) {
            e.printStackTrace();
            reply(exchange, 500, e.toString());
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> parameters = new HashMap<>();
        for (String pair : raw == null ? new String[0] : raw.split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0) {
                parameters.put(pair.substring(0, equals), pair.substring(equals + 1));
            }
        }
        return parameters;
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (var out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
        exchange.close();
    }
}

package dev.outpost.e2e.telemetry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A live tail of the hub's logs ({@code GET /api/v1/logs?follow=true}, server-sent events), as an SRE's
 * terminal would hold it: remembers when each line's text first arrived.
 */
final class LogTail implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Map<String, Long> arrivedNanos = new ConcurrentHashMap<>();
    private final Thread reader;
    private volatile InputStream body;
    private volatile int status;

    LogTail(String baseUrl, String token, String query) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/api/v1/logs?follow=true&" + query))
                .header("Authorization", "Bearer " + token).header("Accept", "text/event-stream").GET().build();
        reader = new Thread(() -> read(http, request), "log-tail");
        reader.setDaemon(true);
        reader.start();
    }

    private void read(HttpClient http, HttpRequest request) {
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            status = response.statusCode();
            body = response.body();
            BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.startsWith("data:")) {
                    JsonNode event = JSON.readTree(line.substring("data:".length()).trim());
                    if (event.has("text")) { // a log line, not a heartbeat
                        arrivedNanos.putIfAbsent(event.path("text").asText(), System.nanoTime());
                    }
                }
            }
        } catch (Exception e) {
            // The tail ends when the test closes it or the hub goes away; the test asserts on what arrived.
        }
    }

    /** The HTTP status of the tail (0 until the hub answered). */
    int status() {
        return status;
    }

    /** When {@code text} arrived ({@link System#nanoTime()}), or null if it has not. */
    Long arrived(String text) {
        return arrivedNanos.get(text);
    }

    /** Distinct line texts received so far. */
    int received() {
        return arrivedNanos.size();
    }

    @Override
    public void close() throws Exception {
        InputStream stream = body;
        if (stream != null) {
            stream.close();
        }
        reader.interrupt();
    }
}

package dev.outpost.agent.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.outpost.agent.model.PlanException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP probe against a real local HTTP server. */
class HttpGateTest {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final AtomicInteger calls = new AtomicInteger();
    private final List<String> notes = new ArrayList<>();
    private HttpServer server;
    private volatile int failFirst;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/healthz", exchange -> {
            int status = calls.incrementAndGet() <= failFirst ? 503 : 204;
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    @Test
    void retriesUntilTheServiceAnswers2xx() throws Exception {
        failFirst = 2;

        String note = gate(Duration.ofSeconds(30)).check(notes::add);

        assertThat(note).isEqualTo("GET " + url() + ": HTTP 204");
        assertThat(calls).hasValue(3);
        assertThat(notes).contains("GET " + url() + ": HTTP 503");
    }

    @Test
    void failsAfterItsTimeoutSayingWhatItLastHeard() {
        failFirst = Integer.MAX_VALUE;

        assertThatThrownBy(() -> gate(Duration.ofSeconds(2)).check(notes::add))
                .isInstanceOf(TimeoutException.class)
                .hasMessageStartingWith("GET " + url() + " did not answer 2xx within 2 s (")
                .hasMessageContaining("attempts; last: ");
        assertThat(notes).contains("GET " + url() + ": HTTP 503");
        // bounded: backoff from 0.5 s keeps a 2 s probe to a handful of requests
        assertThat(calls.get()).isBetween(1, 6);
    }

    @Test
    void refusesAUrlThatIsNotHttp() {
        assertThatThrownBy(() -> HttpGate.of(http, "file:///etc/passwd", Duration.ofSeconds(1), Clock.systemUTC()))
                .isInstanceOf(PlanException.class).hasMessage("the HTTP probe's URL 'file:///etc/passwd' is not an http(s) URL");
        assertThatThrownBy(() -> HttpGate.of(http, "http://exa mple", Duration.ofSeconds(1), Clock.systemUTC()))
                .isInstanceOf(PlanException.class).hasMessage("the HTTP probe's URL 'http://exa mple' is not a URL");
    }

    private HttpGate gate(Duration timeout) {
        return HttpGate.of(http, url(), timeout, Clock.systemUTC());
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/healthz";
    }
}

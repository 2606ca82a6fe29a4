package dev.outpost.agent.deploy;

import dev.outpost.agent.model.PlanException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;

/**
 * HttpProbe: GET the URL from the agent until it answers 2xx, within the gate's timeout. Attempts are
 * spaced by a backoff (0.5 s doubling to 5 s, with jitter) and each is bounded by the time left (and 10 s
 * at most), so a probe makes a bounded number of requests and never outlives its timeout by much.
 */
final class HttpGate implements StepGate {
    static final Duration FIRST_PAUSE = Duration.ofMillis(500);
    static final Duration MAX_PAUSE = Duration.ofSeconds(5);
    static final Duration MAX_ATTEMPT = Duration.ofSeconds(10);
    static final Duration MIN_ATTEMPT = Duration.ofMillis(250);

    private final HttpClient http;
    private final URI url;
    private final Duration timeout;
    private final Clock clock;

    HttpGate(HttpClient http, URI url, Duration timeout, Clock clock) {
        this.http = http;
        this.url = url;
        this.timeout = timeout;
        this.clock = clock;
    }

    /** A probe of {@code url}, or a PlanException when the URL cannot be probed. */
    static HttpGate of(HttpClient http, String url, Duration timeout, Clock clock) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new PlanException("the HTTP probe's URL '" + url + "' is not a URL");
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new PlanException("the HTTP probe's URL '" + url + "' is not an http(s) URL");
        }
        return new HttpGate(http, uri, timeout, clock);
    }

    @Override
    public String check(PipelineStep.StepNotes notes) throws InterruptedException, TimeoutException {
        Instant end = clock.instant().plus(timeout);
        Duration pause = FIRST_PAUSE;
        String last = "no answer yet";
        for (int attempt = 1; ; attempt++) {
            Duration left = Duration.between(clock.instant(), end);
            // an attempt with almost no time left could only time out, hiding what the service last answered
            if (left.compareTo(MIN_ATTEMPT) < 0) {
                throw new TimeoutException("GET " + url + " did not answer 2xx within " + timeout.toSeconds()
                        + " s (" + (attempt - 1) + " attempts; last: " + last + ")");
            }
            last = attempt(left.compareTo(MAX_ATTEMPT) < 0 ? left : MAX_ATTEMPT);
            if (last.startsWith("HTTP 2")) {
                return "GET " + url + ": " + last;
            }
            notes.note("GET " + url + ": " + last);
            long jittered = pause.toMillis() / 2 + ThreadLocalRandom.current().nextLong(pause.toMillis() / 2 + 1);
            long sleep = Math.min(jittered, Math.max(0, Duration.between(clock.instant(), end).toMillis()));
            Thread.sleep(sleep);
            pause = pause.multipliedBy(2).compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : pause.multipliedBy(2);
        }
    }

    private String attempt(Duration limit) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(limit).GET().build();
        try {
            HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
            return "HTTP " + response.statusCode();
        } catch (IOException e) {
            return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
    }
}

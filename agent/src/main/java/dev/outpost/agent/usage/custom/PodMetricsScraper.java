package dev.outpost.agent.usage.custom;

import dev.outpost.agent.model.PodRestarts;
import io.fabric8.kubernetes.api.model.Pod;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Scrapes the metrics page each running pod of a deployment declares, at its pod IP, all pods at once:
 * each answer bounded in time and size, the whole round bounded too. Plain HTTP, as Prometheus scrapes
 * pods inside a cluster; the agent runs there, next to them.
 */
public final class PodMetricsScraper implements AutoCloseable {
    /** Largest page read; a workload serving more is not scraped (and says so). */
    public static final int MAX_PAGE_BYTES = 4 * 1024 * 1024;
    /** Most pods of one deployment scraped per round. */
    public static final int MAX_PODS = 200;

    private final Duration timeout;
    private final ExecutorService executor;
    private final HttpClient http;

    /** How long one deployment's pods get to answer, for a round every {@code interval}: a quarter of it, at most 5 s. */
    public static Duration timeoutFor(Duration interval) {
        return Duration.ofMillis(Math.max(200, Math.min(5000, interval.toMillis() / 4)));
    }

    /** {@code timeout} bounds one pod's answer and the whole round. */
    public PodMetricsScraper(Duration timeout) {
        this.timeout = timeout;
        this.executor = Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "outpost-meter-scrape");
            thread.setDaemon(true);
            return thread;
        });
        this.http = HttpClient.newBuilder().connectTimeout(timeout).executor(executor)
                .followRedirects(HttpClient.Redirect.NEVER).version(HttpClient.Version.HTTP_1_1).build();
    }

    /** One round's scrapes, and the pods with a declaration that cannot be used (with why). */
    public record Round(List<PodScrape> scrapes, List<String> problems) {
    }

    /**
     * Scrapes every running pod in {@code pods} for the metric names {@code wanted} picks from its
     * declaration (a pod it picks none from is not scraped); waits at most the timeout (plus a little).
     */
    public Round scrape(List<Pod> pods, Function<MeterAnnotations.ScrapeTarget, Set<String>> wanted)
            throws InterruptedException {
        List<String> problems = new ArrayList<>();
        List<Pending> pending = new ArrayList<>();
        for (Pod pod : pods) {
            MeterAnnotations.Reading reading = MeterAnnotations.read(pod);
            reading.problem().ifPresent(why -> problems.add("pod " + pod.getMetadata().getName() + ": " + why));
            if (reading.target().isEmpty() || !isRunning(pod)) {
                continue;
            }
            Set<String> names = wanted.apply(reading.target().get());
            if (names.isEmpty()) {
                continue;
            }
            if (pending.size() >= MAX_PODS) {
                problems.add("more than " + MAX_PODS + " pods declare meters; pod " + pod.getMetadata().getName()
                        + " not scraped this round");
                continue;
            }
            MeterAnnotations.ScrapeTarget target = reading.target().get();
            URI uri = URI.create("http://" + hostOf(pod.getStatus().getPodIP()) + ":" + target.port() + target.path());
            HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET()
                    .header("Accept", "text/plain;version=0.0.4").build();
            CompletableFuture<HttpResponse<byte[]>> exchange = http.sendAsync(request, LimitedBody.handler(MAX_PAGE_BYTES));
            CompletableFuture<PrometheusText.Page> page = exchange.thenApply(response -> read(response, names));
            pending.add(new Pending(pod, target, uri, exchange, page));
        }
        long deadline = System.nanoTime() + timeout.toNanos() + TimeUnit.MILLISECONDS.toNanos(500);
        List<PodScrape> scrapes = new ArrayList<>();
        for (Pending each : pending) {
            Optional<PrometheusText.Page> page = Optional.empty();
            Optional<String> failure = Optional.empty();
            try {
                page = Optional.of(each.page().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (TimeoutException e) {
                each.exchange().cancel(true); // aborts the exchange: a pod trickling its page holds nothing
                failure = Optional.of("no answer from " + each.uri() + " within " + timeout.toMillis() + " ms");
            } catch (java.util.concurrent.ExecutionException e) {
                Throwable cause = e.getCause() instanceof java.util.concurrent.CompletionException && e.getCause().getCause() != null
                        ? e.getCause().getCause() : e.getCause();
                failure = Optional.of("cannot scrape " + each.uri() + ": " + cause.getMessage());
            }
            failure.ifPresent(why -> problems.add("pod " + each.pod().getMetadata().getName() + ": " + why));
            scrapes.add(new PodScrape(each.pod().getMetadata().getUid(), each.pod().getMetadata().getName(),
                    startedAtMs(each.pod()), PodRestarts.of(each.pod()), each.target(), page, failure));
        }
        return new Round(scrapes, problems);
    }

    private record Pending(Pod pod, MeterAnnotations.ScrapeTarget target, URI uri,
            CompletableFuture<HttpResponse<byte[]>> exchange, CompletableFuture<PrometheusText.Page> page) {
    }

    private static PrometheusText.Page read(HttpResponse<byte[]> response, Set<String> names) {
        if (response.statusCode() != 200) {
            throw new IllegalStateException("HTTP " + response.statusCode());
        }
        return PrometheusText.read(new String(response.body(), StandardCharsets.UTF_8), names);
    }

    private static boolean isRunning(Pod pod) {
        return pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase())
                && pod.getStatus().getPodIP() != null && !pod.getStatus().getPodIP().isBlank();
    }

    private static String hostOf(String ip) {
        return ip.contains(":") ? "[" + ip + "]" : ip;
    }

    private static long startedAtMs(Pod pod) {
        String started = pod.getStatus().getStartTime();
        if (started == null) {
            return 0;
        }
        try {
            return Instant.parse(started).toEpochMilli();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}

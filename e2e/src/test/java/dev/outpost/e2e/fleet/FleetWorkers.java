package dev.outpost.e2e.fleet;

import static org.awaitility.Awaitility.await;

import dev.outpost.e2e.support.ChildProcess;
import dev.outpost.e2e.support.ProjectPaths;
import dev.outpost.testcluster.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;

/**
 * A fleet spread over several simulator processes ({@link FleetWorker}), each with its own limit of
 * open files, so that one hub can be driven to its own ceiling. Agent {@code i} lives in process
 * {@code i / perProcess}; invitations are made here (e.g. at the hub's REST API, as many at a time as
 * the enrolment parallelism) and handed to the processes in chunks while the next are made. Command
 * timings from the processes are comparable with this JVM's: on Linux {@link System#nanoTime()} is
 * the system-wide monotonic clock.
 */
final class FleetWorkers implements SimulatedFleet {
    private static final int CHUNK = 250;

    private final List<ChildProcess> processes = new ArrayList<>();
    private final List<Integer> ports = new ArrayList<>();
    private final int gatewayCount;
    private final int enrolParallelism;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** Invitations are made here, not in the processes: their time is counted here. */
    private final LongAdder inviteNanos = new LongAdder();

    FleetWorkers(Path logDir, int count, List<String> gateways, long applyMillis, int enrolParallelism, String heap,
            Duration backoffCap) {
        this.gatewayCount = gateways.size();
        this.enrolParallelism = enrolParallelism;
        for (int i = 0; i < count; i++) {
            int port = FreePorts.next();
            ports.add(port);
            processes.add(ChildProcess.start("fleet-worker-" + i, List.of(ProjectPaths.java(), "-Xmx" + heap, "-cp",
                    System.getProperty("java.class.path"), FleetWorker.class.getName(), Integer.toString(port),
                    String.join(",", gateways), Long.toString(applyMillis),
                    Integer.toString(Math.max(1, enrolParallelism / count)), Long.toString(backoffCap.toSeconds())),
                    Map.of(), logDir.resolve("fleet-worker-" + i + ".log")));
        }
        await("fleet workers up").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            for (int i = 0; i < processes.size(); i++) {
                if (!processes.get(i).isAlive()) {
                    throw new IllegalStateException("fleet worker " + i + " exited\n" + processes.get(i).logTail());
                }
                if (get(i, "/totals") == null) {
                    return false;
                }
            }
            return true;
        });
    }

    @Override
    public List<String> enrol(int count, IntFunction<FleetSimulator.Invitation> invite) throws InterruptedException {
        // A multiple of the gateway count, so that each process's own index picks the same gateway as ours.
        int perProcess = (count + processes.size() - 1) / processes.size();
        perProcess = (perProcess + gatewayCount - 1) / gatewayCount * gatewayCount;
        ExecutorService inviting = Executors.newFixedThreadPool(enrolParallelism);
        ExecutorService feeding = Executors.newFixedThreadPool(processes.size());
        try {
            List<Future<FleetSimulator.Invitation>> invitations = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int index = i;
                invitations.add(inviting.submit(() -> {
                    long begin = System.nanoTime();
                    FleetSimulator.Invitation invitation = invite.apply(index);
                    inviteNanos.add(System.nanoTime() - begin);
                    return invitation;
                }));
            }
            String[] ids = new String[count];
            List<Future<?>> feeds = new ArrayList<>();
            for (int process = 0; process < processes.size(); process++) {
                int worker = process;
                int from = Math.min(count, process * perProcess);
                int to = Math.min(count, from + perProcess);
                feeds.add(feeding.submit(() -> {
                    for (int chunk = from; chunk < to; chunk += CHUNK) {
                        StringBuilder body = new StringBuilder();
                        for (int i = chunk; i < Math.min(to, chunk + CHUNK); i++) {
                            FleetSimulator.Invitation invitation = invitations.get(i).get();
                            body.append(invitation.joinToken()).append(' ').append(invitation.caFingerprint()).append('\n');
                        }
                        String answer = post(worker, "/enrol", body.toString());
                        String[] enrolled = answer.split("\n");
                        System.arraycopy(enrolled, 0, ids, chunk, enrolled.length);
                    }
                    return null;
                }));
            }
            for (Future<?> feed : feeds) {
                feed.get();
            }
            return Arrays.asList(ids);
        } catch (ExecutionException e) {
            throw new IllegalStateException("an enrolment failed: " + e.getCause(), e.getCause());
        } finally {
            inviting.shutdownNow();
            feeding.shutdownNow();
        }
    }

    /** Each process redials its agents at once, the parallelism split between them. */
    @Override
    public void redialAll(int parallelism, Duration patience) throws InterruptedException {
        int share = Math.max(1, parallelism / processes.size());
        ExecutorService asking = Executors.newFixedThreadPool(processes.size());
        try {
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < processes.size(); i++) {
                int worker = i;
                answers.add(asking.submit(() -> post(worker, "/redial?parallelism=" + share + "&patience-seconds="
                        + patience.toSeconds(), "")));
            }
            for (Future<String> answer : answers) {
                answer.get();
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("redialling failed: " + e.getCause(), e.getCause());
        } finally {
            asking.shutdownNow();
        }
    }

    @Override
    public FleetCounters.Totals totals() {
        FleetCounters.Totals sum = new FleetCounters.Totals(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, inviteNanos.sum(), 0);
        for (int i = 0; i < processes.size(); i++) {
            sum = sum.plus(FleetCounters.Totals.parse(required(i, "/totals")));
        }
        return sum;
    }

    @Override
    public Map<String, Long> streamEndsByCode() {
        Map<String, Long> sum = new java.util.TreeMap<>();
        for (int i = 0; i < processes.size(); i++) {
            required(i, "/ends").lines().filter(line -> !line.isBlank()).map(line -> line.split("\t"))
                    .forEach(parts -> sum.merge(parts[0], Long.parseLong(parts[1]), Long::sum));
        }
        return sum;
    }

    @Override
    public Map<String, long[]> timings() {
        Map<String, long[]> all = new HashMap<>();
        for (int i = 0; i < processes.size(); i++) {
            required(i, "/timings").lines().filter(line -> !line.isBlank()).map(line -> line.split(" "))
                    .forEach(parts -> all.put(parts[0], new long[] {Long.parseLong(parts[1]), Long.parseLong(parts[2])}));
        }
        return all;
    }

    @Override
    public List<Long> pids() {
        return processes.stream().map(ChildProcess::pid).toList();
    }

    @Override
    public void close() {
        processes.forEach(ChildProcess::kill9);
    }

    private String required(int worker, String path) {
        String body = get(worker, path);
        if (body == null) {
            throw new IllegalStateException("fleet worker " + worker + " did not answer " + path + "\n"
                    + processes.get(worker).logTail());
        }
        return body;
    }

    private String get(int worker, String path) {
        return send(HttpRequest.newBuilder(uri(worker, path)).timeout(Duration.ofSeconds(30)).GET().build());
    }

    private String post(int worker, String path, String body) {
        String answer = send(HttpRequest.newBuilder(uri(worker, path)).timeout(Duration.ofMinutes(10))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        if (answer == null) {
            throw new IllegalStateException("fleet worker " + worker + " refused " + path + "\n"
                    + processes.get(worker).logTail());
        }
        return answer;
    }

    private String send(HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private URI uri(int worker, String path) {
        return URI.create("http://127.0.0.1:" + ports.get(worker) + path);
    }
}

package dev.outpost.agent.logs;

import dev.outpost.agent.connection.Backoff;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows one container's log through the Kubernetes API, with timestamps, into the buffer. When the
 * stream ends (the container restarted or ended, the API server or kubelet went away) it reconnects
 * after a backoff, from the second of the last line read (the kubelet's sinceTime has whole seconds),
 * skipping lines at or before that line.
 */
final class ContainerFollower implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(ContainerFollower.class);

    private final KubernetesClient client;
    private final FollowedSource source;
    private final LogBuffer buffer;
    private final LogLineParser parser;
    private final Supplier<SecretMask> mask;
    private final Backoff backoff;
    private final String agent;
    private final Optional<LinePosition> resumeAfter;
    private final Object pause = new Object();
    private volatile boolean stopped;
    private volatile LogWatch watch;
    private volatile Thread thread;

    /** @param resumeAfter where to start: after this position (from {@link LogBuffer#follow}), or at the log's start */
    ContainerFollower(KubernetesClient client, FollowedSource source, LogBuffer buffer, Clock clock,
            Supplier<SecretMask> mask, Backoff backoff, String agent, Optional<LinePosition> resumeAfter) {
        this.resumeAfter = resumeAfter;
        this.client = client;
        this.source = source;
        this.buffer = buffer;
        this.parser = new LogLineParser(clock);
        this.mask = mask;
        this.backoff = backoff;
        this.agent = agent;
    }

    FollowedSource source() {
        return source;
    }

    /** Starts following on a virtual thread of its own. */
    void start() {
        thread = Thread.ofVirtual().name("outpost-log-" + source.pod() + "/" + source.container()).start(this);
    }

    @Override
    public void run() {
        Optional<LinePosition> last = resumeAfter;
        int failures = 0;
        while (!stopped) {
            boolean read = false;
            try {
                LinePosition before = last.orElse(null);
                last = readOnce(last);
                read = last.isPresent() && !last.get().equals(before);
                failures = 0;
            } catch (KubernetesClientException | IOException e) {
                if (stopped) {
                    return;
                }
                failures++;
                // the first failures are routine (a container restarting); only a lasting one is a warning
                if (failures == 3) {
                    LOG.warn("cannot follow the log of {} ({}), retrying: {}", source.describe(), agent, e.getMessage());
                } else {
                    LOG.debug("log stream of {} ended ({}): {}", source.describe(), agent, e.toString());
                }
            } catch (InterruptedException e) {
                return;
            }
            if (stopped) {
                return;
            }
            if (read) {
                backoff.reset();
            }
            try {
                synchronized (pause) {
                    if (!stopped) {
                        pause.wait(Math.max(1, backoff.next().toMillis()));
                    }
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One connection: reads until the stream ends; returns the position of the last line read. */
    private Optional<LinePosition> readOnce(Optional<LinePosition> last) throws IOException, InterruptedException {
        var logs = client.pods().inNamespace(source.namespace()).withName(source.pod()).inContainer(source.container())
                .usingTimestamps();
        LogWatch opened = last.isPresent() ? logs.sinceTime(sinceTime(last.get())).watchLog() : logs.watchLog();
        watch = opened;
        try (opened) {
            if (stopped) {
                return last;
            }
            InputStream in = opened.getOutput();
            LogLineReader reader = new LogLineReader(in, LogLineParser.MAX_RAW_LINE_BYTES);
            Ordinals ordinals = new Ordinals();
            LinePosition through = last.orElse(null);
            RawLine raw;
            while (!stopped && (raw = reader.next()) != null) {
                ParsedLine line = parser.parse(raw, ordinals, mask.get());
                if (line.position().atOrBefore(through)) {
                    continue; // read before this connection (the stream starts at the whole second)
                }
                buffer.add(source, line);
                through = line.position();
            }
            return Optional.ofNullable(through);
        } finally {
            watch = null;
        }
    }

    /** The whole second of the position, as RFC 3339: the kubelet sends lines from it on (inclusive). */
    static String sinceTime(LinePosition position) {
        Instant time = Instant.ofEpochSecond(Math.floorDiv(position.timeUnixNanos(), 1_000_000_000L));
        return time.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** Stops following: the stream is closed and the thread ends. */
    void stop() {
        stopped = true;
        LogWatch open = watch;
        if (open != null) {
            open.close();
        }
        synchronized (pause) {
            pause.notifyAll();
        }
        Thread running = thread;
        if (running != null) {
            running.interrupt();
        }
    }

    /** Waits for the thread to end, at most {@code wait}. */
    void join(Duration wait) throws InterruptedException {
        Thread running = thread;
        if (running != null) {
            running.join(wait);
        }
    }
}

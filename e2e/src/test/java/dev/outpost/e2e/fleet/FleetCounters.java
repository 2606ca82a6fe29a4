package dev.outpost.e2e.fleet;

import dev.outpost.protocol.v1.Command;
import dev.outpost.protocol.v1.CommandResult;
import dev.outpost.protocol.v1.Outcome;
import io.grpc.Status;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a simulated fleet has done, counted across all its agents: enrolments, streams that are open
 * and welcomed, commands received and answered. For each command (deployment and generation) the
 * first receipt and first answer are timed with {@link System#nanoTime()}, so a test can measure from
 * the moment it asked the hub.
 */
public final class FleetCounters {
    private final AtomicInteger enrolled = new AtomicInteger();
    private final AtomicInteger connected = new AtomicInteger();
    private final LongAdder welcomes = new LongAdder();
    private final LongAdder streamEnds = new LongAdder();
    private final LongAdder enrolmentsRefusedBusy = new LongAdder();
    private final LongAdder heartbeats = new LongAdder();
    private final LongAdder commandsReceived = new LongAdder();
    private final LongAdder commandsRepeated = new LongAdder();
    private final LongAdder resultsSent = new LongAdder();
    private final LongAdder resultsFailed = new LongAdder();
    private final Map<String, LongAdder> streamEndsByCode = new ConcurrentHashMap<>();
    private final LongAdder inviteNanos = new LongAdder();
    private final LongAdder enrollNanos = new LongAdder();
    private final Map<String, Long> firstReceivedNanos = new ConcurrentHashMap<>();
    private final Map<String, Long> firstAnsweredNanos = new ConcurrentHashMap<>();

    /** The key commands are timed under: {@code deploymentId@generation}. */
    public static String key(String deploymentId, long generation) {
        return deploymentId + "@" + generation;
    }

    void countEnrolled() {
        enrolled.incrementAndGet();
    }

    void countWelcome() {
        connected.incrementAndGet();
        welcomes.increment();
    }

    void streamEnded(boolean wasWelcomed, Status.Code code) {
        streamEnds.increment();
        streamEndsByCode.computeIfAbsent((wasWelcomed ? "welcomed " : "unwelcomed ") + code, c -> new LongAdder())
                .increment();
        if (wasWelcomed) {
            connected.decrementAndGet();
        }
    }

    void countBusyRefusal() {
        enrolmentsRefusedBusy.increment();
    }

    /** Enroll calls the hub refused as busy (each retried after the wait it asked for). */
    public long enrolmentsRefusedBusy() {
        return enrolmentsRefusedBusy.sum();
    }

    void enrolmentTimed(long inviteNanos, long enrollNanos) {
        this.inviteNanos.add(inviteNanos);
        this.enrollNanos.add(enrollNanos);
    }

    /** Summed over all agents: time spent getting invitations (REST) and in the Enroll call. */
    public Duration inviteTime() {
        return Duration.ofNanos(inviteNanos.sum());
    }

    public Duration enrollTime() {
        return Duration.ofNanos(enrollNanos.sum());
    }

    /** Stream ends by whether the stream had been welcomed and the gRPC status code, e.g. {@code welcomed UNAVAILABLE=200}. */
    public Map<String, Long> streamEndsByCode() {
        Map<String, Long> counts = new TreeMap<>();
        streamEndsByCode.forEach((key, count) -> counts.put(key, count.sum()));
        return counts;
    }

    void countHeartbeat() {
        heartbeats.increment();
    }

    void commandReceived(Command command, boolean repeated) {
        commandsReceived.increment();
        if (repeated) {
            commandsRepeated.increment();
        }
        firstReceivedNanos.putIfAbsent(key(command.getDeploymentId(), command.getGeneration()), System.nanoTime());
    }

    void resultSent(Command command, CommandResult result) {
        resultsSent.increment();
        if (result.getOutcome() != Outcome.OUTCOME_SUCCEEDED) {
            resultsFailed.increment();
        }
        firstAnsweredNanos.putIfAbsent(key(command.getDeploymentId(), command.getGeneration()), System.nanoTime());
    }

    public int enrolled() {
        return enrolled.get();
    }

    /** Agents whose stream is open and welcomed now. */
    public int connected() {
        return connected.get();
    }

    /** Welcomes received in all, reconnects included. */
    public long welcomes() {
        return welcomes.sum();
    }

    public long streamEnds() {
        return streamEnds.sum();
    }

    public long heartbeats() {
        return heartbeats.sum();
    }

    /** Commands received, re-sent ones included. */
    public long commandsReceived() {
        return commandsReceived.sum();
    }

    /** Commands received again after they had been carried out (at-least-once delivery). */
    public long commandsRepeated() {
        return commandsRepeated.sum();
    }

    /** Results sent, answers to re-sent commands included. */
    public long resultsSent() {
        return resultsSent.sum();
    }

    public long resultsFailed() {
        return resultsFailed.sum();
    }

    /** When the command for {@code deploymentId@generation} first reached an agent (nanoTime), or null. */
    public Long firstReceived(String key) {
        return firstReceivedNanos.get(key);
    }

    /** When an agent first answered the command for {@code deploymentId@generation} (nanoTime), or null. */
    public Long firstAnswered(String key) {
        return firstAnsweredNanos.get(key);
    }
}

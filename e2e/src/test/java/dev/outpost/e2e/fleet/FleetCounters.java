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

    /** The counts now, in one value (e.g. to send from a simulator process to the benchmark). */
    public Totals totals() {
        return new Totals(enrolled.get(), connected.get(), welcomes.sum(), streamEnds.sum(), heartbeats.sum(),
                commandsReceived.sum(), commandsRepeated.sum(), resultsSent.sum(), resultsFailed.sum(),
                enrolmentsRefusedBusy.sum(), inviteNanos.sum(), enrollNanos.sum());
    }

    /** For every command key: when it first reached an agent and when it was first answered (nanoTime, 0 if not yet). */
    public Map<String, long[]> timings() {
        Map<String, long[]> timings = new TreeMap<>();
        firstReceivedNanos.forEach((key, nanos) -> timings.put(key,
                new long[] {nanos, firstAnsweredNanos.getOrDefault(key, 0L)}));
        return timings;
    }

    /** A fleet's counts at one moment; {@link #plus} adds those of several simulator processes. */
    public record Totals(int enrolled, int connected, long welcomes, long streamEnds, long heartbeats,
            long commandsReceived, long commandsRepeated, long resultsSent, long resultsFailed,
            long enrolmentsRefusedBusy, long inviteNanos, long enrollNanos) {
        public Totals plus(Totals other) {
            return new Totals(enrolled + other.enrolled, connected + other.connected, welcomes + other.welcomes,
                    streamEnds + other.streamEnds, heartbeats + other.heartbeats,
                    commandsReceived + other.commandsReceived, commandsRepeated + other.commandsRepeated,
                    resultsSent + other.resultsSent, resultsFailed + other.resultsFailed,
                    enrolmentsRefusedBusy + other.enrolmentsRefusedBusy, inviteNanos + other.inviteNanos,
                    enrollNanos + other.enrollNanos);
        }

        /** As {@code name=value} pairs separated by spaces; {@link #parse} reads them back. */
        public String format() {
            return "enrolled=" + enrolled + " connected=" + connected + " welcomes=" + welcomes + " streamEnds="
                    + streamEnds + " heartbeats=" + heartbeats + " commandsReceived=" + commandsReceived
                    + " commandsRepeated=" + commandsRepeated + " resultsSent=" + resultsSent + " resultsFailed="
                    + resultsFailed + " enrolmentsRefusedBusy=" + enrolmentsRefusedBusy + " inviteNanos=" + inviteNanos
                    + " enrollNanos=" + enrollNanos;
        }

        public static Totals parse(String text) {
            Map<String, Long> values = new java.util.HashMap<>();
            for (String pair : text.trim().split(" ")) {
                String[] parts = pair.split("=", 2);
                values.put(parts[0], Long.parseLong(parts[1]));
            }
            return new Totals(values.get("enrolled").intValue(), values.get("connected").intValue(),
                    values.get("welcomes"), values.get("streamEnds"), values.get("heartbeats"),
                    values.get("commandsReceived"), values.get("commandsRepeated"), values.get("resultsSent"),
                    values.get("resultsFailed"), values.get("enrolmentsRefusedBusy"), values.get("inviteNanos"),
                    values.get("enrollNanos"));
        }
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

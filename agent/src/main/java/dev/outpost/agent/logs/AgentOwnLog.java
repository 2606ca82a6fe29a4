package dev.outpost.agent.logs;

import dev.outpost.protocol.GrpcLimits;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The agent's own log, shipped like a container's: every line the agent writes to stderr (where its
 * logger writes) is still written there, and also queued, stamped with the time it was written.
 * Once shipping starts, a thread of its own moves the queue into the log buffer as one more source,
 * masked with the configured patterns, so its lines are bounded, dropped oldest first and counted
 * like any other. The queue decouples the two locks (the stream's and the buffer's) and holds the
 * lines written before a hub that takes them welcomed the agent: at most {@link #MAX_QUEUED} lines
 * and {@link #MAX_QUEUED_BYTES}; a line that finds it full is counted and reported in the next line
 * shipped. Lines the agent wrote before a crash and had not shipped are not read again:
 * the process that wrote them is gone (the container's log keeps them).
 */
public final class AgentOwnLog implements AutoCloseable {
    /** The container name the hub stores the agent's own log under. */
    public static final String CONTAINER = "outpost-agent";
    /** Most lines waiting for the buffer. */
    static final int MAX_QUEUED = 10_000;
    /** Most bytes of line text waiting for the buffer. */
    static final long MAX_QUEUED_BYTES = 4L * 1024 * 1024;
    /** The local key of the source (the hub names it after the agent, from its certificate). */
    static final FollowedSource SOURCE = new FollowedSource("", "", "", "agent", CONTAINER);

    private final Clock clock;
    private final BlockingQueue<Written> queue = new ArrayBlockingQueue<>(MAX_QUEUED);
    private final AtomicLong overflowed = new AtomicLong();
    private final AtomicLong queuedBytes = new AtomicLong();
    private volatile Thread drainer;
    private volatile boolean closed;
    private volatile boolean capturing = true;

    private record Written(long timeUnixNanos, byte[] bytes, boolean cut) {
    }

    private AgentOwnLog(Clock clock) {
        this.clock = clock;
    }

    /** Starts copying what the process writes to stderr from now on; nothing is shipped until {@link #shipTo}. */
    public static AgentOwnLog capture(Clock clock) {
        AgentOwnLog log = new AgentOwnLog(clock);
        System.setErr(new PrintStream(log.new Tee(System.err), true, StandardCharsets.UTF_8));
        return log;
    }

    /** A fresh capture for a test: lines come from {@link #stream()} instead of stderr. */
    static AgentOwnLog forTest(Clock clock) {
        return new AgentOwnLog(clock);
    }

    /** A stream whose lines are captured (and written nowhere else). */
    PrintStream stream() {
        return new PrintStream(new Tee(OutputStream.nullOutputStream()), true, StandardCharsets.UTF_8);
    }

    /** Starts moving captured lines into {@code buffer}, after its last position of this source. */
    public synchronized void shipTo(LogBuffer buffer, SecretMask mask) {
        capturing = true; // a hub that takes it again, after one that did not
        if (drainer != null) {
            return;
        }
        long after = buffer.follow(SOURCE).map(LinePosition::timeUnixNanos).orElse(Long.MIN_VALUE);
        Thread thread = new Thread(() -> drain(buffer, mask, after), "outpost-own-log");
        thread.setDaemon(true);
        drainer = thread;
        thread.start();
    }

    private void drain(LogBuffer buffer, SecretMask mask, long shippedUpTo) {
        Ordinals ordinals = new Ordinals();
        // positions only grow, also across a restart with a clock set back: else the buffer ignores the line
        long lastTime = shippedUpTo == Long.MIN_VALUE ? Long.MIN_VALUE : shippedUpTo + 1;
        while (!closed) {
            Written written;
            try {
                written = queue.poll(1, TimeUnit.SECONDS);
                if (written == null) {
                    continue;
                }
                queuedBytes.addAndGet(-written.bytes().length);
                long lost = overflowed.getAndSet(0);
                String text = Utf8Text.decode(written.bytes(), 0, written.bytes().length);
                if (lost > 0) {
                    text = "[" + lost + " earlier lines of the agent's log were not kept: the queue to the log buffer "
                            + "was full] " + text;
                }
                lastTime = Math.max(lastTime, written.timeUnixNanos());
                String masked = mask.mask(text);
                Utf8Text.Cut cut = Utf8Text.cut(masked, GrpcLimits.MAX_LOG_LINE_BYTES);
                buffer.add(SOURCE, new ParsedLine(ordinals.position(lastTime), cut.text(), cut.truncated() || written.cut(),
                        cut.bytes()));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * Stops queueing lines (stderr is still written): the hub does not take the agent's own log.
     * Returns whether it was capturing until now.
     */
    public boolean stopCapturing() {
        boolean was = capturing;
        capturing = false;
        queue.clear();
        queuedBytes.set(0);
        return was;
    }

    @Override
    public void close() {
        closed = true;
        Thread thread = drainer;
        if (thread != null) {
            thread.interrupt();
        }
    }

    /** Writes through, and queues each complete line (without its line break), cut at the raw line limit. */
    private final class Tee extends OutputStream {
        private final OutputStream through;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private boolean cut;

        Tee(OutputStream through) {
            this.through = through;
        }

        @Override
        public synchronized void write(int b) {
            try {
                through.write(b);
            } catch (IOException e) {
                // stderr gone: the copy still goes to the hub
            }
            take(b);
        }

        @Override
        public synchronized void write(byte[] bytes, int offset, int length) {
            try {
                through.write(bytes, offset, length);
            } catch (IOException e) {
                // stderr gone: the copy still goes to the hub
            }
            for (int i = offset; i < offset + length; i++) {
                take(bytes[i]);
            }
        }

        @Override
        public synchronized void flush() {
            try {
                through.flush();
            } catch (IOException e) {
                // nothing to do: see write
            }
        }

        private void take(int b) {
            if (b == '\n') {
                byte[] text = line.toByteArray();
                int end = text.length > 0 && text[text.length - 1] == '\r' ? text.length - 1 : text.length;
                if (capturing && !closed) {
                    if (queuedBytes.addAndGet(end) > MAX_QUEUED_BYTES
                            || !queue.offer(new Written(LogLineParser.nanos(clock.instant()), Arrays.copyOf(text, end), cut))) {
                        queuedBytes.addAndGet(-end);
                        overflowed.incrementAndGet();
                    }
                }
                line.reset();
                cut = false;
            } else if (line.size() < LogLineParser.MAX_RAW_LINE_BYTES) {
                line.write(b);
            } else {
                cut = true;
            }
        }
    }
}

package dev.outpost.agent.logs;

import dev.outpost.agent.connection.Backoff;
import dev.outpost.protocol.GrpcLimits;
import dev.outpost.protocol.v1.LogAck;
import dev.outpost.protocol.v1.LogBatch;
import dev.outpost.protocol.v1.TelemetryGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ships the buffer's lines on a {@code Telemetry.ShipLogs} stream of their own (the control stream's
 * channel, its own HTTP/2 stream, so it never delays commands or usage): batches of at most
 * {@link GrpcLimits#MAX_LOG_LINES_PER_BATCH} lines and {@link GrpcLimits#MAX_LOG_BATCH_TEXT_BYTES},
 * taken every {@link #FLUSH} while anything is buffered, at most {@link GrpcLimits#MAX_LOG_BATCHES_IN_FLIGHT}
 * unacknowledged. A stream that ends is opened again after a backoff, and the batches it left
 * unacknowledged go first on the new one, with new sequence numbers.
 */
public final class LogShipper implements AutoCloseable {
    /** How often a stream takes what is buffered: lines reach the hub well within 2 s. */
    public static final Duration FLUSH = Duration.ofMillis(250);
    private static final Logger LOG = LoggerFactory.getLogger(LogShipper.class);
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);
    /** A stream up this long counts as healthy: the next failure starts the backoff over. */
    private static final Duration HEALTHY = Duration.ofMinutes(1);

    private final ManagedChannel channel;
    private final LogBuffer buffer;
    private final Backoff backoff;
    private final Duration ackTimeout;
    private final Clock clock;
    private final String agent;
    private final Object pause = new Object();
    private volatile boolean stopping;
    private volatile Stream current;
    private Thread thread;
    private volatile boolean toldUnimplemented;

    /**
     * @param ackTimeout how long the oldest batch may wait for its ack before the stream is given up
     * @param agent      names the agent in log lines
     */
    public LogShipper(ManagedChannel channel, LogBuffer buffer, Backoff backoff, Duration ackTimeout, Clock clock,
            String agent) {
        this.channel = channel;
        this.buffer = buffer;
        this.backoff = backoff;
        this.ackTimeout = ackTimeout;
        this.clock = clock;
        this.agent = agent;
    }

    /** Starts shipping on a thread of its own. */
    public synchronized void start() {
        thread = new Thread(this::loop, "outpost-log-shipper");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (!stopping) {
            Stream stream = new Stream();
            current = stream;
            long opened = clock.millis();
            try {
                TelemetryGrpc.newStub(channel).shipLogs(stream);
                while (!stream.ended.await(FLUSH.toMillis(), TimeUnit.MILLISECONDS)) {
                    stream.drain();
                    stream.checkAckTimeout();
                }
            } catch (InterruptedException e) {
                stream.cancel("agent stopping");
                return;
            } catch (RuntimeException e) {
                LOG.warn("log stream failed ({}): {}", agent, e.toString());
                stream.cancel("failed: " + e);
            }
            current = null;
            stream.afterEnd();
            if (stopping) {
                return;
            }
            if (clock.millis() - opened >= HEALTHY.toMillis()) {
                backoff.reset();
            }
            Duration wait = backoff.next();
            try {
                synchronized (pause) {
                    pause.wait(Math.max(1, wait.toMillis()));
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One ShipLogs stream: its batches not yet acknowledged, and those left by the last stream to send again. */
    private final class Stream implements ClientResponseObserver<LogBatch, LogAck> {
        final CountDownLatch ended = new CountDownLatch(1);
        /** sequence → batch, oldest first. */
        private final Map<Long, PreparedBatch> inFlight = new LinkedHashMap<>();
        private final Map<Long, Long> sentAt = new LinkedHashMap<>();
        private final ArrayDeque<PreparedBatch> resend = new ArrayDeque<>(buffer.unacknowledged());
        private ClientCallStreamObserver<LogBatch> requests;
        private long sequence;
        private Status endStatus = Status.OK;
        private boolean done;

        @Override
        public void beforeStart(ClientCallStreamObserver<LogBatch> requestStream) {
            this.requests = requestStream;
            requestStream.setOnReadyHandler(this::drain);
        }

        /** Sends what is left to send again, then new batches, while the stream is ready and not too many are unacknowledged. */
        synchronized void drain() {
            if (done || requests == null) {
                return;
            }
            while (inFlight.size() < GrpcLimits.MAX_LOG_BATCHES_IN_FLIGHT && requests.isReady()) {
                PreparedBatch batch = resend.pollFirst();
                if (batch == null) {
                    Optional<PreparedBatch> next;
                    try {
                        next = buffer.nextBatch(GrpcLimits.MAX_LOG_LINES_PER_BATCH, GrpcLimits.MAX_LOG_BATCH_TEXT_BYTES);
                    } catch (IOException e) {
                        // never send what is not on disk as sent: a restart could drop lines the hub has
                        LOG.warn("cannot write log positions, not sending until it works ({}): {}", agent, e.toString());
                        return;
                    }
                    if (next.isEmpty()) {
                        return;
                    }
                    batch = next.get();
                } else if (!buffer.unacknowledged().contains(batch)) {
                    continue; // acknowledged late on the old stream, or replaced after a refusal
                }
                long number = ++sequence;
                inFlight.put(number, batch);
                sentAt.put(number, clock.millis());
                requests.onNext(batch.toProto(number, buffer.state()));
            }
        }

        @Override
        public void onNext(LogAck ack) {
            synchronized (this) {
                PreparedBatch batch = inFlight.remove(ack.getSequence());
                sentAt.remove(ack.getSequence());
                if (batch == null) {
                    LOG.debug("log ack for batch {} not in flight on this stream ({})", ack.getSequence(), agent);
                } else {
                    buffer.acknowledged(batch);
                }
                backoff.reset();
            }
            drain();
        }

        @Override
        public void onError(Throwable t) {
            end(Status.fromThrowable(t));
        }

        @Override
        public void onCompleted() {
            end(Status.OK);
        }

        private synchronized void end(Status status) {
            done = true;
            endStatus = status;
            ended.countDown();
        }

        synchronized void checkAckTimeout() {
            if (!sentAt.isEmpty() && clock.millis() - sentAt.values().iterator().next() > ackTimeout.toMillis()) {
                LOG.warn("log batch {} not acknowledged within {}s; opening a new stream ({})",
                        sentAt.keySet().iterator().next(), ackTimeout.toSeconds(), agent);
                cancel("no ack within " + ackTimeout);
            }
        }

        synchronized void cancel(String why) {
            if (requests != null && !done) {
                requests.cancel(why, null);
            }
        }

        /** After the stream ended: a batch the hub called malformed turns into drops, so it cannot block the rest. */
        synchronized void afterEnd() {
            done = true;
            if (endStatus.getCode() == Status.Code.INVALID_ARGUMENT && !inFlight.isEmpty()) {
                // the hub takes one batch at a time, in order: the oldest unacknowledged one is the one it refused
                buffer.refused(inFlight.values().iterator().next(), String.valueOf(endStatus.getDescription()));
            } else if (endStatus.getCode() == Status.Code.UNIMPLEMENTED) {
                // a hub from before log shipping: lines wait in the buffer (bounded) until it is upgraded
                if (!toldUnimplemented) {
                    LOG.info("the hub does not take logs yet (ShipLogs unimplemented); trying again now and then ({})", agent);
                    toldUnimplemented = true;
                }
            } else if (!stopping && endStatus.getCode() != Status.Code.CANCELLED) {
                LOG.warn("log stream ended ({}), {} batches unacknowledged will be sent again ({})",
                        endStatus.getCode() + (endStatus.getDescription() == null ? "" : ": " + endStatus.getDescription()),
                        buffer.unacknowledged().size(), agent);
            }
        }
    }

    /** Stops shipping; lines not acknowledged are read again from the cluster after the next start. */
    @Override
    public void close() {
        stopping = true;
        Stream stream = current;
        if (stream != null) {
            stream.cancel("agent stopping");
        }
        synchronized (pause) {
            pause.notifyAll();
        }
        Thread running;
        synchronized (this) {
            running = thread;
        }
        if (running != null) {
            try {
                running.join(STOP_WAIT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

package dev.outpost.agent.usage;

import dev.outpost.agent.connection.Backoff;
import dev.outpost.protocol.GrpcLimits;
import dev.outpost.protocol.v1.RejectedUsage;
import dev.outpost.protocol.v1.TelemetryGrpc;
import dev.outpost.protocol.v1.UsageAck;
import dev.outpost.protocol.v1.UsageBatch;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the spool's batches to the hub on a Telemetry stream of their own (the control stream's
 * channel, its own HTTP/2 stream), oldest first, at most eight unacknowledged, and removes each on its
 * ack. A stream that ends for any reason is opened again after a backoff, and every batch it left
 * unacknowledged is sent again, with the same sequence and records.
 */
public final class UsageSender implements AutoCloseable {
    /** How often an open stream looks for batches it was not told about (a backstop to the spool's signal). */
    static final Duration BACKSTOP = Duration.ofSeconds(5);
    private static final Logger LOG = LoggerFactory.getLogger(UsageSender.class);
    private static final int MAX_REJECTIONS_LOGGED = 10;
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);
    /** A stream up this long counts as healthy: the next failure starts the backoff over. */
    private static final Duration HEALTHY = Duration.ofMinutes(1);

    private final ManagedChannel channel;
    private final UsageSpool spool;
    private final Backoff backoff;
    private final Duration ackTimeout;
    private final Clock clock;
    private final String agent;
    private final Object pause = new Object();
    private volatile boolean stopping;
    private volatile Stream current;
    private Thread thread;

    /**
     * @param ackTimeout how long the oldest batch may wait for its ack before the stream is given up
     *                   (a hub that accepts but never answers)
     * @param agent      names the agent in log lines
     */
    public UsageSender(ManagedChannel channel, UsageSpool spool, Backoff backoff, Duration ackTimeout, Clock clock,
            String agent) {
        this.channel = channel;
        this.spool = spool;
        this.backoff = backoff;
        this.ackTimeout = ackTimeout;
        this.clock = clock;
        this.agent = agent;
    }

    /** Starts sending on a thread of its own; the spool's new batches wake it. */
    public synchronized void start() {
        spool.onNewBatches(this::wake);
        thread = new Thread(this::loop, "outpost-usage-sender");
        thread.setDaemon(true);
        thread.start();
    }

    /** New batches are in the spool: send them now if a stream is open. */
    public void wake() {
        Stream stream = current;
        if (stream != null) {
            stream.drain();
        }
    }

    private void loop() {
        while (!stopping) {
            Stream stream = new Stream();
            current = stream;
            long opened = clock.millis();
            try {
                TelemetryGrpc.newStub(channel).reportUsage(stream);
                while (!stream.ended.await(BACKSTOP.toMillis(), TimeUnit.MILLISECONDS)) {
                    stream.drain();
                    stream.checkAckTimeout();
                }
            } catch (InterruptedException e) {
                stream.cancel("agent stopping");
                return;
            } catch (RuntimeException e) {
                LOG.warn("usage stream failed ({}): {}", agent, e.toString());
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

    /** One ReportUsage stream: the batches it sent and has not had an ack for yet. */
    private final class Stream implements ClientResponseObserver<UsageBatch, UsageAck> {
        final CountDownLatch ended = new CountDownLatch(1);
        /** sequence → when it was sent, oldest first. */
        private final Map<Long, Long> inFlight = new LinkedHashMap<>();
        private ClientCallStreamObserver<UsageBatch> requests;
        private long lastSent;
        private Status endStatus = Status.OK;
        private boolean done;

        @Override
        public void beforeStart(ClientCallStreamObserver<UsageBatch> requestStream) {
            this.requests = requestStream;
            requestStream.setOnReadyHandler(this::drain);
        }

        /** Sends pending batches, oldest first, while the stream is ready and fewer than eight are unacknowledged. */
        synchronized void drain() {
            if (done || requests == null) {
                return;
            }
            while (inFlight.size() < GrpcLimits.MAX_USAGE_BATCHES_IN_FLIGHT && requests.isReady()) {
                Optional<Long> next = spool.pendingSequences().stream().filter(sequence -> sequence > lastSent).findFirst();
                if (next.isEmpty()) {
                    return;
                }
                long sequence = next.get();
                lastSent = sequence;
                Optional<SpoolBatch> batch = spool.read(sequence);
                if (batch.isEmpty()) {
                    continue; // acknowledged meanwhile, or found corrupt and moved aside
                }
                UsageBatch.Builder message = UsageBatch.newBuilder().setSequence(sequence).setSpool(spool.report());
                batch.get().records().forEach(record -> message.addRecords(record.toProto()));
                inFlight.put(sequence, clock.millis());
                requests.onNext(message.build());
            }
        }

        @Override
        public void onNext(UsageAck ack) {
            synchronized (this) {
                if (inFlight.remove(ack.getSequence()) == null) {
                    LOG.debug("usage ack for batch {} not in flight on this stream ({})", ack.getSequence(), agent);
                }
                try {
                    spool.acknowledged(ack.getSequence());
                } catch (IOException e) {
                    // the batch stays spooled and is sent again; the hub dedups it by key
                    LOG.warn("usage batch {} acknowledged but its file could not be removed ({}): {}",
                            ack.getSequence(), agent, e.toString());
                }
                backoff.reset();
                logRejections(ack);
            }
            drain();
        }

        private void logRejections(UsageAck ack) {
            if (ack.getRejectedCount() == 0) {
                return;
            }
            Map<String, Integer> byReason = new LinkedHashMap<>();
            ack.getRejectedList().forEach(rejected -> byReason.merge(rejected.getReason(), 1, Integer::sum));
            LOG.warn("usage batch {}: the hub refused {} of its records, which are dropped (by reason {}) ({})",
                    ack.getSequence(), ack.getRejectedCount(), byReason, agent);
            for (RejectedUsage rejected : ack.getRejectedList().subList(0, Math.min(MAX_REJECTIONS_LOGGED, ack.getRejectedCount()))) {
                LOG.warn("usage record {} of batch {} refused by the hub: {} ({})", rejected.getIdempotencyKey(),
                        ack.getSequence(), rejected.getReason(), agent);
            }
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
            if (!inFlight.isEmpty() && clock.millis() - inFlight.values().iterator().next() > ackTimeout.toMillis()) {
                LOG.warn("usage batch {} not acknowledged within {}s; opening a new stream ({})",
                        inFlight.keySet().iterator().next(), ackTimeout.toSeconds(), agent);
                cancel("no ack within " + ackTimeout);
            }
        }

        synchronized void cancel(String why) {
            if (requests != null && !done) {
                requests.cancel(why, null);
            }
        }

        /** After the stream ended: a batch the hub called malformed is moved aside, so it cannot block the rest. */
        synchronized void afterEnd() {
            done = true;
            if (endStatus.getCode() == Status.Code.INVALID_ARGUMENT && !inFlight.isEmpty()) {
                // the hub takes one batch at a time, in order: the oldest unacknowledged one is the one it refused
                long refused = inFlight.keySet().iterator().next();
                LOG.error("usage batch {} refused by the hub ({}): {}; moved aside, the next batches go on",
                        refused, agent, endStatus.getDescription());
                try {
                    spool.refused(refused, String.valueOf(endStatus.getDescription()));
                } catch (IOException e) {
                    LOG.error("cannot move refused usage batch {} aside ({}): {}", refused, agent, e.toString());
                }
            } else if (!stopping && endStatus.getCode() != Status.Code.CANCELLED) {
                LOG.warn("usage stream ended ({}), {} batches unacknowledged will be sent again ({})",
                        endStatus.getCode() + (endStatus.getDescription() == null ? "" : ": " + endStatus.getDescription()),
                        inFlight.size(), agent);
            }
        }
    }

    /** Stops sending; batches not acknowledged stay in the spool for the next start. */
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

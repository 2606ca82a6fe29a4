package dev.outpost.hub.gateway;

import dev.outpost.protocol.BusyRetry;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds the handshakes in progress (an Enroll call, or a control stream until it is welcomed): one
 * over the bound is refused at once, before any store work, with RESOURCE_EXHAUSTED and a retry-after
 * trailer ({@link BusyRetry}). A control stream hands its permit back when it is welcomed (or ends);
 * any other call when it closes.
 */
final class HandshakeAdmission implements ServerInterceptor {
    private static final Logger LOG = LoggerFactory.getLogger(HandshakeAdmission.class);
    private static final Duration REFUSAL_LOG_EVERY = Duration.ofSeconds(10);
    private static final Context.Key<Permit> PERMIT = Context.key("outpost-handshake-permit");

    private final int max;
    private final Duration retryAfter;
    private final Semaphore permits;
    private final Clock clock;
    private final AtomicLong refusedSinceLog = new AtomicLong();
    private final AtomicReference<Instant> lastLog = new AtomicReference<>(Instant.EPOCH);

    HandshakeAdmission(GatewayConfig config, Clock clock) {
        // Checked here, where they are used: the hub refuses to start naming the key.
        if (config.getMaxHandshakes() < 1 || config.getMaxHandshakes() > 10_000) {
            throw new IllegalStateException("Invalid hub configuration: outpost.gateway.max-handshakes ("
                    + config.getMaxHandshakes() + ") must be 1 to 10000");
        }
        if (config.getBusyRetryAfter().compareTo(Duration.ofMillis(100)) < 0
                || config.getBusyRetryAfter().compareTo(BusyRetry.MAX_RETRY_AFTER) > 0) {
            throw new IllegalStateException("Invalid hub configuration: outpost.gateway.busy-retry-after ("
                    + config.getBusyRetryAfter() + ") must be 100ms to " + BusyRetry.MAX_RETRY_AFTER.toMinutes() + "m");
        }
        this.max = config.getMaxHandshakes();
        this.retryAfter = config.getBusyRetryAfter();
        this.permits = new Semaphore(max);
        this.clock = clock;
    }

    /** A taken place among the handshakes in progress; released once, however often asked. */
    static final class Permit {
        private final Semaphore permits;
        private final AtomicBoolean released = new AtomicBoolean();

        private Permit(Semaphore permits) {
            this.permits = permits;
        }

        void release() {
            if (released.compareAndSet(false, true)) {
                permits.release();
            }
        }
    }

    /** The current call's permit, for a session to release later from another thread; null without one. */
    static Permit current() {
        return PERMIT.get();
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        if (!permits.tryAcquire()) {
            noteRefusal();
            call.close(Status.RESOURCE_EXHAUSTED.withDescription("hub busy: " + max + " agent handshakes in progress; "
                    + "retry after " + retryAfter.toMillis() + " ms"), BusyRetry.trailers(retryAfter));
            return new ServerCall.Listener<>() {
            };
        }
        Permit permit = new Permit(permits);
        ServerCall<Q, R> releasing = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                permit.release();
                super.close(status, trailers);
            }
        };
        ServerCall.Listener<Q> listener;
        try {
            listener = Contexts.interceptCall(Context.current().withValue(PERMIT, permit), releasing, headers, next);
        } catch (RuntimeException e) {
            permit.release();
            throw e;
        }
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onCancel() {
                permit.release();
                super.onCancel();
            }

            @Override
            public void onComplete() {
                permit.release();
                super.onComplete();
            }
        };
    }

    /** Logs refusals at most once per {@link #REFUSAL_LOG_EVERY}, with how many there were. */
    private void noteRefusal() {
        refusedSinceLog.incrementAndGet();
        Instant now = clock.instant();
        Instant last = lastLog.get();
        if (Duration.between(last, now).compareTo(REFUSAL_LOG_EVERY) >= 0 && lastLog.compareAndSet(last, now)) {
            LOG.warn("Agent gateway busy: refused {} handshake(s) since the last report ({} in progress at most); "
                    + "agents retry after {} ms or more", refusedSinceLog.getAndSet(0), max, retryAfter.toMillis());
        }
    }
}

package dev.outpost.hub.gateway;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a unary call (Enroll) with DEADLINE_EXCEEDED when its request has not fully arrived
 * (message and half-close) within the bound, so a client that opens calls and sends nothing cannot
 * hold them. Once the request is in, the call runs to its end. Streaming calls are bounded elsewhere
 * (the control stream's Hello timeout and silence sweep).
 */
final class RequestDeadline implements ServerInterceptor {
    private static final Logger LOG = LoggerFactory.getLogger(RequestDeadline.class);

    private final Duration bound;
    private final ScheduledExecutorService timer;

    RequestDeadline(Duration bound, ScheduledExecutorService timer) {
        this.bound = bound;
        this.timer = timer;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        if (!call.getMethodDescriptor().getType().clientSendsOneMessage()) {
            return next.startCall(call, headers);
        }
        GuardedCall<Q, R> guarded = new GuardedCall<>(call);
        ScheduledFuture<?> expiry = timer.schedule(() -> guarded.expire(bound), bound.toMillis(), TimeUnit.MILLISECONDS);
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(guarded, headers)) {
            @Override
            public void onHalfClose() {
                expiry.cancel(false);
                if (guarded.requestArrived()) {
                    super.onHalfClose();
                }
            }

            @Override
            public void onCancel() {
                expiry.cancel(false);
                super.onCancel();
            }

            @Override
            public void onComplete() {
                expiry.cancel(false);
                super.onComplete();
            }
        };
    }

    /** Serialises the service's writes with the timer's close: a ServerCall is not thread-safe. */
    private static final class GuardedCall<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
        private boolean requestIn;
        private boolean closed;

        GuardedCall(ServerCall<Q, R> delegate) {
            super(delegate);
        }

        /** The request is complete; false if the deadline closed the call first. */
        synchronized boolean requestArrived() {
            requestIn = true;
            return !closed;
        }

        synchronized void expire(Duration bound) {
            if (requestIn || closed) {
                return;
            }
            closed = true;
            LOG.warn("Closed a call to {} from {}: no complete request within {}s", getMethodDescriptor().getBareMethodName(),
                    getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR), bound.toSeconds());
            super.close(Status.DEADLINE_EXCEEDED.withDescription("no complete request within " + bound.toSeconds() + "s"),
                    new Metadata());
        }

        @Override
        public synchronized void sendHeaders(Metadata headers) {
            if (!closed) {
                super.sendHeaders(headers);
            }
        }

        @Override
        public synchronized void sendMessage(R message) {
            if (!closed) {
                super.sendMessage(message);
            }
        }

        @Override
        public synchronized void close(Status status, Metadata trailers) {
            if (!closed) {
                closed = true;
                super.close(status, trailers);
            }
        }
    }
}

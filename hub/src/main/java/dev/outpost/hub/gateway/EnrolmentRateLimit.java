package dev.outpost.hub.gateway;

import dev.outpost.hub.limits.RequestLimiter;
import dev.outpost.protocol.BusyRetry;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds each client address to its rate of Enroll calls ({@link RequestLimiter#enrolmentFrom}), before
 * the join token is looked at: one over it is refused with RESOURCE_EXHAUSTED and the retry-after
 * trailer agents already honour ({@link BusyRetry}). Refusals are logged at most once a minute, with
 * how many there were and the last address, never a token.
 */
final class EnrolmentRateLimit implements ServerInterceptor {
    private static final Logger LOG = LoggerFactory.getLogger(EnrolmentRateLimit.class);
    private static final Duration REFUSAL_LOG_EVERY = Duration.ofMinutes(1);

    private final RequestLimiter limiter;
    private final Clock clock;
    private final AtomicLong refusedSinceLog = new AtomicLong();
    private final AtomicReference<Instant> lastLog = new AtomicReference<>(Instant.EPOCH);

    EnrolmentRateLimit(RequestLimiter limiter, Clock clock) {
        this.limiter = limiter;
        this.clock = clock;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        String address = addressOf(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
        Optional<Duration> wait = limiter.enrolmentFrom(address);
        if (wait.isEmpty()) {
            return next.startCall(call, headers);
        }
        Duration retryAfter = wait.get().compareTo(BusyRetry.MAX_RETRY_AFTER) > 0 ? BusyRetry.MAX_RETRY_AFTER
                : wait.get().compareTo(Duration.ofMillis(100)) < 0 ? Duration.ofMillis(100) : wait.get();
        noteRefusal(address);
        call.close(Status.RESOURCE_EXHAUSTED.withDescription("too many enrolments from " + address + "; retry after "
                + retryAfter.toMillis() + " ms"), BusyRetry.trailers(retryAfter));
        return new ServerCall.Listener<>() {
        };
    }

    private static String addressOf(SocketAddress remote) {
        return remote instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : String.valueOf(remote);
    }

    private void noteRefusal(String address) {
        refusedSinceLog.incrementAndGet();
        Instant now = clock.instant();
        Instant last = lastLog.get();
        if (Duration.between(last, now).compareTo(REFUSAL_LOG_EVERY) >= 0 && lastLog.compareAndSet(last, now)) {
            LOG.warn("Refused {} enrolment(s) over the per-address rate since the last report (the last from {})",
                    refusedSinceLog.getAndSet(0), address);
        }
    }
}

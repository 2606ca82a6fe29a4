package dev.outpost.hub.gateway;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gateway's threads: a fixed pool that runs every gRPC callback and command push (they make
 * blocking store calls, which must stay off Netty's event loop), and one timer thread.
 */
@Singleton
public class GatewayThreads implements AutoCloseable {
    /** Enough for the store's connection pool; grpc serialises each call, so work queues per call, not per message. */
    private static final int WORKERS = 16;

    private final ExecutorService workers;
    private final ScheduledExecutorService timer;

    @Inject
    public GatewayThreads() {
        this(WORKERS);
    }

    public GatewayThreads(int workers) {
        this.workers = Executors.newFixedThreadPool(workers, named("outpost-gateway-"));
        this.timer = Executors.newSingleThreadScheduledExecutor(named("outpost-gateway-timer-"));
    }

    public ExecutorService workers() {
        return workers;
    }

    public ScheduledExecutorService timer() {
        return timer;
    }

    @Override
    @PreDestroy
    public void close() {
        timer.shutdownNow();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}

package dev.outpost.hub.logs;

import dev.outpost.hub.store.Database;
import io.micronaut.http.sse.Event;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One live tail ({@code follow=true}): reads lines stored after it started from the database every
 * poll interval and sends them as server-sent events, honouring the client's demand. Reading the
 * database (not an in-process event) makes it see lines any hub replica stored.
 *
 * <p>Ids are handed out when a line is inserted, but transactions commit in any order: a line with a
 * lower id may become visible after a higher one was read. So each read starts from a floor that
 * trails the highest id seen by {@link #SETTLE} and skips the ids already sent above the floor.
 *
 * <p>Bounded: at most {@link #MAX_BUFFERED} events wait for a slow client (no reads meanwhile; the
 * lines stay in the database), the tail ends after its maximum duration or idle time, and a
 * heartbeat event every {@link #HEARTBEAT} shows a client that left (the write fails and cancels).
 */
final class LogTail implements Publisher<Event<?>> {
    static final Duration SETTLE = Duration.ofSeconds(2);
    static final Duration HEARTBEAT = Duration.ofSeconds(15);
    static final int MAX_BUFFERED = 1000;
    static final int READ_LIMIT = 500;
    private static final Logger LOG = LoggerFactory.getLogger(LogTail.class);

    private final Database db;
    private final LogStore store;
    private final LogFilter filter;
    private final LogsConfig config;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final Runnable release;
    private final String who;
    private final Deque<Event<?>> buffer = new ArrayDeque<>();
    private final TreeSet<Long> sentAboveFloor = new TreeSet<>();
    private final Deque<long[]> highestAt = new ArrayDeque<>();
    private long floor;
    private long highest;
    private long demand;
    private Subscriber<? super Event<?>> subscriber;
    private ScheduledFuture<?> polling;
    private boolean done;
    private Instant started;
    private Instant lastLine;
    private Instant lastSent;

    LogTail(Database db, LogStore store, LogFilter filter, long startAfterId, LogsConfig config, Clock clock,
            ScheduledExecutorService scheduler, Runnable release, String who) {
        this.db = db;
        this.store = store;
        this.filter = filter;
        this.config = config;
        this.clock = clock;
        this.scheduler = scheduler;
        this.release = release;
        this.who = who;
        this.floor = startAfterId;
        this.highest = startAfterId;
    }

    /** A heartbeat's data: the time it was sent. */
    record Heartbeat(Instant time) {
    }

    @Override
    public void subscribe(Subscriber<? super Event<?>> s) {
        synchronized (this) {
            if (subscriber != null) {
                s.onSubscribe(new Subscription() {
                    @Override
                    public void request(long n) {
                    }

                    @Override
                    public void cancel() {
                    }
                });
                s.onError(new IllegalStateException("a log tail has one subscriber"));
                return;
            }
            subscriber = s;
            started = clock.instant();
            lastLine = started;
            lastSent = started;
        }
        s.onSubscribe(new Subscription() {
            @Override
            public void request(long n) {
                if (n <= 0) {
                    fail(new IllegalArgumentException("demand must be positive (rule 3.9)"));
                    return;
                }
                synchronized (LogTail.this) {
                    demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
                }
                scheduler.execute(LogTail.this::drain);
            }

            @Override
            public void cancel() {
                finish(null, false);
            }
        });
        long every = Math.max(50, config.getTailPollInterval().toMillis());
        ScheduledFuture<?> task = scheduler.scheduleWithFixedDelay(this::poll, 0, every, TimeUnit.MILLISECONDS);
        synchronized (this) {
            if (done) {
                task.cancel(false);
            } else {
                polling = task;
            }
        }
    }

    private void poll() {
        try {
            Instant now = clock.instant();
            synchronized (this) {
                if (done) {
                    return;
                }
            }
            if (!now.isBefore(started.plus(config.getTailMaxDuration()))
                    || !now.isBefore(lastLine.plus(config.getTailIdleTimeout()))) {
                drain();
                finish(null, true);
                return;
            }
            boolean room;
            synchronized (this) {
                room = buffer.size() + READ_LIMIT <= MAX_BUFFERED;
            }
            if (room) {
                read(now);
            }
            synchronized (this) {
                if (buffer.isEmpty() && !now.isBefore(lastSent.plus(HEARTBEAT))) {
                    buffer.add(Event.of((Object) new Heartbeat(now)).name("heartbeat"));
                }
            }
            drain();
        } catch (RuntimeException e) {
            LOG.warn("Log tail of {} ends: cannot read the store: {}", who, e.toString());
            finish(e, false);
        }
    }

    private void read(Instant now) {
        long from;
        synchronized (this) {
            from = floor;
        }
        List<StoredLogLine> lines = db.read(sql -> store.newer(sql, filter, from, READ_LIMIT));
        synchronized (this) {
            int fresh = 0;
            for (StoredLogLine line : lines) {
                if (line.id() > floor && sentAboveFloor.add(line.id())) {
                    buffer.add(Event.of((Object) LogViews.Line.of(line)).id(Long.toString(line.id())));
                    highest = Math.max(highest, line.id());
                    fresh++;
                }
            }
            if (fresh > 0) {
                lastLine = now;
            }
            // A full read of lines already sent cannot move past them otherwise.
            if (lines.size() == READ_LIMIT && fresh == 0) {
                floor = lines.getLast().id();
            }
            highestAt.addLast(new long[] {now.toEpochMilli(), highest});
            while (highestAt.size() > 1 && highestAt.peekFirst()[0] <= now.toEpochMilli() - SETTLE.toMillis()) {
                floor = Math.max(floor, highestAt.removeFirst()[1]);
            }
            sentAboveFloor.headSet(floor, true).clear();
        }
    }

    private void drain() {
        Subscriber<? super Event<?>> s;
        while (true) {
            Event<?> next;
            synchronized (this) {
                if (done || demand == 0 || buffer.isEmpty()) {
                    return;
                }
                next = buffer.removeFirst();
                demand--;
                s = subscriber;
                lastSent = clock.instant();
            }
            s.onNext(next);
        }
    }

    private void fail(Throwable error) {
        finish(error, false);
    }

    private void finish(Throwable error, boolean complete) {
        Subscriber<? super Event<?>> s;
        synchronized (this) {
            if (done) {
                return;
            }
            done = true;
            buffer.clear();
            if (polling != null) {
                polling.cancel(false);
            }
            s = subscriber;
        }
        release.run();
        LOG.debug("Log tail of {} ended", who);
        if (error != null) {
            s.onError(error);
        } else if (complete) {
            s.onComplete();
        }
    }
}

package dev.outpost.agent.infra;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * One lock per infrastructure item (kind, name), so that two deployments needing the same shared
 * item never change it at the same time. Waiting is bounded; a lock is dropped from the map when no
 * one holds or waits for it, so the map stays as small as the work in flight.
 */
public final class InfrastructureLocks {
    private final ConcurrentMap<String, Entry> locks = new ConcurrentHashMap<>();

    /** A held lock; closing it releases the lock. */
    public interface Held extends AutoCloseable {
        @Override
        void close();
    }

    /** Thrown when the item stayed locked by another deployment longer than the wait allowed. */
    public static final class LockTimeoutException extends Exception {
        private static final long serialVersionUID = 1L;

        LockTimeoutException(String message) {
            super(message);
        }
    }

    /**
     * Takes the item's lock, waiting at most {@code maxWait}.
     *
     * @param holder who takes it (e.g. "deployment d-1"), named to whoever waits in vain
     * @throws LockTimeoutException naming the item and who holds it
     */
    public Held acquire(String kind, String name, String holder, Duration maxWait)
            throws InterruptedException, LockTimeoutException {
        String key = kind + "/" + name;
        Entry entry = locks.compute(key, (k, existing) -> {
            Entry e = existing == null ? new Entry() : existing;
            e.users++;
            return e;
        });
        boolean locked = false;
        try {
            locked = entry.permit.tryAcquire(maxWait.toMillis(), TimeUnit.MILLISECONDS);
            if (!locked) {
                throw new LockTimeoutException(kind + " `" + name + "` is being changed by " + entry.holder
                        + "; still busy after " + maxWait.toSeconds() + " s");
            }
            entry.holder = holder;
            return () -> {
                entry.holder = null;
                entry.permit.release();
                release(key);
            };
        } finally {
            if (!locked) {
                release(key);
            }
        }
    }

    private void release(String key) {
        locks.computeIfPresent(key, (k, e) -> --e.users == 0 ? null : e);
    }

    private static final class Entry {
        // not reentrant: the same thread asking twice for one item is a bug, not a second holder
        final Semaphore permit = new Semaphore(1);
        int users;
        volatile String holder;
    }
}

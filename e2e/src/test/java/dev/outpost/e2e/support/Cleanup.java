package dev.outpost.e2e.support;

import java.util.ArrayList;
import java.util.List;

/**
 * What a test started (processes, databases), closed in reverse order when the test ends, even when
 * it failed; one failing close does not keep the rest running.
 */
public final class Cleanup implements AutoCloseable {
    private final List<AutoCloseable> resources = new ArrayList<>();

    /** Registers {@code resource} to be closed after the test, and returns it. */
    public synchronized <T extends AutoCloseable> T track(T resource) {
        resources.add(resource);
        return resource;
    }

    /** Closes everything tracked, newest first; the first failure is thrown, later ones suppressed in it. */
    @Override
    public synchronized void close() throws Exception {
        Exception failure = null;
        for (AutoCloseable resource : resources.reversed()) {
            try {
                resource.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        resources.clear();
        if (failure != null) {
            throw failure;
        }
    }
}

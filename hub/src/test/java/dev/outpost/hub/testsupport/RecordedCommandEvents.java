package dev.outpost.hub.testsupport;

import dev.outpost.hub.deployments.CommandQueued;
import io.micronaut.context.annotation.Requires;
import io.micronaut.runtime.event.annotation.EventListener;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every CommandQueued event, for tests that check the gateway would be woken. */
@Singleton
@Requires(property = RecordedCommandEvents.PROPERTY, value = "true")
public class RecordedCommandEvents {
    /** Test property that switches this recorder on. */
    public static final String PROPERTY = "outpost.test.record-command-events";

    private final List<String> environmentIds = new CopyOnWriteArrayList<>();

    @EventListener
    void onQueued(CommandQueued event) {
        environmentIds.addAll(event.environmentIds());
    }

    /** Environment ids of the events so far, in order (a batch's in its order). */
    public List<String> environmentIds() {
        return List.copyOf(environmentIds);
    }
}

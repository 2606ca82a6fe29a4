package dev.outpost.agent.drift;

import dev.outpost.agent.state.JsonFileStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each {@link TrackedDeployment} as {@code <stateDir>/drift/<id>.json}, replaced atomically and
 * readable by the agent's user only: the applied objects include Secrets, whose values a heal needs.
 */
final class DriftStateStore {
    private static final Logger LOG = LoggerFactory.getLogger(DriftStateStore.class);

    private final JsonFileStore<TrackedDeployment> files;

    DriftStateStore(Path stateDir) {
        this.files = new JsonFileStore<>(stateDir.resolve("drift"), TrackedDeployment.class,
                JsonFileStore.Contents.SECRET, LOG, "drift state", "drift state");
    }

    /** Every readable state; an unreadable file is skipped (that deployment is watched again after its next apply). */
    List<TrackedDeployment> all() {
        return files.all();
    }

    void save(TrackedDeployment deployment) throws IOException {
        files.save(deployment.deploymentId(), deployment);
    }

    void remove(String deploymentId) throws IOException {
        files.remove(deploymentId);
    }
}

package dev.outpost.agent.plan;

import dev.outpost.agent.state.JsonFileStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each deployment's {@link DeploymentSteps} as {@code <stateDir>/plan-steps/<id>.json}, replaced
 * atomically. A lost or unreadable file only costs a retry its shortcut: every step is carried out again.
 */
public final class StepRecordStore {
    private static final Logger LOG = LoggerFactory.getLogger(StepRecordStore.class);

    private final JsonFileStore<DeploymentSteps> files;

    public StepRecordStore(Path stateDir) {
        this.files = new JsonFileStore<>(stateDir.resolve("plan-steps"), DeploymentSteps.class,
                JsonFileStore.Contents.PLAIN, LOG, "plan step record", "plan step records");
    }

    /** The deployment's record; {@link DeploymentSteps#none} when there is none or it cannot be read. */
    public DeploymentSteps load(String deploymentId) {
        return files.load(deploymentId).orElseGet(() -> DeploymentSteps.none(deploymentId));
    }

    /** Every readable record (to see which deployments share an infrastructure item). */
    public List<DeploymentSteps> all() {
        return files.all();
    }

    public void save(DeploymentSteps steps) throws IOException {
        files.save(steps.deploymentId(), steps);
    }

    public void remove(String deploymentId) throws IOException {
        files.remove(deploymentId);
    }
}

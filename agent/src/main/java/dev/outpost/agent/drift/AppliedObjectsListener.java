package dev.outpost.agent.drift;

import dev.outpost.agent.model.ObjectRef;
import dev.outpost.protocol.v1.DriftPolicy;
import java.util.List;
import java.util.Map;

/**
 * What the executor tells the drift watch about its own work, so that the agent's applies never
 * count as drift and what it applied becomes the reference drift is measured against.
 */
public interface AppliedObjectsListener {
    /** Tells nothing to anyone: for executors without drift watching (tests, tools). */
    AppliedObjectsListener NONE = new AppliedObjectsListener() {
        @Override
        public void applying(String deploymentId) {
        }

        @Override
        public void applied(String deploymentId, List<Map<String, Object>> objects, List<ObjectRef> owned,
                            DriftPolicy policy) {
        }

        @Override
        public void notApplied(String deploymentId) {
        }

        @Override
        public void deleted(String deploymentId) {
        }
    };

    /** An apply or delete of the deployment starts: its objects change now, by the agent's hand. */
    void applying(String deploymentId);

    /**
     * The apply succeeded.
     *
     * @param objects the objects this command applied, as sent (JSON trees)
     * @param owned every object the deployment owns now (the inventory); objects in it that this
     *     command did not apply (a step skipped because its input was unchanged) keep their last
     *     applied form
     */
    void applied(String deploymentId, List<Map<String, Object>> objects, List<ObjectRef> owned, DriftPolicy policy);

    /** The apply failed: what is in the cluster is neither the old nor the new release, so nothing is watched. */
    void notApplied(String deploymentId);

    /** The deployment was deleted: forget it. */
    void deleted(String deploymentId);
}

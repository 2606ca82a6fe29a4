package dev.outpost.hub.deployments.lifecycle;

import dev.outpost.hub.api.StrictRequest;
import dev.outpost.hub.auth.Caller;
import dev.outpost.hub.deployments.Deployment;
import dev.outpost.hub.deployments.DeploymentService;
import dev.outpost.hub.store.Database;
import dev.outpost.protocol.text.FreeText;
import io.micronaut.core.annotation.Nullable;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.inject.Singleton;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A deployment's revisions, and rolling back to one: an update operation to its release and parameters. */
@Singleton
public class RevisionService {
    private static final Logger LOG = LoggerFactory.getLogger(RevisionService.class);

    private final Database db;
    private final RevisionStore revisions;
    private final DeploymentService deployments;

    public RevisionService(Database db, RevisionStore revisions, DeploymentService deployments) {
        this.db = db;
        this.revisions = revisions;
        this.deployments = deployments;
    }

    /** What a caller sends to roll back; without a revision, see {@link RollbackTarget}. */
    @StrictRequest
    public record RollbackRequest(@Nullable @Schema(minimum = "1") Long revision) {
    }

    /** The kept revisions of a deployment the caller may see, newest first. */
    public List<Revision> list(Caller caller, String deploymentId) {
        Deployment deployment = deployments.get(caller, deploymentId);
        return db.read(sql -> revisions.list(sql, deployment.id()));
    }

    /** Starts the update operation back to the chosen revision; 409/422 with the reason when there is none. */
    public DeploymentService.Accepted rollback(Caller caller, String deploymentId, RollbackRequest request) {
        Deployment deployment = deployments.get(caller, deploymentId);
        List<Revision> kept = db.read(sql -> revisions.list(sql, deployment.id()));
        Revision target = RollbackTarget.choose(deployment.id(), kept, deployment.revision(),
                deployment.status() == Deployment.Status.FAILED, request.revision());
        // An update like any other: a release yanked since is refused there (ReleaseService.requireDeployable),
        // and the drift policy stays as it is now.
        DeploymentService.Accepted accepted = deployments.update(caller, deployment.id(),
                new DeploymentService.DeploymentChange(target.releaseId(), target.parameters(), target.planName(), null));
        LOG.info("rollback of tenant {} deployment {} to revision {} (release {}): operation {}",
                deployment.tenantId(), deployment.id(), target.number(), FreeText.forLog(target.releaseId()),
                accepted.operation().id());
        return accepted;
    }
}

package dev.outpost.hub.deployments;

import dev.outpost.hub.api.ApiException;
import dev.outpost.hub.auth.Caller;
import dev.outpost.hub.store.Database;
import io.micronaut.http.HttpStatus;
import jakarta.inject.Singleton;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * ETags of deployments and the {@code If-Match} precondition on changing one: a client that read a
 * deployment changes it only if nobody changed it since (412 otherwise). The ETag is a version of
 * the deployment's stored state (generation, status, last change), strong, so {@code If-Match}
 * compares it; drift and waiting reasons, which are not stored on the deployment, do not change it.
 */
@Singleton
public class DeploymentVersions {
    private final Database db;
    private final DeploymentStore deployments;

    public DeploymentVersions(Database db, DeploymentStore deployments) {
        this.db = db;
        this.deployments = deployments;
    }

    /** The deployment's ETag, quoted as in the header. */
    public static String etag(Deployment deployment) {
        long micros = deployment.updatedAt().getEpochSecond() * 1_000_000 + deployment.updatedAt().getNano() / 1_000;
        return "\"" + deployment.generation() + "-" + Long.toString(micros, 36) + "\"";
    }

    /**
     * Runs {@code change} if {@code ifMatch} (the header's value; null when absent) matches the
     * deployment's current ETag, holding a row lock on it until the change commits so no other change
     * slips in between; answers 412 when it does not match, 404 when the caller cannot see it.
     */
    public <T> T ifMatch(Caller caller, String id, String ifMatch, Supplier<T> change) {
        if (ifMatch == null) {
            return change.get();
        }
        return db.inTransaction(sql -> {
            Deployment current = caller.visible(deployments.findForUpdate(sql, id), Deployment::tenantId, "deployment", id);
            String etag = etag(current);
            boolean matches = Arrays.stream(ifMatch.split(","))
                    .map(String::trim)
                    .anyMatch(candidate -> candidate.equals("*") || candidate.equals(etag));
            if (!matches) {
                throw new ApiException(HttpStatus.PRECONDITION_FAILED, "deployment " + id + " changed since you "
                        + "read it (If-Match " + ifMatch + ", now " + etag + "): read it again and retry");
            }
            return change.get();
        });
    }
}

package dev.outpost.hub.releases;

import dev.outpost.hub.api.ApiException;
import dev.outpost.hub.api.StrictRequest;
import dev.outpost.hub.api.Validation;
import dev.outpost.hub.audit.AuditLog;
import dev.outpost.hub.auth.Caller;
import dev.outpost.hub.auth.Secrets;
import dev.outpost.hub.store.Database;
import dev.outpost.hub.store.StoreException;
import dev.outpost.protocol.GrpcLimits;
import dev.outpost.protocol.text.FreeText;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpStatus;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The vendor's release catalogue: anyone may read it, only the admin may add to it. */
@Singleton
public class ReleaseService {
    private static final Logger LOG = LoggerFactory.getLogger(ReleaseService.class);

    private final Database db;
    private final ReleaseStore store;
    private final Clock clock;
    private final AuditLog audit;

    public ReleaseService(Database db, ReleaseStore store, Clock clock, AuditLog audit) {
        this.audit = audit;
        this.db = db;
        this.store = store;
        this.clock = clock;
    }

    /** What the admin sends to publish a release. */
    @StrictRequest
    public record NewRelease(
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, maxLength = Validation.DNS_LABEL_MAX)
            String serviceName,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, maxLength = ReleaseValidator.VERSION_MAX_CHARS)
            String version,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, maxLength = GrpcLimits.MAX_MANIFESTS_CHARS)
            String manifests,
            @Nullable Map<String, String> defaultParameters) {
    }

    /** Validates and stores a release; 409 if that service version exists. */
    public Release create(Caller caller, NewRelease request) {
        caller.requireVendor();
        Map<String, String> defaults = request.defaultParameters() == null ? Map.of() : request.defaultParameters();
        Validation v = new Validation();
        ReleaseValidator.validate(v, request.serviceName(), request.version(), request.manifests(), defaults);
        v.throwIfInvalid();
        Release release = new Release(Secrets.id("rel_"), request.serviceName(), request.version(), request.manifests(),
                defaults, clock.instant());
        try {
            db.inTransaction(sql -> {
                store.insert(sql, release);
                audit.record(sql, caller, AuditLog.Change.of("release.create", "release", release.id(), null)
                        .detail(release.serviceName() + " " + release.version()));
                return null;
            });
        } catch (StoreException.DuplicateKeyException e) {
            throw ApiException.conflict("release " + release.serviceName() + " " + release.version()
                    + " already exists; releases are immutable, publish a new version");
        }
        LOG.info("release {} published: {} {}", release.id(), FreeText.forLog(release.serviceName()),
                FreeText.forLog(release.version()));
        return release;
    }

    public List<Release> list(Optional<String> serviceName) {
        return list(serviceName, Optional.empty());
    }

    /** The catalogue, optionally of one service and/or one status ("active", "deprecated", "yanked"). */
    public List<Release> list(Optional<String> serviceName, Optional<String> status) {
        Optional<Release.Status> parsed = status.map(text -> Release.Status.parse(text).orElseThrow(() ->
                new ApiException(HttpStatus.BAD_REQUEST,
                        "query parameter status must be active, deprecated or yanked")));
        return db.read(sql -> store.list(sql, serviceName, parsed));
    }

    public Release get(String id) {
        return db.read(sql -> store.find(sql, id)).orElseThrow(() -> ApiException.notFound("release", id));
    }

    /**
     * The release a deployment may use, or a 409 naming its status and reason: a yanked release is
     * refused for everything but deleting; a deprecated one only for a new use ({@code newDeployment}:
     * creating a deployment, or moving an existing one to it). 404 for an unknown id.
     */
    public Release requireDeployable(Caller caller, String releaseId, boolean newDeployment) {
        Release release = get(releaseId);
        Optional<String> refusal = ReleaseLifecycle.refusal(release, newDeployment);
        if (refusal.isPresent()) {
            LOG.info("{} refused release {} for {}: {}", caller.describe(), releaseId,
                    newDeployment ? "a new deployment" : "an update", release.lifecycle().status().json());
            throw ApiException.conflict(refusal.get());
        }
        return release;
    }

    /** A package release's archive (the .tgz as uploaded); empty for an unknown id or a manifests release. */
    public Optional<byte[]> archive(String releaseId) {
        return db.read(sql -> store.archive(sql, releaseId));
    }
}

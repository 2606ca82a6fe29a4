package dev.outpost.hub.rollouts;

import dev.outpost.hub.api.ApiException;
import dev.outpost.hub.api.StrictRequest;
import dev.outpost.hub.api.Validation;
import dev.outpost.hub.audit.AuditLog;
import dev.outpost.hub.auth.Caller;
import dev.outpost.hub.auth.Secrets;
import dev.outpost.hub.deployments.Deployment;
import dev.outpost.hub.deployments.DeploymentService;
import dev.outpost.hub.deployments.DeploymentService.BatchOutcome;
import dev.outpost.hub.deployments.DeploymentStore;
import dev.outpost.hub.environments.EnvironmentService;
import dev.outpost.hub.releases.Release;
import dev.outpost.hub.releases.ReleaseService;
import dev.outpost.hub.store.Database;
import dev.outpost.hub.tenants.TenantService;
import io.micronaut.core.annotation.Nullable;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rollouts: one request upgrades every matching deployment to a release. The deployments are read,
 * each update is planned, and then the rollout, every update operation with its command and audit
 * entry, and the skipped targets are written in one transaction: a rollout is all there or not at all,
 * and agents are told at once, each by its own stream.
 */
@Singleton
public class RolloutService {
    private static final Logger LOG = LoggerFactory.getLogger(RolloutService.class);
    /** The most deployments one rollout may match: they are planned in memory and written in one transaction. */
    public static final int MAX_TARGETS = 25_000;
    /** The most ids {@code fromReleaseIds} or {@code environmentIds} may list. */
    public static final int MAX_LISTED_IDS = 1_000;
    /** How many rollouts a list answers, newest first. */
    public static final int LIST_LIMIT = 100;

    private final Database db;
    private final RolloutStore store;
    private final DeploymentStore deployments;
    private final DeploymentService updates;
    private final ReleaseService releases;
    private final TenantService tenants;
    private final EnvironmentService environments;
    private final AuditLog audit;
    private final Clock clock;

    public RolloutService(Database db, RolloutStore store, DeploymentStore deployments, DeploymentService updates,
                          ReleaseService releases, TenantService tenants, EnvironmentService environments,
                          AuditLog audit, Clock clock) {
        this.db = db;
        this.store = store;
        this.deployments = deployments;
        this.updates = updates;
        this.releases = releases;
        this.tenants = tenants;
        this.environments = environments;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * What a caller sends to start a rollout: the release to upgrade to and, optionally, which
     * deployments: those on the listed releases (default: every other release of the same service), in
     * the listed environments (default: all), of one tenant (a tenant's token: always its own).
     */
    @StrictRequest
    public record NewRollout(
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, maxLength = Validation.ID_MAX) String releaseId,
            @Nullable List<String> fromReleaseIds,
            @Nullable @Schema(maxLength = Validation.ID_MAX) String tenantId,
            @Nullable List<String> environmentIds) {
    }

    /** Starts a rollout: 201 with its targets started or skipped; 404/409/422 for what cannot be rolled out. */
    public Rollout start(Caller caller, NewRollout request) {
        Validation v = new Validation();
        v.text("releaseId", request.releaseId(), Validation.ID_MAX);
        List<String> from = ids(v, "fromReleaseIds", request.fromReleaseIds());
        List<String> environmentIds = ids(v, "environmentIds", request.environmentIds());
        if (request.tenantId() != null) {
            v.text("tenantId", request.tenantId(), Validation.ID_MAX);
        }
        v.throwIfInvalid();
        Optional<String> tenantId = scope(caller, request.tenantId());
        Release release = releases.requireDeployable(caller, request.releaseId(), false);
        requireSameService(release, from);
        environmentIds.forEach(id -> environments.get(caller, id)); // 404 for an unknown or another tenant's
        List<Deployment> targets = db.read(sql -> deployments.onOtherReleases(sql, tenantId, release.serviceName(),
                release.id(), from, environmentIds, MAX_TARGETS + 1));
        if (targets.size() > MAX_TARGETS) {
            throw ApiException.unprocessable("releaseId", "more than " + MAX_TARGETS + " deployments match; narrow "
                    + "the rollout with tenantId, environmentIds or fromReleaseIds and start several");
        }
        String id = Secrets.id("rol_");
        RolloutStore.Header header = new RolloutStore.Header(id, tenantId.orElse(null), release.id(), from,
                environmentIds, caller.describe(), clock.instant());
        List<BatchOutcome> outcomes = updates.upgradeAll(caller, targets, release, "rollout " + id, (sql, done) -> {
            store.insert(sql, header, done);
            long started = done.stream().filter(BatchOutcome::started).count();
            audit.record(sql, caller, AuditLog.Change.of("rollout.create", "rollout", id, header.tenantId())
                    .detail("release " + release.id() + ", " + done.size() + " deployment(s) matched, " + started
                            + " started, " + (done.size() - started) + " skipped"));
        });
        long started = outcomes.stream().filter(BatchOutcome::started).count();
        LOG.info("Rollout {} by {} for tenant {}: release {} ({} {}), {} deployment(s) matched, {} started, {} skipped",
                id, caller.describe(), tenantId.orElse("(all)"), release.id(), release.serviceName(), release.version(),
                outcomes.size(), started, outcomes.size() - started);
        return get(caller, id);
    }

    /** One rollout with its progress now; 404 if unknown or not the caller's to see. */
    public Rollout get(Caller caller, String id) {
        return db.read(sql -> {
            RolloutStore.Header header = store.find(sql, id).filter(h -> visible(caller, h))
                    .orElseThrow(() -> ApiException.notFound("rollout", id));
            return withProgress(sql, header);
        });
    }

    /** The newest rollouts the caller may see, of one tenant when asked. */
    public List<Rollout> list(Caller caller, Optional<String> tenantId) {
        return db.read(sql -> store.newest(sql, caller.tenantFilter(tenantId), LIST_LIMIT).stream()
                .map(header -> withProgress(sql, header)).toList());
    }

    private Rollout withProgress(dev.outpost.hub.store.Sql sql, RolloutStore.Header header) {
        return new Rollout(header.id(), header.tenantId(), header.releaseId(), header.fromReleaseIds(),
                header.environmentIds(), header.createdBy(), header.createdAt(), store.progress(sql, header.id()),
                store.skipped(sql, header.id(), Rollout.SKIPPED_LISTED));
    }

    /** A rollout over every tenant is only the vendor's to see; a tenant's rollout, the vendor's and that tenant's. */
    private static boolean visible(Caller caller, RolloutStore.Header header) {
        return header.tenantId() == null ? caller.isVendor() : caller.canSee(header.tenantId());
    }

    /** The tenant a rollout is limited to: a tenant's own always; for the vendor the one named, if any. */
    private Optional<String> scope(Caller caller, String requested) {
        if (requested != null) {
            tenants.get(caller, requested); // 404 for an unknown tenant, or another tenant's
            return Optional.of(requested);
        }
        return caller.isVendor() ? Optional.empty() : Optional.of(caller.tenantId());
    }

    /** 422 unless every release to upgrade from exists and is of the target's service. */
    private void requireSameService(Release target, List<String> from) {
        for (String id : from) {
            Release release = releases.get(id);
            if (!release.serviceName().equals(target.serviceName())) {
                throw ApiException.unprocessable("fromReleaseIds", "release " + id + " is of service "
                        + release.serviceName() + ", not " + target.serviceName() + " as release " + target.id());
            }
        }
    }

    /** The distinct ids of an optional list, each checked; at most {@link #MAX_LISTED_IDS}. */
    private static List<String> ids(Validation v, String field, List<String> given) {
        if (given == null) {
            return List.of();
        }
        if (given.size() > MAX_LISTED_IDS) {
            v.error(field, "at most " + MAX_LISTED_IDS + " ids");
            return List.of();
        }
        for (int i = 0; i < given.size(); i++) {
            v.text("/" + field + "/" + i, given.get(i), Validation.ID_MAX);
        }
        return given.stream().filter(Objects::nonNull).distinct().toList();
    }
}

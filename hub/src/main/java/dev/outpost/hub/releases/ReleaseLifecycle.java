package dev.outpost.hub.releases;

import dev.outpost.hub.api.ApiException;
import dev.outpost.hub.api.StrictRequest;
import dev.outpost.hub.api.Validation;
import dev.outpost.hub.audit.AuditLog;
import dev.outpost.hub.auth.Caller;
import dev.outpost.hub.store.Database;
import dev.outpost.protocol.text.FreeText;
import io.micronaut.core.annotation.Nullable;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deprecating, reactivating and yanking releases (admin only), and the rule of what each status
 * still allows. Active ⇄ deprecated; either → yanked, which is final.
 */
@Singleton
public class ReleaseLifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(ReleaseLifecycle.class);
    /** Longest reason, in code points. */
    public static final int REASON_MAX = 1000;

    private final Database db;
    private final ReleaseStore store;
    private final Clock clock;
    private final AuditLog audit;

    public ReleaseLifecycle(Database db, ReleaseStore store, Clock clock, AuditLog audit) {
        this.audit = audit;
        this.db = db;
        this.store = store;
        this.clock = clock;
    }

    /** The optional body of a deprecation: why, e.g. "superseded by 2.0.0". */
    @StrictRequest
    public record DeprecateRequest(@Nullable @Schema(maxLength = REASON_MAX) String reason) {
    }

    /** The body of a yank: why, shown to everyone who tries to deploy or update to it. */
    @StrictRequest
    public record YankRequest(@Schema(requiredMode = Schema.RequiredMode.REQUIRED, maxLength = REASON_MAX)
                              String reason) {
    }

    /** Deprecates an active release (a deprecated one stays as it is); 409 if yanked. */
    public Release deprecate(Caller caller, String id, @Nullable String reason) {
        caller.requireVendor();
        String checked = reason(reason, false);
        return change(caller, id, EnumSet.of(Release.Status.ACTIVE),
                new Release.Lifecycle(Release.Status.DEPRECATED, checked, clock.instant()), Release.Status.DEPRECATED);
    }

    /** Makes a deprecated release active again (an active one stays as it is); 409 if yanked. */
    public Release undeprecate(Caller caller, String id) {
        caller.requireVendor();
        return change(caller, id, EnumSet.of(Release.Status.DEPRECATED),
                new Release.Lifecycle(Release.Status.ACTIVE, null, clock.instant()), Release.Status.ACTIVE);
    }

    /** Yanks a release for good; yanking it again is fine and keeps the first reason. */
    public Release yank(Caller caller, String id, String reason) {
        caller.requireVendor();
        String checked = reason(reason, true);
        return change(caller, id, EnumSet.of(Release.Status.ACTIVE, Release.Status.DEPRECATED),
                new Release.Lifecycle(Release.Status.YANKED, checked, clock.instant()), Release.Status.YANKED);
    }

    /**
     * Why {@code release} may not be used, or empty when it may: {@code newUse} is a new deployment, or
     * an existing one moving to this release; otherwise an update of a deployment already on it.
     */
    public static Optional<String> refusal(Release release, boolean newUse) {
        Release.Lifecycle lifecycle = release.lifecycle();
        String name = "release " + release.id() + " (" + release.serviceName() + " " + release.version() + ")";
        return switch (lifecycle.status()) {
            case ACTIVE -> Optional.empty();
            case DEPRECATED -> newUse
                    ? Optional.of(name + " is deprecated" + because(lifecycle) + ": no new deployments; "
                            + "deployments already on it may still be updated and deleted")
                    : Optional.empty();
            case YANKED -> Optional.of(name + " was yanked" + because(lifecycle)
                    + ": it cannot be deployed or updated to; move the deployment to another release or delete it");
        };
    }

    private static String because(Release.Lifecycle lifecycle) {
        return lifecycle.reason() == null ? "" : " (reason: " + lifecycle.reason() + ")";
    }

    private Release change(Caller caller, String id, Set<Release.Status> from, Release.Lifecycle to,
                           Release.Status idempotentAt) {
        return db.inTransaction(sql -> {
            Release current = store.find(sql, id).orElseThrow(() -> ApiException.notFound("release", id));
            if (current.lifecycle().status() == idempotentAt) {
                return current; // asked twice: nothing to do, the first reason and time stay
            }
            if (!from.contains(current.lifecycle().status()) || !store.changeStatus(sql, id, from, to)) {
                throw ApiException.conflict("release " + id + " is " + current.lifecycle().status().json()
                        + (current.lifecycle().status() == Release.Status.YANKED
                                ? "; yanking is final" : "") + ": it cannot become " + to.status().json());
            }
            audit.record(sql, caller, AuditLog.Change.of("release." + to.status().json(), "release", id, null)
                    .detail(current.lifecycle().status().json() + " -> " + to.status().json()));
            LOG.info("release {} ({} {}) is now {} by {}{}", id, FreeText.forLog(current.serviceName()),
                    FreeText.forLog(current.version()), to.status().json(), caller.describe(),
                    to.reason() == null ? "" : ": " + FreeText.forLog(to.reason()));
            return store.find(sql, id).orElseThrow();
        });
    }

    /** The reason as stored (NFC), or a 400 if it breaks the free-text rule; null when optional and absent. */
    private static String reason(@Nullable String reason, boolean required) {
        if (reason == null && !required) {
            return null;
        }
        Validation v = new Validation();
        String checked = v.name("reason", reason, REASON_MAX);
        v.throwIfInvalid();
        return checked;
    }
}

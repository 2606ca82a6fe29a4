package dev.outpost.hub.releases;

import dev.outpost.hub.api.ApiException;
import dev.outpost.hub.api.Validation;
import dev.outpost.hub.audit.AuditLog;
import dev.outpost.hub.auth.Caller;
import dev.outpost.hub.auth.Secrets;
import dev.outpost.hub.packages.InspectedPackage;
import dev.outpost.hub.packages.PackageInspection;
import dev.outpost.hub.packages.PackageProblem;
import dev.outpost.hub.packages.PackageRejectedException;
import dev.outpost.hub.packages.RenderSlots;
import dev.outpost.hub.store.Database;
import dev.outpost.hub.store.StoreException;
import dev.outpost.protocol.text.FreeText;
import io.micronaut.context.BeanProvider;
import io.micronaut.http.HttpStatus;
import jakarta.inject.Singleton;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes an uploaded package: size → a byte-identical earlier upload (a safe retry) → inspection →
 * one insert. A refused package stores nothing; the same service and version with other bytes is 409.
 */
@Singleton
public class PackagePublisher {
    private static final Logger LOG = LoggerFactory.getLogger(PackagePublisher.class);
    /** Largest package archive, in bytes (micronaut.server.max-request-size is set to match). */
    public static final int MAX_PACKAGE_BYTES = 20 * 1024 * 1024;
    /** Longest plan name. */
    static final int PLAN_MAX = 63;

    private final Database db;
    private final ReleaseStore store;
    private final BeanProvider<PackageInspection> inspection;
    private final RenderSlots slots;
    private final Clock clock;
    private final AuditLog audit;

    public PackagePublisher(Database db, ReleaseStore store, BeanProvider<PackageInspection> inspection, RenderSlots slots,
                            Clock clock, AuditLog audit) {
        this.audit = audit;
        this.db = db;
        this.store = store;
        this.inspection = inspection;
        this.slots = slots;
        this.clock = clock;
    }

    /** The release, and whether this call created it (false: the same archive was published before). */
    public record Published(Release release, boolean created) {
    }

    /** Publishes {@code archive} (admin only). */
    public Published publish(Caller caller, byte[] archive) {
        caller.requireVendor();
        requireSize(archive);
        String sha256 = sha256(archive);
        Optional<Release> same = db.read(sql -> store.findByArchive(sql, sha256));
        if (same.isPresent()) {
            LOG.info("package {} {} uploaded again by {}: release {} unchanged", FreeText.forLog(same.get().serviceName()),
                    FreeText.forLog(same.get().version()), caller.describe(), same.get().id());
            return new Published(same.get(), false);
        }
        InspectedPackage inspected = inspect(archive);
        Release release = toRelease(inspected, sha256, archive.length);
        return store(caller, release, archive);
    }

    private static void requireSize(byte[] archive) {
        if (archive == null || archive.length == 0) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "request body is required: the package as a .tgz "
                    + "(curl --data-binary @package.tgz)");
        }
        if (archive.length > MAX_PACKAGE_BYTES) {
            throw new ApiException(HttpStatus.REQUEST_ENTITY_TOO_LARGE, "the package is " + archive.length
                    + " bytes; at most " + MAX_PACKAGE_BYTES + " (20 MiB) are accepted");
        }
    }

    private InspectedPackage inspect(byte[] archive) {
        if (!inspection.isPresent()) {
            throw new ApiException(HttpStatus.INTERNAL_SERVER_ERROR, "this hub cannot inspect packages");
        }
        try (RenderSlots.Slot slot = slots.take("inspecting this package")) {
            InspectedPackage inspected = inspection.get().inspect(archive);
            List<PackageProblem> problems = identityProblems(inspected);
            if (!problems.isEmpty()) {
                throw new PackageRefusedException(problems);
            }
            return inspected;
        } catch (PackageRejectedException e) {
            throw new PackageRefusedException(e.problems());
        }
    }

    /**
     * What the catalogue itself needs of an inspected package (the inspection checks it too): a service
     * name and version a release can have, and a default plan among its plans.
     */
    static List<PackageProblem> identityProblems(InspectedPackage inspected) {
        List<PackageProblem> problems = new ArrayList<>();
        Validation v = new Validation();
        v.dnsLabel("service", inspected.service());
        v.matches("version", inspected.version(), ReleaseValidator.VERSION, ReleaseValidator.VERSION_MAX_CHARS,
                "a semantic version such as 1.2.3");
        try {
            v.throwIfInvalid();
        } catch (ApiException e) { // "/service" → "service must be ..."
            e.errors().forEach(error -> problems.add(new PackageProblem("outpost.yaml",
                    error.field().substring(1) + " " + error.message())));
        }
        if (inspected.plans().isEmpty()) {
            problems.add(new PackageProblem("outpost.yaml", "plans must name at least one plan"));
        } else if (!inspected.plans().contains(inspected.defaultPlan())) {
            problems.add(new PackageProblem("outpost.yaml", "the default plan '" + inspected.defaultPlan()
                    + "' is not one of the plans"));
        }
        inspected.plans().stream().filter(plan -> plan.isEmpty() || plan.length() > PLAN_MAX).findFirst()
                .ifPresent(plan -> problems.add(new PackageProblem("outpost.yaml", "plan names must have 1 to "
                        + PLAN_MAX + " characters")));
        return problems;
    }

    private Release toRelease(InspectedPackage inspected, String sha256, long size) {
        ReleasePackage summary = new ReleasePackage(inspected.manifestJson(), inspected.plans(), inspected.defaultPlan(),
                inspected.secretParameters(), sha256, size);
        return new Release(Secrets.id("rel_"), inspected.service(), inspected.version(), "", Map.of(), clock.instant(),
                Release.Kind.PACKAGE, summary, Release.Lifecycle.ACTIVE);
    }

    private Published store(Caller caller, Release release, byte[] archive) {
        try {
            db.inTransaction(sql -> {
                store.insert(sql, release, archive);
                audit.record(sql, caller, AuditLog.Change.of("release.publish-package", "release", release.id(), null)
                        .detail(release.serviceName() + " " + release.version() + ", archive sha256 "
                                + release.packageSummary().archiveSha256()));
                return null;
            });
        } catch (StoreException.DuplicateKeyException e) {
            // Another upload of the same bytes may have won the race: that is still a safe retry.
            Optional<Release> same = db.read(sql -> store.findByArchive(sql, release.packageSummary().archiveSha256()));
            if (same.isPresent()) {
                return new Published(same.get(), false);
            }
            throw ApiException.conflict("release " + release.serviceName() + " " + release.version()
                    + " already exists with other content; releases are immutable, publish a new version");
        }
        LOG.info("package {} {} published by {}: release {} ({} bytes, sha256 {})", FreeText.forLog(release.serviceName()),
                FreeText.forLog(release.version()), caller.describe(), release.id(), archive.length,
                release.packageSummary().archiveSha256());
        return new Published(release, true);
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}

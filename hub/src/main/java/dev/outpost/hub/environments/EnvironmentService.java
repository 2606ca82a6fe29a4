package dev.outpost.hub.environments;

import dev.outpost.hub.api.ApiException;
import dev.outpost.hub.api.StrictRequest;
import dev.outpost.hub.api.Validation;
import dev.outpost.hub.audit.AuditLog;
import dev.outpost.hub.auth.Caller;
import dev.outpost.hub.auth.Secrets;
import dev.outpost.hub.store.Database;
import dev.outpost.hub.store.StoreException;
import dev.outpost.hub.tenants.TenantStore;
import dev.outpost.protocol.text.FreeText;
import io.micronaut.core.annotation.Nullable;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creating and reading environments, within the caller's tenant. */
@Singleton
public class EnvironmentService {
    private static final Logger LOG = LoggerFactory.getLogger(EnvironmentService.class);
    /** Clouds an environment can be in. */
    public static final Set<String> CLOUDS = Set.of("aws", "azure", "gcp", "other");
    /** Longest environment name and cluster name, in characters (code points). */
    public static final int NAME_MAX_CHARS = 200;
    /** Longest region, in characters (code points). */
    public static final int REGION_MAX_CHARS = 100;

    private final Database db;
    private final EnvironmentStore store;
    private final TenantStore tenants;
    private final Clock clock;
    private final AuditLog audit;

    public EnvironmentService(Database db, EnvironmentStore store, TenantStore tenants, Clock clock, AuditLog audit) {
        this.audit = audit;
        this.db = db;
        this.store = store;
        this.tenants = tenants;
        this.clock = clock;
    }

    /** What a caller asks for when creating an environment. */
    @StrictRequest
    public record NewEnvironment(
            @Nullable @Schema(maxLength = Validation.ID_MAX) String tenantId,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, maxLength = NAME_MAX_CHARS) String name,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, allowableValues = {"aws", "azure", "gcp", "other"})
            String cloud,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, maxLength = REGION_MAX_CHARS) String region,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, maxLength = NAME_MAX_CHARS) String clusterName) {
    }

    /** Creates an environment in the given tenant (a tenant token may omit it: its own is used). */
    public Environment create(Caller caller, NewEnvironment request) {
        Validation v = new Validation();
        String tenantId = request.tenantId() != null ? request.tenantId() : caller.tenantId();
        if (tenantId == null) {
            v.error("tenantId", "is required");
        } else {
            v.text("tenantId", tenantId, Validation.ID_MAX);
        }
        String name = v.name("name", request.name(), NAME_MAX_CHARS);
        if (request.cloud() == null || !CLOUDS.contains(request.cloud())) {
            v.error("cloud", "must be one of aws, azure, gcp, other");
        }
        String region = v.name("region", request.region(), REGION_MAX_CHARS);
        String clusterName = v.name("clusterName", request.clusterName(), NAME_MAX_CHARS);
        v.throwIfInvalid();
        if (!caller.canSee(tenantId)) {
            throw ApiException.notFound("tenant", tenantId);
        }
        Environment env = new Environment(Secrets.id("env_"), tenantId, name, request.cloud(), region, clusterName,
                clock.instant(), null, null, null);
        try {
            db.inTransaction(sql -> {
                tenants.find(sql, tenantId).orElseThrow(() -> ApiException.notFound("tenant", tenantId));
                store.insert(sql, env);
                audit.record(sql, caller, AuditLog.Change.of("environment.create", "environment", env.id(), tenantId));
                return null;
            });
        } catch (StoreException.DuplicateKeyException e) {
            throw ApiException.conflict("tenant " + tenantId + " already has an environment named '" + env.name() + "'");
        }
        LOG.info("environment {} created for tenant {} (name '{}', {} region '{}', cluster '{}')", env.id(), tenantId,
                FreeText.forLog(env.name()), env.cloud(), FreeText.forLog(env.region()),
                FreeText.forLog(env.clusterName()));
        return env;
    }

    /** Environments the caller may see, optionally of one tenant. */
    public List<Environment> list(Caller caller, Optional<String> tenantId) {
        return db.read(sql -> store.list(sql, caller.tenantFilter(tenantId)));
    }

    /** One environment; 404 if unknown or another tenant's. */
    public Environment get(Caller caller, String id) {
        return caller.visible(db.read(sql -> store.find(sql, id)), Environment::tenantId, "environment", id);
    }
}

package dev.outpost.hub.tenants;

import dev.outpost.hub.api.ApiException;
import dev.outpost.hub.api.Validation;
import dev.outpost.hub.audit.AuditLog;
import dev.outpost.hub.auth.ApiTokenStore;
import dev.outpost.hub.auth.Caller;
import dev.outpost.hub.auth.Secrets;
import dev.outpost.hub.store.Database;
import dev.outpost.hub.store.StoreException;
import dev.outpost.protocol.text.FreeText;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creating and reading tenants, and issuing their API tokens. */
@Singleton
public class TenantService {
    private static final Logger LOG = LoggerFactory.getLogger(TenantService.class);
    /** Prefix of tenant API tokens. */
    public static final String TENANT_TOKEN_PREFIX = "opt_";
    /** Longest tenant name and API token name, in characters (code points). */
    public static final int NAME_MAX_CHARS = 200;

    private final Database db;
    private final TenantStore store;
    private final ApiTokenStore tokens;
    private final Clock clock;
    private final AuditLog audit;

    public TenantService(Database db, TenantStore store, ApiTokenStore tokens, Clock clock, AuditLog audit) {
        this.audit = audit;
        this.db = db;
        this.store = store;
        this.tokens = tokens;
        this.clock = clock;
    }

    /** A token just issued; {@code token} is the secret, shown only in this response. */
    public record IssuedToken(String id, String tenantId, String name, String token) {
    }

    /** Creates a tenant (admin only); 409 if the name is taken. */
    public Tenant create(Caller caller, String name) {
        caller.requireVendor();
        Validation v = new Validation();
        String checkedName = v.name("name", name, NAME_MAX_CHARS);
        v.throwIfInvalid();
        Tenant tenant = new Tenant(Secrets.id("ten_"), checkedName, clock.instant());
        try {
            db.inTransaction(sql -> {
                store.insert(sql, tenant);
                audit.record(sql, caller, AuditLog.Change.of("tenant.create", "tenant", tenant.id(), tenant.id()));
                return null;
            });
        } catch (StoreException.DuplicateKeyException e) {
            throw ApiException.conflict("a tenant named '" + tenant.name() + "' already exists");
        }
        LOG.info("tenant {} created (name '{}')", tenant.id(), FreeText.forLog(tenant.name()));
        return tenant;
    }

    /** Tenants the caller may see. */
    public List<Tenant> list(Caller caller) {
        return db.read(sql -> store.list(sql, caller.tenantFilter(Optional.empty())));
    }

    /** One tenant, 404 if unknown or not the caller's. */
    public Tenant get(Caller caller, String id) {
        return caller.visible(db.read(sql -> store.find(sql, id)), Tenant::id, "tenant", id);
    }

    /** Issues an API token for a tenant (admin only). */
    public IssuedToken issueToken(Caller caller, String tenantId, String name) {
        caller.requireVendor();
        get(caller, tenantId);
        Validation v = new Validation();
        String checkedName = v.name("name", name, NAME_MAX_CHARS);
        v.throwIfInvalid();
        String secret = Secrets.secret(TENANT_TOKEN_PREFIX);
        String id = db.inTransaction(sql -> {
            String created = tokens.createTenantToken(tenantId, checkedName, secret);
            audit.record(sql, caller, AuditLog.Change.of("tenant.token.create", "api-token", created, tenantId));
            return created;
        });
        LOG.info("API token {} issued for tenant {} (name '{}')", id, tenantId, FreeText.forLog(checkedName));
        return new IssuedToken(id, tenantId, checkedName, secret);
    }

    /** Deletes one of a tenant's API tokens (admin only); it is refused from the next request on. */
    public void deleteToken(Caller caller, String tenantId, String tokenId) {
        caller.requireVendor();
        get(caller, tenantId);
        db.inTransaction(sql -> {
            if (!tokens.deleteTenantToken(tenantId, tokenId)) {
                throw ApiException.notFound("API token", tokenId);
            }
            return audit.record(sql, caller, AuditLog.Change.of("tenant.token.delete", "api-token", tokenId, tenantId));
        });
        LOG.info("API token {} of tenant {} deleted by {}", tokenId, tenantId, caller);
    }
}

package dev.outpost.hub.access;

import dev.outpost.hub.api.ApiException;
import dev.outpost.hub.api.Validation;
import dev.outpost.hub.audit.AuditLog;
import dev.outpost.hub.auth.AdminTokenBootstrap;
import dev.outpost.hub.auth.ApiTokenStore;
import dev.outpost.hub.auth.ApiTokenStore.StoredToken;
import dev.outpost.hub.auth.Caller;
import dev.outpost.hub.auth.Secrets;
import dev.outpost.hub.store.Database;
import dev.outpost.hub.tenants.TenantService;
import dev.outpost.hub.tenants.TenantStore;
import dev.outpost.protocol.text.FreeText;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** API tokens per user or service: issued with a role, a tenant for tenant roles and an expiry; listed; revoked. */
@Singleton
public class TokenService {
    /** Lifetime of a token issued without ttlSeconds. */
    public static final Duration DEFAULT_TTL = Duration.ofDays(90);
    /** Longest lifetime a token may be issued with. */
    public static final Duration MAX_TTL = Duration.ofDays(400);
    private static final Logger LOG = LoggerFactory.getLogger(TokenService.class);

    private final Database db;
    private final ApiTokenStore tokens;
    private final TenantStore tenants;
    private final AuditLog audit;
    private final Clock clock;

    public TokenService(Database db, ApiTokenStore tokens, TenantStore tenants, AuditLog audit, Clock clock) {
        this.db = db;
        this.tokens = tokens;
        this.tenants = tenants;
        this.audit = audit;
        this.clock = clock;
    }

    /** A token just issued; {@code token} is the secret, shown only in this answer. */
    public record Issued(StoredToken stored, String token) {
    }

    /**
     * Issues a token. A tenant role needs {@code tenantId} (of an existing tenant), a vendor role must have
     * none; the lifetime is {@code ttlSeconds} (1 s to {@link #MAX_TTL}), {@link #DEFAULT_TTL} when null.
     */
    public Issued issue(Caller caller, String name, String roleName, String tenantId, Long ttlSeconds) {
        caller.requireVendor();
        Validation v = new Validation();
        String checkedName = v.name("name", name, TenantService.NAME_MAX_CHARS);
        Optional<Role> role = roleName == null ? Optional.empty() : Role.named(roleName);
        if (role.isEmpty()) {
            v.error("role", "must be one of admin, operator, sre, billing, tenant-admin, tenant-viewer");
        } else if (role.get().vendor() && tenantId != null) {
            v.error("tenantId", "must be absent for the vendor role " + role.get().json());
        } else if (!role.get().vendor() && tenantId == null) {
            v.error("tenantId", "is required for the tenant role " + role.get().json());
        }
        Duration ttl = ttlSeconds == null ? DEFAULT_TTL : Duration.ofSeconds(ttlSeconds);
        if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_TTL) > 0) {
            v.error("ttlSeconds", "must be an integer from 1 to " + MAX_TTL.toSeconds());
        }
        v.throwIfInvalid();
        Instant now = clock.instant();
        boolean vendorRole = role.get().vendor();
        String secret = Secrets.secret(vendorRole ? AdminTokenBootstrap.ADMIN_PREFIX : TenantService.TENANT_TOKEN_PREFIX);
        StoredToken token = new StoredToken(Secrets.id("tok_"), role.get(), tenantId, checkedName, now, now.plus(ttl));
        db.inTransaction(sql -> {
            if (tenantId != null && tenants.find(sql, tenantId).isEmpty()) {
                throw ApiException.notFound("tenant", tenantId);
            }
            tokens.create(sql, token, secret);
            return audit.record(sql, caller, AuditLog.Change.of("token.create", "api-token", token.id(), tenantId));
        });
        LOG.info("API token {} issued by {}: role {}{}, name '{}', expires {}", token.id(), caller, role.get().json(),
                tenantId == null ? "" : " of tenant " + tenantId, FreeText.forLog(checkedName), token.expiresAt());
        return new Issued(token, secret);
    }

    /** Every token, or those of {@code tenantId}; never a secret. */
    public List<StoredToken> list(Caller caller, Optional<String> tenantId) {
        caller.requireVendor();
        return db.read(sql -> tokens.list(sql, tenantId));
    }

    /** Revokes a token: refused from the next request on. The last admin token cannot be revoked (409). */
    public void revoke(Caller caller, String id) {
        caller.requireVendor();
        StoredToken revoked = db.inTransaction(sql -> {
            StoredToken token = tokens.find(sql, id).orElseThrow(() -> ApiException.notFound("API token", id));
            if (token.role() == Role.ADMIN && tokens.adminTokens(sql) <= 1) {
                throw ApiException.conflict("the last admin token cannot be revoked: issue another admin token first");
            }
            tokens.delete(sql, id);
            audit.record(sql, caller, AuditLog.Change.of("token.revoke", "api-token", id, token.tenantId()));
            return token;
        });
        LOG.info("API token {} (role {}) revoked by {}", id, revoked.role().json(), caller);
    }
}

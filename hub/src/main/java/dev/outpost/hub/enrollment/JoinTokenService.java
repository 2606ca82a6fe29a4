package dev.outpost.hub.enrollment;

import dev.outpost.hub.api.ApiException;
import dev.outpost.hub.api.Validation;
import dev.outpost.hub.audit.AuditLog;
import dev.outpost.hub.auth.Caller;
import dev.outpost.hub.auth.Secrets;
import dev.outpost.hub.config.HubConfig;
import dev.outpost.hub.environments.Environment;
import dev.outpost.hub.environments.EnvironmentService;
import dev.outpost.hub.store.Database;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Issuing and listing join tokens: one-time credentials an agent trades for its certificate. */
@Singleton
public class JoinTokenService {
    private static final Logger LOG = LoggerFactory.getLogger(JoinTokenService.class);
    /** Most agents one token may admit. */
    public static final int MAX_USES = 100;

    private final Database db;
    private final JoinTokenStore store;
    private final EnvironmentService environments;
    private final CaFingerprintSource caFingerprint;
    private final GatewayPortSource gatewayPort;
    private final HubConfig config;
    private final Clock clock;
    private final AuditLog audit;

    public JoinTokenService(Database db, JoinTokenStore store, EnvironmentService environments,
                            CaFingerprintSource caFingerprint, GatewayPortSource gatewayPort, HubConfig config,
                            Clock clock, AuditLog audit) {
        this.audit = audit;
        this.db = db;
        this.store = store;
        this.environments = environments;
        this.caFingerprint = caFingerprint;
        this.gatewayPort = gatewayPort;
        this.config = config;
        this.clock = clock;
    }

    /** A token just issued: {@code token} ("id.secret") appears only in this response. */
    public record IssuedJoinToken(
            String id, String environmentId, String token, Instant expiresAt, int uses, String caFingerprint,
            int gatewayPort) {
    }

    /** Issues a token for an environment the caller may see; null arguments take the defaults. */
    public IssuedJoinToken issue(Caller caller, String environmentId, Long ttlSeconds, Integer uses) {
        Environment env = environments.get(caller, environmentId);
        Duration ttl = ttlSeconds == null ? config.getJoinTokenDefaultTtl() : Duration.ofSeconds(ttlSeconds);
        int maxUses = uses == null ? 1 : uses;
        Validation v = new Validation();
        if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(config.getJoinTokenMaxTtl()) > 0) {
            v.error("ttlSeconds", "must be an integer from 1 to " + config.getJoinTokenMaxTtl().toSeconds()
                    + " (outpost.join-token-max-ttl)");
        }
        if (maxUses < 1 || maxUses > MAX_USES) {
            v.error("uses", "must be an integer from 1 to " + MAX_USES);
        }
        v.throwIfInvalid();
        Instant now = clock.instant();
        String secret = Secrets.secret("");
        JoinToken token = new JoinToken(Secrets.id("jt_"), env.tenantId(), env.id(), now.plus(ttl), maxUses, 0, now, null);
        db.inTransaction(sql -> {
            store.insert(sql, token, Secrets.hash(secret));
            audit.record(sql, caller, AuditLog.Change.of("join-token.create", "join-token", token.id(), env.tenantId())
                    .detail("environment " + env.id()));
            return null;
        });
        LOG.info("join token {} issued for tenant {} environment {} ({} use(s), expires {})",
                token.id(), env.tenantId(), env.id(), maxUses, token.expiresAt());
        return new IssuedJoinToken(token.id(), env.id(), token.id() + "." + secret, token.expiresAt(), maxUses,
                caFingerprint.caFingerprint(), gatewayPort.port());
    }

    /** The environment's tokens, without secrets. */
    public List<JoinToken> list(Caller caller, String environmentId) {
        environments.get(caller, environmentId);
        return db.read(sql -> store.listForEnvironment(sql, environmentId));
    }

    /** Revokes a token of an environment the caller may see: it admits no more agents (agents it admitted stay). */
    public void revoke(Caller caller, String environmentId, String tokenId) {
        Environment env = environments.get(caller, environmentId);
        db.inTransaction(sql -> {
            if (!store.revoke(sql, env.id(), tokenId, clock.instant())) {
                throw ApiException.notFound("join token", tokenId);
            }
            return audit.record(sql, caller, AuditLog.Change.of("join-token.revoke", "join-token", tokenId,
                    env.tenantId()).detail("environment " + env.id()));
        });
        LOG.info("join token {} of tenant {} environment {} revoked by {}", tokenId, env.tenantId(), env.id(), caller);
    }
}

package dev.outpost.hub.enrollment;

import dev.outpost.hub.auth.Secrets;
import dev.outpost.hub.enrollment.JoinTokenRejectedException.Reason;
import dev.outpost.hub.enrollment.JoinTokenStore.StoredJoinToken;
import dev.outpost.hub.store.Database;
import dev.outpost.hub.store.Sql;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link EnrollmentStore} on the hub's database. */
@Singleton
public class JdbcEnrollmentStore implements EnrollmentStore {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcEnrollmentStore.class);

    private final Database db;
    private final JoinTokenStore tokens;
    private final Clock clock;

    public JdbcEnrollmentStore(Database db, JoinTokenStore tokens, Clock clock) {
        this.db = db;
        this.tokens = tokens;
        this.clock = clock;
    }

    @Override
    public JoinGrant check(String joinToken) {
        StoredJoinToken stored = db.read(sql -> authentic(sql, joinToken))
                .orElseThrow(() -> new JoinTokenRejectedException(Reason.UNKNOWN));
        Reason unusable = whyUnusable(stored.token(), clock.instant());
        if (unusable != null) {
            throw new JoinTokenRejectedException(unusable);
        }
        JoinToken t = stored.token();
        return new JoinGrant(t.id(), t.tenantId(), t.environmentId());
    }

    @Override
    public void register(JoinGrant grant, NewAgent agent) {
        Instant now = clock.instant();
        db.inTransaction(sql -> {
            // One enrolment per environment at a time: under READ COMMITTED, a concurrent enrolment's
            // revoke would not see this one's uncommitted agent, and both agents would stay active.
            sql.queryOne("select id from environments where id = ? for update", rs -> rs.getString(1),
                    grant.environmentId());
            if (!tokens.consumeUse(sql, grant.tokenId(), now)) {
                Reason reason = tokens.find(sql, grant.tokenId())
                        .map(t -> whyUnusable(t.token(), now))
                        .orElse(Reason.UNKNOWN);
                throw new JoinTokenRejectedException(reason == null ? Reason.USED_UP : reason);
            }
            int revoked = sql.update("update agents set status = 'revoked', revoked_at = ?, replica_id = null "
                    + "where environment_id = ? and status <> 'revoked'", now, grant.environmentId());
            insertAgent(sql, grant, agent, now);
            if (revoked > 0) {
                LOG.info("previous agent of environment {} revoked: agent {} replaces it", grant.environmentId(), agent.agentId());
            }
            return null;
        });
    }

    @Override
    public Optional<RetriedEnrolment> retried(String joinToken, String publicKeySha256) {
        Instant now = clock.instant();
        return db.read(sql -> authentic(sql, joinToken)
                .filter(t -> t.token().expiresAt().isAfter(now))
                .flatMap(t -> sql.queryOne("select id, tenant_id, environment_id from agents where join_token_id = ? "
                        + "and public_key_sha256 = ? and status <> 'revoked'", rs -> new RetriedEnrolment(
                                rs.getString("id"), rs.getString("tenant_id"), rs.getString("environment_id")),
                        t.token().id(), publicKeySha256)));
    }

    @Override
    public void reissue(String agentId, String certificateSerialHex, Instant certificateNotAfter) {
        db.inTransaction(sql -> sql.update("update agents set certificate_serial = ?, certificate_not_after = ?, "
                + "next_certificate_serial = null, next_certificate_not_after = null where id = ? and status <> 'revoked'", certificateSerialHex, certificateNotAfter, agentId));
    }

    @Override
    public boolean renewed(String agentId, String presentedSerialHex, String nextSerialHex, Instant nextNotAfter) {
        return db.inTransaction(sql -> sql.update("update agents set next_certificate_serial = ?, "
                + "next_certificate_not_after = ? where id = ? and certificate_serial = ? and status <> 'revoked'",
                nextSerialHex, nextNotAfter, agentId, presentedSerialHex)) == 1;
    }

    /** The stored token "id.secret" names, if its secret matches; MALFORMED when it is not of that shape. */
    private Optional<StoredJoinToken> authentic(Sql sql, String joinToken) {
        String[] parts = split(joinToken);
        return tokens.find(sql, parts[0]).filter(t -> Secrets.sameHash(t.secretHash(), Secrets.hash(parts[1])));
    }

    private static void insertAgent(Sql sql, JoinGrant grant, NewAgent agent, Instant now) {
        sql.update("insert into agents (id, tenant_id, environment_id, join_token_id, status, certificate_serial, "
                        + "certificate_not_after, version, kubernetes_version, node_count, platform, applied_json, "
                        + "enrolled_at, public_key_sha256) values (?, ?, ?, ?, 'offline', ?, ?, ?, ?, ?, ?, '[]', ?, ?)",
                agent.agentId(), grant.tenantId(), grant.environmentId(), grant.tokenId(),
                agent.certificateSerialHex(), agent.certificateNotAfter(), nonNull(agent.agentVersion()),
                nonNull(agent.kubernetesVersion()), agent.nodeCount(), nonNull(agent.platform()), now,
                agent.publicKeySha256());
    }

    /** Why the token cannot admit an agent at {@code now}, or null if it can. */
    static Reason whyUnusable(JoinToken token, Instant now) {
        if (!token.expiresAt().isAfter(now)) {
            return Reason.EXPIRED;
        }
        if (token.used() >= token.uses()) {
            return Reason.USED_UP;
        }
        return null;
    }

    /** Splits "id.secret"; MALFORMED when it is not of that shape. */
    static String[] split(String joinToken) {
        int dot = joinToken == null ? -1 : joinToken.indexOf('.');
        if (dot <= 0 || dot == joinToken.length() - 1) {
            throw new JoinTokenRejectedException(Reason.MALFORMED);
        }
        return new String[] {joinToken.substring(0, dot), joinToken.substring(dot + 1)};
    }

    private static String nonNull(String value) {
        return value == null ? "" : value;
    }
}

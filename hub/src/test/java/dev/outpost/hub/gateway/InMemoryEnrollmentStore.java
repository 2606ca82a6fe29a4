package dev.outpost.hub.gateway;

import dev.outpost.hub.agents.ActiveAgent;
import dev.outpost.hub.enrollment.EnrollmentStore;
import dev.outpost.hub.enrollment.JoinGrant;
import dev.outpost.hub.enrollment.JoinTokenRejectedException;
import dev.outpost.hub.enrollment.JoinTokenRejectedException.Reason;
import dev.outpost.hub.enrollment.NewAgent;
import dev.outpost.hub.enrollment.RetriedEnrolment;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Join tokens and enrolled agents in memory; registering admits the agent in the presence fake. */
final class InMemoryEnrollmentStore implements EnrollmentStore {
    private record Token(String secret, String tenantId, String environmentId, Instant expiresAt, int usesLeft) {
    }

    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    private final Map<String, String> agentByEnvironment = new ConcurrentHashMap<>();
    final List<NewAgent> registered = new CopyOnWriteArrayList<>();
    private final Map<String, RetriedEnrolment> enrolledWith = new ConcurrentHashMap<>();
    private final InMemoryAgentPresence presence;
    private final Clock clock;

    InMemoryEnrollmentStore(InMemoryAgentPresence presence, Clock clock) {
        this.presence = presence;
        this.clock = clock;
    }

    /** Adds a token and returns it as "id.secret". */
    String addToken(String id, String tenantId, String environmentId, Instant expiresAt, int uses) {
        tokens.put(id, new Token("s3cret-" + id, tenantId, environmentId, expiresAt, uses));
        return id + ".s3cret-" + id;
    }

    int usesLeft(String id) {
        return tokens.get(id).usesLeft();
    }

    @Override
    public synchronized JoinGrant check(String joinToken) {
        String[] parts = joinToken.split("\\.", 2);
        if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw new JoinTokenRejectedException(Reason.MALFORMED);
        }
        Token token = tokens.get(parts[0]);
        if (token == null || !token.secret().equals(parts[1])) {
            throw new JoinTokenRejectedException(Reason.UNKNOWN);
        }
        if (!clock.instant().isBefore(token.expiresAt())) {
            throw new JoinTokenRejectedException(Reason.EXPIRED);
        }
        if (token.usesLeft() <= 0) {
            throw new JoinTokenRejectedException(Reason.USED_UP);
        }
        return new JoinGrant(parts[0], token.tenantId(), token.environmentId());
    }

    @Override
    public synchronized void register(JoinGrant grant, NewAgent agent) {
        Token token = tokens.get(grant.tokenId());
        if (token.usesLeft() <= 0) {
            throw new JoinTokenRejectedException(Reason.USED_UP);
        }
        tokens.put(grant.tokenId(), new Token(token.secret(), token.tenantId(), token.environmentId(),
                token.expiresAt(), token.usesLeft() - 1));
        String previous = agentByEnvironment.put(grant.environmentId(), agent.agentId());
        if (previous != null) {
            presence.revoke(previous);
        }
        registered.add(agent);
        presence.admit(new ActiveAgent(agent.agentId(), grant.tenantId(), grant.environmentId(),
                agent.certificateSerialHex()));
        if (agent.publicKeySha256() != null) {
            enrolledWith.put(grant.tokenId() + "/" + agent.publicKeySha256(),
                    new RetriedEnrolment(agent.agentId(), grant.tenantId(), grant.environmentId()));
        }
    }

    @Override
    public synchronized Optional<RetriedEnrolment> retried(String joinToken, String publicKeySha256) {
        String[] parts = joinToken.split("\\.", 2);
        Token token = parts.length == 2 ? tokens.get(parts[0]) : null;
        if (token == null || !token.secret().equals(parts[1]) || !clock.instant().isBefore(token.expiresAt())) {
            return Optional.empty();
        }
        return Optional.ofNullable(enrolledWith.get(parts[0] + "/" + publicKeySha256))
                .filter(retried -> presence.findActive(retried.agentId()).isPresent());
    }

    @Override
    public synchronized void reissue(String agentId, String certificateSerialHex, Instant certificateNotAfter) {
        presence.findActive(agentId).ifPresent(agent -> presence.admit(new ActiveAgent(agentId, agent.tenantId(),
                agent.environmentId(), certificateSerialHex)));
    }

    @Override
    public synchronized boolean renewed(String agentId, String presentedSerialHex, String nextSerialHex,
            Instant nextNotAfter) {
        Optional<ActiveAgent> agent = presence.findActive(agentId)
                .filter(active -> active.certificateSerialHex().equals(presentedSerialHex));
        agent.ifPresent(active -> presence.admit(new ActiveAgent(agentId, active.tenantId(), active.environmentId(),
                presentedSerialHex, nextSerialHex)));
        return agent.isPresent();
    }
}

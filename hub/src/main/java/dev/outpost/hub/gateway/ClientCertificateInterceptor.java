package dev.outpost.hub.gateway;

import dev.outpost.hub.agents.ActiveAgent;
import dev.outpost.hub.agents.AgentPresence;
import dev.outpost.protocol.AgentIdentity;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits a call only with a client certificate (already verified against the hub CA by TLS) whose
 * URI SAN names an active agent and whose serial is that agent's current one, or the one a renewal
 * issued (which then replaces the current one). The agent goes into
 * the gRPC context; nothing the client sends in messages can change who it is.
 */
final class ClientCertificateInterceptor implements ServerInterceptor {
    static final String NO_CERTIFICATE = "client certificate required";
    static final String NOT_AN_AGENT = "client certificate does not name an Outpost agent";
    static final String NOT_ADMITTED = "agent revoked or certificate superseded";
    private static final Logger LOG = LoggerFactory.getLogger(ClientCertificateInterceptor.class);

    private final AgentPresence presence;

    ClientCertificateInterceptor(AgentPresence presence) {
        this.presence = presence;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        // grpc-java starts calls on the server's executor, not the event loop, so the store lookup is fine here.
        Optional<X509Certificate> certificate = AgentCertificates.peerCertificate(
                call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
        if (certificate.isEmpty()) {
            return refuse(call, Status.UNAUTHENTICATED.withDescription(NO_CERTIFICATE));
        }
        AgentIdentity identity;
        try {
            identity = AgentCertificates.identityOf(certificate.get());
        } catch (IllegalArgumentException e) {
            LOG.warn("Refused control stream: {} ({})", NOT_AN_AGENT, e.getMessage());
            return refuse(call, Status.UNAUTHENTICATED.withDescription(NOT_AN_AGENT));
        }
        BigInteger serial = certificate.get().getSerialNumber();
        Optional<ActiveAgent> active = presence.findActive(identity.agentId())
                .filter(agent -> admits(agent, identity, serial));
        if (active.isEmpty()) {
            LOG.warn("Refused control stream of {} serial {}: {}", identity, serial.toString(16), NOT_ADMITTED);
            return refuse(call, Status.PERMISSION_DENIED.withDescription(NOT_ADMITTED));
        }
        if (active.get().isNext(serial)) {
            // The first call with a renewed certificate: from now on it is the agent's only one.
            try {
                presence.certificateTakenOver(identity.agentId(), active.get().nextCertificateSerialHex());
            } catch (RuntimeException e) {
                // The call goes on (the certificate is admitted either way); the next call takes over.
                LOG.warn("Cannot record that {} connected with its renewed certificate; the next call will", identity, e);
            }
        }
        Context context = Context.current().withValues(AuthenticatedAgent.KEY, active.get().presenting(serial),
                AuthenticatedAgent.CERTIFICATE, certificate.get());
        return Contexts.interceptCall(context, call, headers, next);
    }

    /** Whether the stored agent matches the certificate: same tenant and environment, an admitted serial. */
    static boolean admits(ActiveAgent agent, AgentIdentity identity, BigInteger serial) {
        return agent.tenantId().equals(identity.tenantId())
                && agent.environmentId().equals(identity.environmentId())
                && agent.admits(serial);
    }

    private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Status status) {
        call.close(status, new Metadata());
        return new ServerCall.Listener<>() {
        };
    }
}

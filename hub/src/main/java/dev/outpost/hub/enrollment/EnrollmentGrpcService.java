package dev.outpost.hub.enrollment;

import dev.outpost.hub.config.HubConfig;
import dev.outpost.hub.pki.HubCertificateAuthority;
import dev.outpost.hub.pki.IssuedCertificate;
import dev.outpost.protocol.AgentIdentity;
import dev.outpost.protocol.Pem;
import dev.outpost.protocol.v1.ClusterFacts;
import dev.outpost.protocol.v1.EnrollRequest;
import dev.outpost.protocol.v1.EnrollResponse;
import dev.outpost.protocol.v1.EnrollmentGrpc;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.micronaut.context.event.ApplicationEventPublisher;
import jakarta.inject.Singleton;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Enrollment gRPC service: checks the join token, has the CA sign the agent's CSR, registers the
 * agent, and answers with its identity and certificate. Nothing is registered when a step fails.
 */
@Singleton
public class EnrollmentGrpcService extends EnrollmentGrpc.EnrollmentImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(EnrollmentGrpcService.class);
    private static final int MAX_FACT_CHARS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final EnrollmentStore store;
    private final HubCertificateAuthority ca;
    private final HubConfig config;
    private final ApplicationEventPublisher<AgentEnrolled> events;

    public EnrollmentGrpcService(EnrollmentStore store, HubCertificateAuthority ca, HubConfig config,
            ApplicationEventPublisher<AgentEnrolled> events) {
        this.store = store;
        this.ca = ca;
        this.config = config;
        this.events = events;
    }

    @Override
    public void enroll(EnrollRequest request, StreamObserver<EnrollResponse> response) {
        try {
            response.onNext(enroll(request));
            response.onCompleted();
        } catch (JoinTokenRejectedException e) {
            LOG.warn("Enrollment refused: {}", e.reason().message());
            response.onError(Status.UNAUTHENTICATED.withDescription(e.reason().message()).asRuntimeException());
        } catch (BadCsrException e) {
            response.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
        } catch (IllegalArgumentException e) {
            LOG.warn("Enrollment refused: {}", e.getMessage());
            response.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
        } catch (RuntimeException e) {
            LOG.error("Enrollment failed", e);
            response.onError(Status.INTERNAL.withDescription("enrollment failed; see the hub's log").asRuntimeException());
        }
    }

    private EnrollResponse enroll(EnrollRequest request) {
        requireShort("agent_version", request.getAgentVersion());
        ClusterFacts cluster = request.getCluster();
        requireShort("cluster.kubernetes_version", cluster.getKubernetesVersion());
        requireShort("cluster.platform", cluster.getPlatform());
        JoinGrant grant = store.check(request.getJoinToken());
        AgentIdentity identity = new AgentIdentity(grant.tenantId(), grant.environmentId(), newAgentId());
        IssuedCertificate certificate;
        try {
            certificate = ca.signAgentCsr(request.getCsrDer().toByteArray(), identity, config.getAgentCertificateTtl());
        } catch (IllegalArgumentException e) {
            LOG.warn("Enrollment refused for tenant={} environment={}: {}", grant.tenantId(), grant.environmentId(),
                    e.getMessage());
            throw new BadCsrException(e.getMessage());
        }
        store.register(grant, new NewAgent(identity.agentId(), certificate.serialHex(), certificate.notAfter(),
                request.getAgentVersion(), cluster.getKubernetesVersion(),
                cluster.hasNodeCount() ? Integer.valueOf(Math.max(0, cluster.getNodeCount())) : null,
                cluster.getPlatform()));
        LOG.info("Enrolled agent: {} version={} kubernetes={} nodes={} certificate-not-after={}", identity,
                request.getAgentVersion(), cluster.getKubernetesVersion(), cluster.hasNodeCount() ? cluster.getNodeCount() : "unknown", certificate.notAfter());
        announce(new AgentEnrolled(identity.agentId(), identity.environmentId()));
        return EnrollResponse.newBuilder()
                .setAgentId(identity.agentId())
                .setTenantId(identity.tenantId())
                .setEnvironmentId(identity.environmentId())
                .setCertificatePem(Pem.certificate(certificate.certificate()))
                .setCaBundlePem(Pem.certificate(ca.caCertificate()))
                .setCertificateNotAfterUnixMs(certificate.notAfter().toEpochMilli())
                .build();
    }

    /** The agent is registered by now: a failing listener must not turn that into an error for the agent. */
    private void announce(AgentEnrolled event) {
        try {
            events.publishEvent(event);
        } catch (RuntimeException e) {
            LOG.warn("Cannot announce the enrolment of agent {} in environment {}; the gateway's revalidation will "
                    + "close the previous agent's stream", event.agentId(), event.environmentId(), e);
        }
    }

    /** The CSR was refused; already logged with the tenant and environment. */
    private static final class BadCsrException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadCsrException(String message) {
            super(message);
        }
    }

    private static void requireShort(String field, String value) {
        if (value.length() > MAX_FACT_CHARS) {
            throw new IllegalArgumentException(field + " is longer than " + MAX_FACT_CHARS + " characters");
        }
    }

    private static String newAgentId() {
        byte[] random = new byte[10];
        RANDOM.nextBytes(random);
        return "agent-" + HexFormat.of().formatHex(random);
    }
}

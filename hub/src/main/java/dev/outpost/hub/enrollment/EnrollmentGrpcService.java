package dev.outpost.hub.enrollment;

import dev.outpost.hub.config.HubConfig;
import dev.outpost.hub.pki.AgentCsr;
import dev.outpost.hub.pki.HubCertificateAuthority;
import dev.outpost.hub.pki.IssuedCertificate;
import dev.outpost.protocol.AgentIdentity;
import dev.outpost.protocol.AgentMessageRules;
import dev.outpost.protocol.Pem;
import dev.outpost.protocol.Sha256;
import dev.outpost.protocol.text.FreeText;
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
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Enrollment gRPC service: checks the join token, has the CA sign the agent's CSR, registers the
 * agent, and answers with its identity and certificate. Nothing is registered when a step fails.
 */
@Singleton
public class EnrollmentGrpcService extends EnrollmentGrpc.EnrollmentImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(EnrollmentGrpcService.class);
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
        } catch (BadRequestException e) {
            response.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
        } catch (RuntimeException e) {
            LOG.error("Enrollment failed", e);
            response.onError(Status.INTERNAL.withDescription("enrollment failed; see the hub's log").asRuntimeException());
        }
    }

    private EnrollResponse enroll(EnrollRequest request) {
        // Checked before the token, so that a malformed request never learns whether its token is valid.
        Optional<String> problem = AgentMessageRules.enrollProblem(request);
        if (problem.isPresent()) {
            LOG.warn("Enrollment refused: {}", problem.get());
            throw new BadRequestException(problem.get());
        }
        ClusterFacts cluster = request.getCluster();
        String keyHash = publicKeySha256(request);
        Optional<RetriedEnrolment> retried = store.retried(request.getJoinToken(), keyHash);
        if (retried.isPresent()) {
            return again(request, retried.get());
        }
        JoinGrant grant = store.check(request.getJoinToken());
        AgentIdentity identity = new AgentIdentity(grant.tenantId(), grant.environmentId(), newAgentId());
        IssuedCertificate certificate = sign(request, identity);
        store.register(grant, new NewAgent(identity.agentId(), certificate.serialHex(), certificate.notAfter(),
                FreeText.normalize(request.getAgentVersion()), FreeText.normalize(cluster.getKubernetesVersion()),
                cluster.hasNodeCount() ? Integer.valueOf(Math.max(0, cluster.getNodeCount())) : null,
                FreeText.normalize(cluster.getPlatform()), keyHash));
        LOG.info("Enrolled agent: {} with join token {} version={} kubernetes={} nodes={} certificate={} until {}",
                identity, grant.tokenId(), FreeText.forLog(request.getAgentVersion()),
                FreeText.forLog(cluster.getKubernetesVersion()), cluster.hasNodeCount() ? cluster.getNodeCount() : "unknown",
                certificate.serialHex(), certificate.notAfter());
        announce(new AgentEnrolled(identity.agentId(), identity.environmentId()));
        return response(identity, certificate);
    }

    private EnrollResponse response(AgentIdentity identity, IssuedCertificate certificate) {
        return EnrollResponse.newBuilder()
                .setAgentId(identity.agentId())
                .setTenantId(identity.tenantId())
                .setEnvironmentId(identity.environmentId())
                .setCertificatePem(Pem.certificate(certificate.certificate()))
                .setCaBundlePem(Pem.certificates(ca.trustedCas()))
                .setCertificateNotAfterUnixMs(certificate.notAfter().toEpochMilli())
                .build();
    }

    /**
     * The same agent as before for a retried enrolment (same token, same key): a new certificate for its
     * id, nothing else changed, no use of the token consumed, no agent revoked.
     */
    private EnrollResponse again(EnrollRequest request, RetriedEnrolment retried) {
        AgentIdentity identity = new AgentIdentity(retried.tenantId(), retried.environmentId(), retried.agentId());
        IssuedCertificate certificate = sign(request, identity);
        store.reissue(identity.agentId(), certificate.serialHex(), certificate.notAfter());
        LOG.info("Enrollment retried with the same join token and key: agent {} keeps its identity (certificate {} "
                + "until {})", identity, certificate.serialHex(), certificate.notAfter());
        return response(identity, certificate);
    }

    private IssuedCertificate sign(EnrollRequest request, AgentIdentity identity) {
        try {
            return ca.signAgentCsr(request.getCsrDer().toByteArray(), identity, config.getAgentCertificateTtl());
        } catch (IllegalArgumentException e) {
            LOG.warn("Enrollment refused for tenant={} environment={}: {}", identity.tenantId(),
                    identity.environmentId(), FreeText.forLog(e.getMessage()));
            throw new BadRequestException(e.getMessage());
        }
    }

    /** SHA-256 of the CSR's SubjectPublicKeyInfo, hex; a CSR that is not valid is refused here. */
    private static String publicKeySha256(EnrollRequest request) {
        try {
            return Sha256.hex(AgentCsr.validatedPublicKey(request.getCsrDer().toByteArray()).getEncoded());
        } catch (IllegalArgumentException e) {
            LOG.warn("Enrollment refused: {}", FreeText.forLog(e.getMessage()));
            throw new BadRequestException(e.getMessage());
        }
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

    /** The request breaks a field rule or its CSR was refused; already logged with what context there is. */
    private static final class BadRequestException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadRequestException(String message) {
            super(message);
        }
    }

    private static String newAgentId() {
        byte[] random = new byte[10];
        RANDOM.nextBytes(random);
        return "agent-" + HexFormat.of().formatHex(random);
    }
}

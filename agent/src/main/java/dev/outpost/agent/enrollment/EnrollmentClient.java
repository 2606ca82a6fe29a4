package dev.outpost.agent.enrollment;

import com.google.protobuf.ByteString;
import dev.outpost.agent.config.HubAddress;
import dev.outpost.agent.connection.Backoff;
import dev.outpost.agent.connection.HubChannels;
import dev.outpost.agent.identity.AgentCredentials;
import dev.outpost.agent.identity.AgentKeys;
import dev.outpost.protocol.AgentIdentity;
import dev.outpost.protocol.BusyRetry;
import dev.outpost.protocol.CaFingerprint;
import dev.outpost.protocol.EcKeys;
import dev.outpost.protocol.Pem;
import dev.outpost.protocol.v1.ClusterFacts;
import dev.outpost.protocol.v1.EnrollRequest;
import dev.outpost.protocol.v1.EnrollResponse;
import dev.outpost.protocol.v1.EnrollmentGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.security.KeyPair;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exchanges a join token for the agent's identity. The TLS connection is trusted only when the hub's
 * CA matches the pinned fingerprint, so the token goes nowhere else. Retries while the hub is
 * unreachable; a refused token or CSR is final.
 */
public final class EnrollmentClient {
    private static final Logger LOG = LoggerFactory.getLogger(EnrollmentClient.class);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    private static final Set<Status.Code> RETRYABLE = Set.of(
            Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED, Status.Code.RESOURCE_EXHAUSTED);

    private final HubAddress hub;
    private final String caPin;
    private final Backoff backoff;
    private final int maxAttempts;

    public EnrollmentClient(HubAddress hub, String caPin, Backoff backoff, int maxAttempts) {
        this.hub = hub;
        this.caPin = CaFingerprint.parse(caPin);
        this.backoff = backoff;
        this.maxAttempts = maxAttempts;
    }

    /** Enrols with a new key; returns the credentials to store. The token never appears in logs or errors. */
    public AgentCredentials enroll(String joinToken, String agentVersion, ClusterFacts cluster)
            throws EnrollmentException, InterruptedException {
        KeyPair keys = EcKeys.generateP256();
        EnrollRequest request = EnrollRequest.newBuilder()
                .setJoinToken(joinToken)
                .setCsrDer(ByteString.copyFrom(AgentKeys.csr(keys)))
                .setAgentVersion(agentVersion)
                .setCluster(cluster)
                .build();
        PinnedCaTrustManager trust = new PinnedCaTrustManager(caPin);
        ManagedChannel channel = HubChannels.to(hub, HubChannels.tlsToHub(null, trust)).build();
        try {
            EnrollResponse response = call(channel, request, trust);
            return verified(response, keys);
        } finally {
            channel.shutdownNow();
        }
    }

    private EnrollResponse call(ManagedChannel channel, EnrollRequest request, PinnedCaTrustManager trust)
            throws EnrollmentException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return EnrollmentGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                        .enroll(request);
            } catch (StatusRuntimeException e) {
                if (trust.mismatch().isPresent()) {
                    throw new EnrollmentException(trust.mismatch().get());
                }
                Status status = e.getStatus();
                Throwable root = rootCause(e);
                if (root instanceof CertificateException) {
                    // The hub's certificate does not fit (host name, expiry, chain): waiting will not help.
                    throw new EnrollmentException("the hub's TLS certificate is not acceptable: " + root.getMessage());
                }
                if (!RETRYABLE.contains(status.getCode())) {
                    throw new EnrollmentException("the hub refused enrolment: " + status.getCode() + ": "
                            + status.getDescription());
                }
                if (attempt >= maxAttempts) {
                    throw new EnrollmentException("cannot reach the hub at " + hub + " after " + attempt + " attempts: "
                            + status.getCode() + " " + describe(e), e);
                }
                // A busy hub says when it can take the enrolment: its wait, spread, instead of our backoff's next.
                Duration wait = BusyRetry.requested(status, e.getTrailers())
                        .map(asked -> BusyRetry.spread(asked, ThreadLocalRandom.current().nextDouble()))
                        .orElseGet(backoff::next);
                LOG.warn("Hub at {} not reachable for enrolment ({} {}); attempt {} of {}, retrying in {} ms", hub,
                        status.getCode(), describe(e), attempt, maxAttempts, wait.toMillis());
                channel.resetConnectBackoff();
                Thread.sleep(wait.toMillis());
            }
        }
    }

    /** Checks the answer before anything is stored: the CA matches the pin and the certificate is ours. */
    private AgentCredentials verified(EnrollResponse response, KeyPair keys) throws EnrollmentException {
        try {
            List<X509Certificate> ca = Pem.parseCertificates(response.getCaBundlePem());
            X509Certificate certificate = Pem.parseCertificate(response.getCertificatePem());
            if (ca.stream().noneMatch(c -> CaFingerprint.matches(caPin, c))) {
                throw new EnrollmentException("the CA bundle the hub returned does not match --ca-hash " + caPin);
            }
            if (!certificate.getPublicKey().equals(keys.getPublic())) {
                throw new EnrollmentException("the hub returned a certificate for a different key");
            }
            AgentIdentity identity = new AgentIdentity(response.getTenantId(), response.getEnvironmentId(),
                    response.getAgentId());
            if (!identity.isNamedIn(certificate)) {
                throw new EnrollmentException("the hub's certificate does not name " + identity + ", the identity it answered");
            }
            return new AgentCredentials(identity, keys.getPrivate(), certificate, ca);
        } catch (IllegalArgumentException e) {
            throw new EnrollmentException("the hub's enrolment answer is malformed: " + e.getMessage(), e);
        }
    }

    private static String describe(StatusRuntimeException e) {
        String description = e.getStatus().getDescription();
        Throwable root = rootCause(e);
        return (description == null ? "" : description) + (root == e ? "" : " (" + root.getMessage() + ")");
    }

    private static Throwable rootCause(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }
}

package dev.outpost.hub.gateway;

import dev.outpost.hub.enrollment.CertificateRenewals;
import dev.outpost.hub.enrollment.CertificateRenewals.RenewalRefusedException;
import dev.outpost.hub.pki.HubCertificateAuthority;
import dev.outpost.hub.pki.IssuedCertificate;
import dev.outpost.protocol.Pem;
import dev.outpost.protocol.v1.CertificateRenewalGrpc;
import dev.outpost.protocol.v1.RenewCertificateRequest;
import dev.outpost.protocol.v1.RenewCertificateResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The CertificateRenewal gRPC service: translates a renewal of the authenticated agent's certificate. */
@Singleton
public class CertificateRenewalService extends CertificateRenewalGrpc.CertificateRenewalImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(CertificateRenewalService.class);

    private final CertificateRenewals renewals;
    private final HubCertificateAuthority ca;

    public CertificateRenewalService(CertificateRenewals renewals, HubCertificateAuthority ca) {
        this.renewals = renewals;
        this.ca = ca;
    }

    @Override
    public void renew(RenewCertificateRequest request, StreamObserver<RenewCertificateResponse> response) {
        try {
            IssuedCertificate issued = renewals.renew(AuthenticatedAgent.current(), AuthenticatedAgent.certificate(),
                    request.getCsrDer().toByteArray());
            response.onNext(RenewCertificateResponse.newBuilder()
                    .setCertificatePem(Pem.certificate(issued.certificate()))
                    .setCaBundlePem(Pem.certificates(ca.trustedCas()))
                    .setCertificateNotAfterUnixMs(issued.notAfter().toEpochMilli())
                    .build());
            response.onCompleted();
        } catch (RenewalRefusedException e) {
            Status status = switch (e.kind()) {
                case BAD_REQUEST -> Status.INVALID_ARGUMENT;
                case TOO_EARLY -> Status.FAILED_PRECONDITION;
                case NOT_ADMITTED -> Status.PERMISSION_DENIED;
            };
            response.onError(status.withDescription(e.getMessage()).asRuntimeException());
        } catch (RuntimeException e) {
            LOG.error("Certificate renewal of agent {} failed", AuthenticatedAgent.current().agentId(), e);
            response.onError(Status.INTERNAL.withDescription("renewal failed; see the hub's log").asRuntimeException());
        }
    }
}

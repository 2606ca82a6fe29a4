package dev.outpost.agent.identity;

import com.google.protobuf.ByteString;
import dev.outpost.agent.connection.Backoff;
import dev.outpost.agent.tls.RotatingKeyManager;
import dev.outpost.protocol.EcKeys;
import dev.outpost.protocol.Pem;
import dev.outpost.protocol.v1.CertificateRenewalGrpc;
import dev.outpost.protocol.v1.RenewCertificateRequest;
import dev.outpost.protocol.v1.RenewCertificateResponse;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renews the agent's client certificate over its connection to the hub, with no restart: once two
 * thirds of the certificate's lifetime have passed, a new key and CSR; the answer is checked, stored
 * (see {@link IdentityFiles#saveRenewal}) and used from the next connection on. Open streams go on.
 * A failed attempt is retried with jittered backoff; should every attempt fail, {@link CertificateExpiry}
 * warns from a week before the end.
 */
public final class CertificateRenewal implements AutoCloseable {
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    private static final Logger LOG = LoggerFactory.getLogger(CertificateRenewal.class);

    private final ManagedChannel channel;
    private final RotatingKeyManager keys;
    private final IdentityFiles files;
    private final Backoff retries;
    private final Clock clock;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "outpost-certificate-renewal");
        thread.setDaemon(true);
        return thread;
    });

    /** Why one renewal attempt failed; nothing was stored or replaced. */
    static final class RenewalFailedException extends Exception {
        private static final long serialVersionUID = 1L;

        RenewalFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public CertificateRenewal(ManagedChannel channel, RotatingKeyManager keys, IdentityFiles files, Backoff retries,
            Clock clock) {
        this.channel = channel;
        this.keys = keys;
        this.files = files;
        this.retries = retries;
        this.clock = clock;
    }

    /** Schedules the first renewal at {@link #renewAt} of the current certificate (now, if that has passed). */
    public void start() {
        Instant at = renewAt(keys.current().certificate());
        LOG.info("Client certificate valid until {}; renewal at {}", keys.current().certificate().getNotAfter().toInstant(), at);
        schedule(Duration.between(clock.instant(), at));
    }

    /** Two thirds of the way from the certificate's notBefore to its notAfter. */
    public static Instant renewAt(X509Certificate certificate) {
        Instant notBefore = certificate.getNotBefore().toInstant();
        Duration lifetime = Duration.between(notBefore, certificate.getNotAfter().toInstant());
        return notBefore.plus(lifetime.multipliedBy(2).dividedBy(3));
    }

    private void schedule(Duration wait) {
        if (!timer.isShutdown()) {
            timer.schedule(this::attempt, Math.max(0, wait.toMillis()), TimeUnit.MILLISECONDS);
        }
    }

    private void attempt() {
        try {
            AgentCredentials renewed = renewOnce();
            retries.reset();
            schedule(Duration.between(clock.instant(), renewAt(renewed.certificate())));
        } catch (RenewalFailedException e) {
            Duration wait = retries.next();
            LOG.warn("Certificate renewal failed: {}; retrying in {}s (the current certificate stays valid until {})",
                    e.getMessage(), wait.toSeconds(), keys.current().certificate().getNotAfter().toInstant());
            schedule(wait);
        } catch (RuntimeException e) {
            Duration wait = retries.next();
            LOG.error("Certificate renewal failed unexpectedly; retrying in {}s", wait.toSeconds(), e);
            schedule(wait);
        }
    }

    /** One renewal: a new key, the hub's signature, the answer checked, stored, and then used. */
    AgentCredentials renewOnce() throws RenewalFailedException {
        AgentCredentials current = keys.current();
        KeyPair newKeys = EcKeys.generateP256();
        RenewCertificateResponse response;
        try {
            response = CertificateRenewalGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .renew(RenewCertificateRequest.newBuilder().setCsrDer(ByteString.copyFrom(AgentKeys.csr(newKeys))).build());
        } catch (StatusRuntimeException e) {
            throw new RenewalFailedException("the hub answered " + e.getStatus().getCode()
                    + (e.getStatus().getDescription() == null ? "" : ": " + e.getStatus().getDescription()), e);
        }
        AgentCredentials renewed = verified(response, newKeys, current);
        try {
            files.saveRenewal(renewed);
        } catch (IOException e) {
            throw new RenewalFailedException("cannot store the renewed certificate: " + e.getMessage(), e);
        }
        keys.replace(renewed);
        LOG.info("Client certificate renewed: serial {} valid until {}; used from the next connection to the hub",
                renewed.certificate().getSerialNumber().toString(16), renewed.certificate().getNotAfter().toInstant());
        return renewed;
    }

    /**
     * The hub's answer as credentials, checked before anything is stored: our new key, our identity, signed
     * by a CA in the bundle, and a bundle that keeps at least one CA we trust now.
     */
    static AgentCredentials verified(RenewCertificateResponse response, KeyPair newKeys, AgentCredentials current)
            throws RenewalFailedException {
        try {
            X509Certificate certificate = Pem.parseCertificate(response.getCertificatePem());
            List<X509Certificate> bundle = Pem.parseCertificates(response.getCaBundlePem());
            if (!certificate.getPublicKey().equals(newKeys.getPublic())) {
                throw new RenewalFailedException("the hub returned a certificate for another key", null);
            }
            if (!current.identity().isNamedIn(certificate)) {
                throw new RenewalFailedException("the renewed certificate does not name " + current.identity(), null);
            }
            if (bundle.stream().noneMatch(current.hubCa()::contains)) {
                throw new RenewalFailedException("the hub's CA bundle holds none of the CAs this agent trusts", null);
            }
            if (bundle.stream().noneMatch(ca -> signedBy(certificate, ca))) {
                throw new RenewalFailedException("the renewed certificate is not signed by a CA in the hub's bundle", null);
            }
            return new AgentCredentials(current.identity(), newKeys.getPrivate(), certificate, bundle);
        } catch (IllegalArgumentException e) {
            throw new RenewalFailedException("the hub's renewal answer is malformed: " + e.getMessage(), e);
        }
    }

    private static boolean signedBy(X509Certificate certificate, X509Certificate ca) {
        try {
            certificate.verify(ca.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}

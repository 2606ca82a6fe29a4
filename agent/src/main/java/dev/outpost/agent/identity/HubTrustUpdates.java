package dev.outpost.agent.identity;

import dev.outpost.agent.tls.RotatingKeyManager;
import dev.outpost.protocol.CaFingerprint;
import dev.outpost.protocol.GrpcLimits;
import dev.outpost.protocol.Pem;
import dev.outpost.protocol.v1.TrustBundle;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the CAs the hub says to trust (a CA rollover step): checks them, stores them as ca.pem and
 * trusts them from the next connection on; the open stream goes on. A bundle that fails a check is
 * ignored with a warning, and the agent keeps the CAs it trusts.
 */
public final class HubTrustUpdates implements Consumer<TrustBundle> {
    private static final Logger LOG = LoggerFactory.getLogger(HubTrustUpdates.class);

    private final RotatingKeyManager keys;
    private final IdentityFiles files;

    public HubTrustUpdates(RotatingKeyManager keys, IdentityFiles files) {
        this.keys = keys;
        this.files = files;
    }

    @Override
    public synchronized void accept(TrustBundle bundle) {
        List<X509Certificate> cas;
        try {
            cas = Pem.parseCertificates(bundle.getCaBundlePem());
        } catch (IllegalArgumentException e) {
            LOG.warn("Ignored the hub's CA bundle: it does not parse ({})", e.getMessage());
            return;
        }
        AgentCredentials current = keys.current();
        if (cas.equals(current.hubCa())) {
            return;
        }
        Optional<String> problem = problem(cas, current.hubCa());
        if (problem.isPresent()) {
            LOG.warn("Ignored the hub's CA bundle: {}; still trusting {}", problem.get(), fingerprints(current.hubCa()));
            return;
        }
        try {
            files.saveTrust(cas);
        } catch (IOException e) {
            LOG.error("Cannot store the hub's CA bundle ({}); still trusting {}", e.getMessage(),
                    fingerprints(current.hubCa()));
            return;
        }
        keys.replace(current.withHubCa(cas));
        LOG.info("Trusting the hub's CAs {} from the next connection (was {})", fingerprints(cas),
                fingerprints(current.hubCa()));
    }

    /** What is wrong with {@code bundle} as the hub's CAs, when the agent trusts {@code trusted} now. */
    static Optional<String> problem(List<X509Certificate> bundle, List<X509Certificate> trusted) {
        if (bundle.isEmpty() || bundle.size() > GrpcLimits.MAX_TRUSTED_CAS) {
            return Optional.of("it must hold 1 to " + GrpcLimits.MAX_TRUSTED_CAS + " certificates, has " + bundle.size());
        }
        for (X509Certificate ca : bundle) {
            if (ca.getBasicConstraints() < 0) {
                return Optional.of(ca.getSubjectX500Principal().getName() + " is not a CA certificate");
            }
        }
        if (bundle.stream().noneMatch(trusted::contains)) {
            return Optional.of("it keeps none of the CAs this agent trusts now");
        }
        return Optional.empty();
    }

    private static List<String> fingerprints(List<X509Certificate> cas) {
        return cas.stream().map(CaFingerprint::of).toList();
    }
}

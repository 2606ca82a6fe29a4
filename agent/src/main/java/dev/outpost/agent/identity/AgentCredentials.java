package dev.outpost.agent.identity;

import dev.outpost.protocol.AgentIdentity;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/** What the agent proves itself with on the control stream, and the CAs it trusts for the hub. */
public record AgentCredentials(AgentIdentity identity, PrivateKey key, X509Certificate certificate,
        List<X509Certificate> hubCa) {

    /** The same key and certificate, trusting {@code bundle} for the hub. */
    public AgentCredentials withHubCa(List<X509Certificate> bundle) {
        return new AgentCredentials(identity, key, certificate, List.copyOf(bundle));
    }
}

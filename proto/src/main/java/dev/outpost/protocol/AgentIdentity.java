package dev.outpost.protocol;

import java.net.URI;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who an agent is: the tenant, environment and agent ids that the hub writes into the agent's client
 * certificate as a SPIFFE-style URI SAN, and reads back from it on every stream.
 */
public record AgentIdentity(String tenantId, String environmentId, String agentId) {
    /** Trust domain of every Outpost identity URI. */
    public static final String TRUST_DOMAIN = "outpost.dev";

    private static final String ID = "[A-Za-z0-9][A-Za-z0-9_-]{0,63}";
    /** The GeneralName tag of a uniformResourceIdentifier (RFC 5280). */
    private static final int URI_SAN = 6;
    private static final Pattern URI_FORM = Pattern.compile(
            "spiffe://" + Pattern.quote(TRUST_DOMAIN) + "/tenants/(" + ID + ")/environments/(" + ID
                    + ")/agents/(" + ID + ")");

    public AgentIdentity {
        for (String id : new String[] {tenantId, environmentId, agentId}) {
            if (id == null || !id.matches(ID)) {
                throw new IllegalArgumentException("not a valid identity component: " + id);
            }
        }
    }

    /** The URI SAN for this identity. */
    public URI toUri() {
        return URI.create("spiffe://" + TRUST_DOMAIN + "/tenants/" + tenantId + "/environments/"
                + environmentId + "/agents/" + agentId);
    }

    /** Whether {@code certificate} names this identity as a URI SAN (what the hub writes into each agent certificate). */
    public boolean isNamedIn(X509Certificate certificate) {
        try {
            Collection<List<?>> altNames = certificate.getSubjectAlternativeNames();
            return altNames != null && altNames.contains(List.of(URI_SAN, toUri().toString()));
        } catch (CertificateParsingException e) {
            return false;
        }
    }

    /** Parses a URI SAN; throws IllegalArgumentException when it is not an Outpost agent identity. */
    public static AgentIdentity parse(String uri) {
        Matcher m = URI_FORM.matcher(Objects.requireNonNull(uri, "uri"));
        if (!m.matches()) {
            throw new IllegalArgumentException("not an Outpost agent identity: " + uri);
        }
        return new AgentIdentity(m.group(1), m.group(2), m.group(3));
    }

    @Override
    public String toString() {
        return "tenant=" + tenantId + " environment=" + environmentId + " agent=" + agentId;
    }
}

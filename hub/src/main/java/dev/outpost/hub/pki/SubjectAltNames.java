package dev.outpost.hub.pki;

import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;

/** Subject alternative names: the gateway's host names and IPs, and the agent's identity URI. */
public final class SubjectAltNames {
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern DNS_NAME = Pattern.compile(
            "(\\*\\.)?[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
    private static final int SAN_URI = 6;

    private SubjectAltNames() {
    }

    /** Whether a configured host is an IP literal (IPv4 dotted quad, or IPv6 with colons). */
    public static boolean isIpLiteral(String host) {
        if (host.contains(":")) {
            return true;
        }
        var m = IPV4.matcher(host);
        if (!m.matches()) {
            return false;
        }
        for (int i = 1; i <= 4; i++) {
            if (Integer.parseInt(m.group(i)) > 255) {
                return false;
            }
        }
        return true;
    }

    /**
     * The gateway's SANs from the configured host names: IP literals become IP SANs, the rest DNS SANs.
     * Throws IllegalArgumentException naming a host that is neither, so a typo fails the start.
     */
    public static GeneralNames forHosts(Collection<String> hosts) {
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("outpost.grpc-hostnames is empty: agents could not verify the gateway");
        }
        List<GeneralName> names = new ArrayList<>();
        for (String raw : normalise(hosts)) {
            if (isIpLiteral(raw)) {
                names.add(new GeneralName(GeneralName.iPAddress, raw.replace("[", "").replace("]", "")));
            } else if (DNS_NAME.matcher(raw).matches()) {
                names.add(new GeneralName(GeneralName.dNSName, raw));
            } else {
                throw new IllegalArgumentException("outpost.grpc-hostnames: '" + raw + "' is neither a DNS name nor an IP address");
            }
        }
        return new GeneralNames(names.toArray(GeneralName[]::new));
    }

    private static Set<String> normalise(Collection<String> hosts) {
        Set<String> result = new LinkedHashSet<>();
        hosts.stream().map(h -> h.trim().toLowerCase(Locale.ROOT)).filter(h -> !h.isEmpty()).forEach(result::add);
        return result;
    }

    /** Whether the certificate carries exactly these SANs, in this order. */
    public static boolean certificateHas(X509Certificate certificate, GeneralNames expected) {
        try {
            GeneralNames actual = GeneralNames.fromExtensions(
                    new JcaX509CertificateHolder(certificate).getExtensions(), Extension.subjectAlternativeName);
            return expected.equals(actual);
        } catch (CertificateEncodingException e) {
            return false;
        }
    }

    /** The URI SANs of a certificate. */
    public static List<String> urisOf(X509Certificate certificate) {
        List<String> result = new ArrayList<>();
        for (List<?> entry : entries(certificate)) {
            if ((Integer) entry.get(0) == SAN_URI) {
                result.add((String) entry.get(1));
            }
        }
        return result;
    }

    private static Collection<List<?>> entries(X509Certificate certificate) {
        try {
            Collection<List<?>> names = certificate.getSubjectAlternativeNames();
            return names == null ? List.of() : names;
        } catch (CertificateParsingException e) {
            return List.of();
        }
    }
}

package dev.outpost.agent.connection;

import dev.outpost.protocol.EcKeys;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/** A stand-in for the hub's CA in agent tests: a CA, a server certificate for loopback, signed CSRs. */
public final class TestPki {
    private static final AtomicLong SERIALS = new AtomicLong(1000);

    public final KeyPair caKeys = EcKeys.generateP256();
    public final X509Certificate ca;
    public final KeyPair serverKeys = EcKeys.generateP256();
    public final X509Certificate server;

    /** A CA and a server certificate for 127.0.0.1 and localhost. */
    public TestPki() {
        this(new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost"));
    }

    /** A CA and a server certificate for these names. */
    public TestPki(GeneralName... serverNames) {
        ca = sign(new JcaX509v3CertificateBuilder(new X500Name("CN=Test hub CA"), serial(), from(), until(),
                new X500Name("CN=Test hub CA"), caKeys.getPublic()), true, null);
        server = sign(new JcaX509v3CertificateBuilder(ca, serial(), from(), until(), new X500Name("CN=gateway"),
                serverKeys.getPublic()), false, new GeneralNames(serverNames));
    }

    /** A client certificate for the CSR's key with the given URI SAN. */
    public X509Certificate signCsr(byte[] csrDer, String uri) {
        try {
            JcaPKCS10CertificationRequest csr = new JcaPKCS10CertificationRequest(new PKCS10CertificationRequest(csrDer));
            return sign(new JcaX509v3CertificateBuilder(ca, serial(), from(), until(), new X500Name("CN=agent"),
                    csr.getPublicKey()), false, new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, uri)));
        } catch (Exception e) {
            throw new IllegalArgumentException("bad CSR", e);
        }
    }

    private X509Certificate sign(X509v3CertificateBuilder builder, boolean isCa, GeneralNames altNames) {
        try {
            builder.addExtension(Extension.basicConstraints, true, isCa ? new BasicConstraints(0) : new BasicConstraints(false));
            if (altNames != null) {
                builder.addExtension(Extension.subjectAlternativeName, false, altNames);
            }
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static BigInteger serial() {
        return BigInteger.valueOf(SERIALS.incrementAndGet());
    }

    private static Date from() {
        return Date.from(Instant.now().minus(Duration.ofMinutes(5)));
    }

    private static Date until() {
        return Date.from(Instant.now().plus(Duration.ofDays(1)));
    }
}

package dev.outpost.hub.pki;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Key pairs and CSRs as an agent makes them, for tests. */
public final class TestCsr {
    private TestCsr() {
    }

    public static KeyPair keyPair(String algorithm, Object spec) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
        if (spec instanceof Integer bits) {
            generator.initialize(bits);
        } else {
            generator.initialize(new ECGenParameterSpec((String) spec));
        }
        return generator.generateKeyPair();
    }

    public static KeyPair p256() throws Exception {
        return keyPair("EC", "secp256r1");
    }

    public static byte[] csr(KeyPair keys, String signatureAlgorithm) throws Exception {
        return new JcaPKCS10CertificationRequestBuilder(new X500Principal("CN=ignored"), keys.getPublic())
                .build(new JcaContentSignerBuilder(signatureAlgorithm).build(keys.getPrivate()))
                .getEncoded();
    }

    public static byte[] csr(KeyPair keys) throws Exception {
        return csr(keys, "SHA256withECDSA");
    }
}

package dev.outpost.agent.identity;

import java.security.KeyPair;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** The signing request over the agent's own key (made on the agent with EcKeys, never sent). */
public final class AgentKeys {
    private AgentKeys() {
    }

    /** A DER PKCS#10 request over the key; the subject is a placeholder, since the hub decides the identity. */
    public static byte[] csr(KeyPair keys) {
        try {
            return new JcaPKCS10CertificationRequestBuilder(new X500Principal("CN=outpost-agent"), keys.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()))
                    .getEncoded();
        } catch (OperatorCreationException | java.io.IOException e) {
            throw new IllegalStateException("cannot build the certificate signing request", e);
        }
    }
}

package dev.outpost.hub.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;

class AgentCsrTest {

    @Test
    void acceptsAnEcP256RequestAndReturnsItsKey() throws Exception {
        KeyPair keys = TestCsr.p256();
        assertThat(AgentCsr.validatedPublicKey(TestCsr.csr(keys))).isEqualTo(keys.getPublic());
    }

    @Test
    void refusesOtherKeyTypesAndCurves() throws Exception {
        byte[] rsa = TestCsr.csr(TestCsr.keyPair("RSA", 2048), "SHA256withRSA");
        byte[] p384 = TestCsr.csr(TestCsr.keyPair("EC", "secp384r1"), "SHA384withECDSA");
        assertThatThrownBy(() -> AgentCsr.validatedPublicKey(rsa)).hasMessage("CSR key must be EC P-256");
        assertThatThrownBy(() -> AgentCsr.validatedPublicKey(p384)).hasMessage("CSR key must be EC P-256");
    }

    @Test
    void refusesATamperedSignature() throws Exception {
        byte[] der = TestCsr.csr(TestCsr.p256());
        der[der.length - 5] ^= 0x01;
        assertThatThrownBy(() -> AgentCsr.validatedPublicKey(der))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("CSR");
    }

    @Test
    void refusesARequestSignedByAnotherKeyThanTheOneItCarries() throws Exception {
        KeyPair carried = TestCsr.p256();
        KeyPair signer = TestCsr.p256();
        byte[] der = new JcaPKCS10CertificationRequestBuilder(new X500Principal("CN=agent"), carried.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())).getEncoded();
        assertThatThrownBy(() -> AgentCsr.validatedPublicKey(der)).hasMessage("CSR signature does not verify");
    }

    @Test
    void refusesASignatureWithAFlippedBitInItsLastByte() throws Exception {
        byte[] der = TestCsr.csr(TestCsr.p256());
        der[der.length - 1] ^= 0x01; // the last byte of the signature's s value: still DER, no longer valid
        assertThatThrownBy(() -> AgentCsr.validatedPublicKey(der)).hasMessage("CSR signature does not verify");
    }

    @Test
    void refusesEmptyAndGarbageInput() {
        assertThatThrownBy(() -> AgentCsr.validatedPublicKey(new byte[0])).hasMessage("CSR is empty");
        assertThatThrownBy(() -> AgentCsr.validatedPublicKey(new byte[] {1, 2, 3}))
                .hasMessage("CSR is not a DER-encoded PKCS#10 request");
    }
}

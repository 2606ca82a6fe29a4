package dev.outpost.hub.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.Test;

class SubjectAltNamesTest {

    @Test
    void tellsIpLiteralsFromHostNames() {
        assertThat(SubjectAltNames.isIpLiteral("10.0.0.1")).isTrue();
        assertThat(SubjectAltNames.isIpLiteral("::1")).isTrue();
        assertThat(SubjectAltNames.isIpLiteral("[fd00::1]")).isTrue();
        assertThat(SubjectAltNames.isIpLiteral("300.0.0.1")).isFalse();
        assertThat(SubjectAltNames.isIpLiteral("hub.example.com")).isFalse();
        assertThat(SubjectAltNames.isIpLiteral("1.2.3")).isFalse();
    }

    @Test
    void makesDnsAndIpNamesWithoutDuplicates() {
        GeneralName[] names = SubjectAltNames.forHosts(List.of("Hub.Example.com", "127.0.0.1", "hub.example.com ", "::1"))
                .getNames();
        assertThat(names).extracting(GeneralName::getTagNo)
                .containsExactly(GeneralName.dNSName, GeneralName.iPAddress, GeneralName.iPAddress);
        assertThat(names[0].getName().toString()).isEqualTo("hub.example.com");
    }

    @Test
    void refusesNamesThatAreNeither() {
        assertThatThrownBy(() -> SubjectAltNames.forHosts(List.of("hub_example!")))
                .hasMessageContaining("'hub_example!' is neither a DNS name nor an IP address");
        assertThatThrownBy(() -> SubjectAltNames.forHosts(List.of())).hasMessageContaining("is empty");
    }
}

package dev.outpost.agent.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.agent.config.AgentCommandLine;
import dev.outpost.agent.config.UsageException;
import java.net.Authenticator;
import java.net.PasswordAuthentication;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProxyCredentialsTest {

    @AfterEach
    void noAuthenticator() {
        Authenticator.setDefault(null);
    }

    @Test
    void theyAnswerTheProxyOnlyAndNeverShowThePassword() throws Exception {
        ProxyCredentials credentials = ProxyCredentials.of("agent", "s3cret").orElseThrow();
        credentials.installAsDefault();

        PasswordAuthentication proxy = Authenticator.requestPasswordAuthentication("proxy.corp.example", null, 3128,
                "https", "", null, null, Authenticator.RequestorType.PROXY);
        assertThat(proxy.getUserName()).isEqualTo("agent");
        assertThat(proxy.getPassword()).containsExactly('s', '3', 'c', 'r', 'e', 't');
        assertThat(Authenticator.requestPasswordAuthentication("hub.example", null, 443, "https", "", null, null,
                Authenticator.RequestorType.SERVER)).as("servers get nothing").isNull();
        assertThat(credentials).hasToString("proxy user agent (password given)");
    }

    @Test
    void bothOrNeitherComeFromTheEnvironmentAndTheConfigHidesThePassword() throws Exception {
        assertThat(ProxyCredentials.of(null, "")).isEmpty();
        assertThatThrownBy(() -> ProxyCredentials.of("agent", null))
                .hasMessage("proxy credentials need both OUTPOST_PROXY_USERNAME and OUTPOST_PROXY_PASSWORD (only the "
                        + "username is set)");
        assertThatThrownBy(() -> ProxyCredentials.of("a:b", "x")).hasMessageContaining("must not contain ':'");

        String shown = AgentCommandLine.parse(new String[] {"--hub", "h:1"},
                Map.of("OUTPOST_PROXY_USERNAME", "agent", "OUTPOST_PROXY_PASSWORD", "s3cret")).orElseThrow().toString();
        assertThat(shown).contains("proxy user agent (password given)").doesNotContain("s3cret");
        assertThatThrownBy(() -> AgentCommandLine.parse(new String[] {"--hub", "h:1"},
                Map.of("OUTPOST_PROXY_PASSWORD", "s3cret"))).isInstanceOf(UsageException.class)
                .hasMessageNotContaining("s3cret");
    }
}

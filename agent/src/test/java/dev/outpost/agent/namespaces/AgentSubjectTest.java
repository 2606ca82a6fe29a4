package dev.outpost.agent.namespaces;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.rbac.Subject;
import org.junit.jupiter.api.Test;

/** The subject of the RoleBinding the agent makes for itself: its ServiceAccount, or the user it runs as. */
class AgentSubjectTest {

    @Test
    void aServiceAccountUsernameBecomesAServiceAccountSubject() {
        Subject subject = new AgentSubject("system:serviceaccount:outpost:outpost-agent").toSubject();

        assertThat(subject.getKind()).isEqualTo("ServiceAccount");
        assertThat(subject.getNamespace()).isEqualTo("outpost");
        assertThat(subject.getName()).isEqualTo("outpost-agent");
    }

    @Test
    void anyOtherUsernameIsAUser() {
        assertThat(new AgentSubject("alice@example.com").toSubject())
                .satisfies(s -> assertThat(s.getKind()).isEqualTo("User"))
                .satisfies(s -> assertThat(s.getName()).isEqualTo("alice@example.com"));
        // Not a well-formed ServiceAccount name: bound as the user it literally is, never guessed.
        assertThat(new AgentSubject("system:serviceaccount:outpost").toSubject().getKind()).isEqualTo("User");
    }
}

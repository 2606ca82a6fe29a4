package dev.outpost.charts;

import static dev.outpost.charts.Rendered.at;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart grants exactly what agent/rbac grants: the agent checks those files' permissions at start
 * (AgentPermissions, kept equal to the files by the agent's own test), so a chart that granted less
 * would make it refuse to start, and one that granted more would not be least privilege.
 */
class AgentChartRbacTest {
    private static final Path RBAC = Path.of("..", "agent", "rbac").toAbsolutePath().normalize();
    // Released as "outpost-agent", the chart's ServiceAccount has the name agent/rbac gives it.
    private static final String RELEASE = "outpost-agent";
    private static final String NAMESPACE = "outpost";

    @TempDir
    Path work;

    @Test
    void eachManagedNamespacesRoleIsNamespaceRoleYaml() throws IOException {
        Rendered file = file("namespace-role.yaml");
        Rendered chart = render(AgentValues.defaults("acme-apps", "acme-data"));

        for (Map<String, Object> role : chart.all("Role")) {
            assertThat(role.get("rules")).as("Role in %s", at(role, "metadata.namespace"))
                    .isEqualTo(file.only("Role").get("rules"));
        }
        assertThat(chart.all("Role")).hasSize(2);
        assertThat(chart.all("RoleBinding")).hasSize(2).allSatisfy(binding -> {
            assertThat(binding.get("subjects")).isEqualTo(file.only("RoleBinding").get("subjects"));
            assertThat(binding.get("roleRef")).isEqualTo(file.only("RoleBinding").get("roleRef"));
        });
    }

    @Test
    void clusterScopeGrantsTheSameRulesClusterWide() throws IOException {
        Rendered file = file("namespace-role.yaml");
        Rendered chart = render(AgentValues.clusterScope("acme-apps"));

        assertThat(chart.one("ClusterRole", "outpost-agent-workloads-outpost").get("rules"))
                .isEqualTo(file.only("Role").get("rules"));
    }

    @Test
    void clusterFactsAreClusterFactsClusterRoleYaml() throws IOException {
        Rendered file = file("cluster-facts-clusterrole.yaml");
        Rendered chart = render(AgentValues.clusterScope("acme-apps"));

        assertThat(chart.one("ClusterRole", "outpost-agent-cluster-facts-outpost").get("rules"))
                .isEqualTo(file.only("ClusterRole").get("rules"));
        assertThat(chart.one("ClusterRoleBinding", "outpost-agent-cluster-facts-outpost").get("subjects"))
                .isEqualTo(file.only("ClusterRoleBinding").get("subjects"));
    }

    @Test
    void perDeploymentIsPerDeploymentYaml() throws IOException {
        Rendered file = file("per-deployment.yaml");
        Rendered chart = render(AgentValues.perDeployment());

        assertThat(chart.one("ClusterRole", "outpost-agent-namespaces-outpost").get("rules"))
                .isEqualTo(file.one("ClusterRole", "outpost-agent-namespaces").get("rules"));
        assertThat(chart.one("ClusterRole", "outpost-agent-deployer").get("rules"))
                .isEqualTo(file.one("ClusterRole", "outpost-agent-deployer").get("rules"));
        assertThat(chart.only("ClusterRoleBinding").get("subjects")).isEqualTo(file.only("ClusterRoleBinding").get("subjects"));
        // the same policy word for word, for this release's ServiceAccount and namespace
        assertThat(chart.only("ValidatingAdmissionPolicy").get("spec")).isEqualTo(file.only("ValidatingAdmissionPolicy").get("spec"));
        assertThat(chart.only("ValidatingAdmissionPolicyBinding").get("spec"))
                .isEqualTo(file.only("ValidatingAdmissionPolicyBinding").get("spec"));
    }

    private Rendered render(String values) {
        return Charts.render(Charts.AGENT, RELEASE, NAMESPACE, values, work);
    }

    /** A file of agent/rbac with its placeholders filled in as setup.sh would. */
    private static Rendered file(String name) throws IOException {
        return Rendered.parse(Files.readString(RBAC.resolve(name), StandardCharsets.UTF_8)
                .replace("AGENT_NAMESPACE", NAMESPACE).replace("MANAGED_NAMESPACE", "acme-apps"));
    }
}

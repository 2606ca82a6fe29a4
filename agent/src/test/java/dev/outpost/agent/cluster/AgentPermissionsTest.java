package dev.outpost.agent.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The agent checks what the documented Role grants: neither may change without the other. */
class AgentPermissionsTest {

    @Test
    void theCheckedPermissionsAreExactlyTheRoleInRbacNamespaceRoleYaml() throws IOException {
        assertThat(rules("rbac/namespace-role.yaml", "Role", "outpost-agent")).containsExactlyElementsOf(AgentPermissions.NAMESPACE_RULES);
    }

    @Test
    void theDeployerRoleIsExactlyTheClusterRoleInRbacPerDeploymentYaml() throws IOException {
        assertThat(rules("rbac/per-deployment.yaml", "ClusterRole", "outpost-agent-deployer"))
                .containsExactlyElementsOf(AgentPermissions.DEPLOYER_RULES);
    }

    @Test
    void thePerDeploymentChecksAreExactlyTheClusterWideRole() throws IOException {
        List<AgentPermissions.ClusterAccess> inFile = new ArrayList<>();
        for (JsonNode rule : document("rbac/per-deployment.yaml", "ClusterRole", "outpost-agent-namespaces").path("rules")) {
            List<String> names = new ArrayList<>();
            rule.path("resourceNames").forEach(n -> names.add(n.asText()));
            for (JsonNode verb : rule.path("verbs")) {
                for (JsonNode group : rule.path("apiGroups")) {
                    for (JsonNode resource : rule.path("resources")) {
                        if (names.isEmpty()) {
                            inFile.add(new AgentPermissions.ClusterAccess(group.asText(), resource.asText(), verb.asText(), ""));
                        }
                        names.forEach(name -> inFile.add(
                                new AgentPermissions.ClusterAccess(group.asText(), resource.asText(), verb.asText(), name)));
                    }
                }
            }
        }
        assertThat(inFile).containsExactlyElementsOf(AgentPermissions.PER_DEPLOYMENT_CLUSTER_RULES);
        // Nothing that changes or removes namespaces cluster-wide, and no wildcard.
        assertThat(inFile).noneMatch(a -> a.resource().equals("namespaces")
                && List.of("update", "patch", "delete", "deletecollection", "*").contains(a.verb()));
    }

    private static List<AgentPermissions.Rule> rules(String file, String kind, String name) throws IOException {
        List<AgentPermissions.Rule> inFile = new ArrayList<>();
        for (JsonNode rule : document(file, kind, name).path("rules")) {
            List<String> verbs = new ArrayList<>();
            rule.path("verbs").forEach(v -> verbs.add(v.asText()));
            for (JsonNode group : rule.path("apiGroups")) {
                for (JsonNode resource : rule.path("resources")) {
                    inFile.add(new AgentPermissions.Rule(group.asText(), resource.asText(), verbs));
                }
            }
        }
        return inFile;
    }

    private static JsonNode document(String file, String kind, String name) throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        try (YAMLParser parser = new YAMLFactory().createParser(Path.of(file).toFile())) {
            for (JsonNode document : yaml.readValues(parser, JsonNode.class).readAll()) {
                if (document.path("kind").asText().equals(kind) && document.path("metadata").path("name").asText().equals(name)) {
                    return document;
                }
            }
        }
        throw new AssertionError("no " + kind + " " + name + " in " + file);
    }
}

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
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        List<AgentPermissions.Rule> inFile = new ArrayList<>();
        try (YAMLParser parser = new YAMLFactory().createParser(Path.of("rbac/namespace-role.yaml").toFile())) {
            for (JsonNode document : yaml.readValues(parser, JsonNode.class).readAll()) {
                if (!document.path("kind").asText().equals("Role")) {
                    continue;
                }
                for (JsonNode rule : document.path("rules")) {
                    List<String> verbs = new ArrayList<>();
                    rule.path("verbs").forEach(v -> verbs.add(v.asText()));
                    for (JsonNode group : rule.path("apiGroups")) {
                        for (JsonNode resource : rule.path("resources")) {
                            inFile.add(new AgentPermissions.Rule(group.asText(), resource.asText(), verbs));
                        }
                    }
                }
            }
        }
        assertThat(inFile).containsExactlyElementsOf(AgentPermissions.NAMESPACE_RULES);
    }
}

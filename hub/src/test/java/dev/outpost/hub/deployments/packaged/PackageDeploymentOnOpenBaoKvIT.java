package dev.outpost.hub.deployments.packaged;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.protocol.openbao.OpenBaoServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Package deployments whose generated secret values live in OpenBao's KV v2 (a real OpenBao server in
 * dev mode, KV at secret/), on H2: every package-deployment case again, with the database holding
 * only where each value is.
 */
@MicronautTest
class PackageDeploymentOnOpenBaoKvIT extends AbstractPackageDeploymentIT {
    @RegisterExtension
    static final OpenBaoServer OPENBAO = new OpenBaoServer();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    Map<String, String> databaseProperties() {
        Map<String, String> properties = new HashMap<>(OPENBAO.hubProperties());
        properties.put("outpost.secrets.openbao-kv-mount", "secret");
        return properties;
    }

    @Override
    String storedSecretPrefix() {
        return "openbao-kv:";
    }

    @Test
    void theDatabaseHoldsOnlyWhereInKvEachValueIsAndKvHoldsTheValueTheAgentIsSent() throws Exception {
        String id = createPackageDeploymentWithSecret();

        String stored = rawColumn("select secret_value from deployment_secrets where deployment_id = '" + id
                + "' and name = 'password'").getFirst();
        assertThat(stored).isEqualTo("openbao-kv:outpost-hub/deployments/" + id + "/password@1");
        JsonNode kv = JSON.readTree(OPENBAO.get("secret/data/outpost-hub/deployments/" + id + "/password").body());
        String value = kv.at("/data/data/value").asText();
        assertThat(value).isNotBlank().isEqualTo(values.value(id, "password", stored));
        assertThat(kv.at("/data/metadata/version").asInt()).isEqualTo(1);
    }
}

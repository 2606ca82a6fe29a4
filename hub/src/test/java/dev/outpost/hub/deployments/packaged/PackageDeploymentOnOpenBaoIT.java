package dev.outpost.hub.deployments.packaged;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.protocol.openbao.OpenBaoServer;
import dev.outpost.protocol.Sha256;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Package deployments with secrets sealed by a data key only OpenBao's Transit can unwrap (a real
 * OpenBao server in dev mode), on H2: every package-deployment case again, and the key at rest.
 */
@MicronautTest
class PackageDeploymentOnOpenBaoIT extends AbstractPackageDeploymentIT {
    @RegisterExtension
    static final OpenBaoServer OPENBAO = new OpenBaoServer();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    Map<String, String> databaseProperties() {
        return OPENBAO.hubProperties();
    }

    @Test
    void secretsAreSealedWithTheDataKeyThatTheDatabaseHoldsOnlyAsOpenBaosCiphertext() throws Exception {
        String wrapped = rawColumn("select wrapped from sealing_keys where name = 'openbao:transit/outpost-hub'")
                .getFirst();
        assertThat(wrapped).startsWith("vault:v1:");
        JsonNode unwrapped = JSON.readTree(OPENBAO.post("transit/decrypt/outpost-hub",
                "{\"ciphertext\":\"" + wrapped + "\"}").body());
        byte[] dataKey = Base64.getDecoder().decode(unwrapped.at("/data/plaintext").asText());
        assertThat(dataKey).hasSize(32);

        String id = createPackageDeploymentWithSecret();
        String sealed = rawColumn("select secret_value from deployment_secrets where deployment_id = '" + id + "'")
                .getFirst();
        assertThat(sealed).startsWith("sealed:");
        byte[] header = Base64.getDecoder().decode(sealed.substring("sealed:".length()));
        assertThat(HexFormat.of().formatHex(header, 4, 8)).as("sealed with the key OpenBao unwraps")
                .isEqualTo(Sha256.hex(dataKey).substring(0, 8));
    }
}

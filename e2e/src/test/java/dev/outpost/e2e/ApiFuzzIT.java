package dev.outpost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.e2e.support.HubApi;
import dev.outpost.e2e.support.HubProcess;
import dev.outpost.e2e.support.ProjectPaths;
import dev.outpost.e2e.support.TestDatabase;
import dev.outpost.protocol.fixtures.ReleaseFixture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes the REST API of a real hub process (embedded H2) from its OpenAPI document with
 * scripts/api-fuzz.sh (Schemathesis): positive and negative data for every operation, some of it
 * aimed at seeded objects. It must find no server error, no response that breaks the document and no
 * invalid request accepted. The budget is OUTPOST_FUZZ_SECONDS (default 120 s, the CI run); a long
 * run is the same test with a bigger budget (see docs/api.md).
 */
class ApiFuzzIT {
    private static final String ADMIN = "opa_" + "fz".repeat(16);
    private static final int DEFAULT_SECONDS = 120;
    /** Beyond the budget: a first run installs Schemathesis (about a minute), and the run's own wind-down. */
    private static final int INSTALL_AND_SLACK_SECONDS = 420;

    @TempDir
    Path temp;

    @Test
    void fuzzingFromTheDocumentFindsNothing() throws IOException, InterruptedException {
        int seconds = Integer.parseInt(System.getenv().getOrDefault("OUTPOST_FUZZ_SECONDS", "" + DEFAULT_SECONDS));
        try (HubProcess hub = new HubProcess(temp.resolve("hub"), TestDatabase.embeddedH2(), ADMIN)
                // the fuzzer probes input handling at full speed, and its auth checks send bad tokens
                .withEnvironment(Map.of("OUTPOST_RATE_LIMITS_ENABLED", "false")).start()) {
            Map<String, String> seeded = seed(new HubApi(hub.baseUrl(), ADMIN));
            Path output = temp.resolve("fuzz.log");
            ProcessBuilder fuzz = new ProcessBuilder(List.of(ProjectPaths.root().resolve("scripts/api-fuzz.sh").toString(),
                    hub.baseUrl()))
                    .redirectErrorStream(true).redirectOutput(output.toFile());
            fuzz.environment().putAll(seeded);
            fuzz.environment().put("OUTPOST_FUZZ_TOKEN", ADMIN);
            fuzz.environment().put("OUTPOST_FUZZ_SECONDS", Integer.toString(seconds));
            fuzz.environment().put("OUTPOST_FUZZ_REPORT_DIR", temp.resolve("report").toString());
            Process process = fuzz.start();
            boolean ended = process.waitFor(seconds + INSTALL_AND_SLACK_SECONDS, TimeUnit.SECONDS);
            if (!ended) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
            String report = Files.readString(output, StandardCharsets.UTF_8);
            System.out.println(report); // the run's summary in the test output, whatever the outcome

            assertThat(ended).as("the fuzz run ended within its budget\n" + report).isTrue();
            assertThat(process.exitValue()).as("Schemathesis found problems (exit code); its report:\n" + report)
                    .isZero();
            assertThat(hub.process().isAlive()).as("the hub survived the fuzzing\n" + hub.process().logTail()).isTrue();
        }
    }

    /** A tenant, environment, release and deployment, so that some fuzzed requests reach real objects. */
    private static Map<String, String> seed(HubApi admin) {
        String tenant = admin.post("/api/v1/tenants", Map.of("name", "fuzz-seed")).expect(201).get("id").asText();
        String environment = admin.post("/api/v1/environments", Map.of("tenantId", tenant, "name", "prod",
                "cloud", "aws", "region", "eu-west-1", "clusterName", "fuzz")).expect(201).get("id").asText();
        ReleaseFixture fixture = ReleaseFixture.redisV1();
        String release = admin.post("/api/v1/releases", Map.of("serviceName", fixture.serviceName(),
                "version", fixture.version(), "manifests", fixture.manifests(),
                "defaultParameters", fixture.defaults())).expect(201).get("id").asText();
        JsonNode accepted = admin.post("/api/v1/deployments", Map.of("environmentId", environment,
                "releaseId", release, "name", "cache", "namespace", "apps")).expect(202);
        return Map.of("OUTPOST_FUZZ_TENANT", tenant,
                "OUTPOST_FUZZ_ENVIRONMENT", environment,
                "OUTPOST_FUZZ_RELEASE", release,
                "OUTPOST_FUZZ_DEPLOYMENT", accepted.get("deployment").get("id").asText(),
                "OUTPOST_FUZZ_OPERATION", accepted.get("operation").get("id").asText());
    }
}

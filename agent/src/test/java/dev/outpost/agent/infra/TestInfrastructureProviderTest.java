package dev.outpost.agent.infra;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.protocol.v1.InfrastructureRequirement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestInfrastructureProviderTest {
    private static final InfrastructureRequirement GPU_POOL = InfrastructureRequirement.newBuilder()
            .setKind("nodePool").setName("gpu").putProperties("instanceType", "g5.xlarge").build();

    @TempDir
    Path dir;

    @Test
    void failsWithTheMessageTheFileGivesThenSucceedsOnceTheFileIsEdited() throws Exception {
        Path file = write("nodePool/gpu: \"fail: quota exceeded: 0 of 1 g5.xlarge available in eu-west-1\"\n");
        TestInfrastructureProvider provider = new TestInfrastructureProvider(file);

        assertThat(provider.ensure(GPU_POOL, Duration.ofSeconds(5)))
                .isEqualTo(InfrastructureResult.failed("quota exceeded: 0 of 1 g5.xlarge available in eu-west-1"));

        Files.writeString(file, "nodePool/gpu: succeed\n");
        assertThat(provider.ensure(GPU_POOL, Duration.ofSeconds(5)))
                .isEqualTo(InfrastructureResult.succeeded("nodePool/gpu ready"));
    }

    @Test
    void readsJsonAndTheMappingFormOfAFailure() throws Exception {
        TestInfrastructureProvider provider = new TestInfrastructureProvider(
                write("{\"nodePool/gpu\": {\"fail\": \"access denied: ec2:CreateFleet\"}}"));

        assertThat(provider.ensure(GPU_POOL, Duration.ofSeconds(5)).message()).isEqualTo("access denied: ec2:CreateFleet");
    }

    @Test
    void anItemTheFileDoesNotMentionFailsNamingTheFileUnlessThereIsADefault() throws Exception {
        Path file = write("bucket/models: succeed\n");
        TestInfrastructureProvider provider = new TestInfrastructureProvider(file);

        assertThat(provider.ensure(GPU_POOL, Duration.ofSeconds(5)))
                .isEqualTo(InfrastructureResult.failed("the test infrastructure file " + file + " says nothing about nodePool/gpu"));

        Files.writeString(file, "\"*\": succeed\n");
        assertThat(provider.ensure(GPU_POOL, Duration.ofSeconds(5)).ok()).isTrue();
    }

    @Test
    void aDelayLongerThanTheTimeoutFailsAfterTheTimeout() throws Exception {
        TestInfrastructureProvider provider = new TestInfrastructureProvider(write("nodePool/gpu: succeed after 30 seconds\n"));

        InfrastructureResult result = provider.ensure(GPU_POOL, Duration.ofSeconds(1));

        assertThat(result).isEqualTo(InfrastructureResult.failed(
                "nodePool/gpu not ready after 1 s (the test provider takes 30 s)"));
    }

    @Test
    void succeedsAfterTheDelayItIsGiven() throws Exception {
        TestInfrastructureProvider provider = new TestInfrastructureProvider(write("nodePool/gpu: succeed after 1 second\n"));

        assertThat(provider.ensure(GPU_POOL, Duration.ofSeconds(10)))
                .isEqualTo(InfrastructureResult.succeeded("nodePool/gpu ready after 1 s"));
    }

    @Test
    void aBrokenOrMissingFileFailsTheStepWithTheReason() throws Exception {
        Path file = write("nodePool/gpu: explode\n");
        TestInfrastructureProvider provider = new TestInfrastructureProvider(file);

        assertThat(provider.ensure(GPU_POOL, Duration.ofSeconds(5)).message()).isEqualTo("the test infrastructure file "
                + file + ", nodePool/gpu: 'explode' is none of: succeed, succeed after N seconds, fail: MESSAGE");

        Files.delete(file);
        assertThat(provider.ensure(GPU_POOL, Duration.ofSeconds(5)).message())
                .startsWith("the test infrastructure file " + file + " cannot be read");
    }

    @Test
    void removingSucceedsUnlessTheFileSaysOtherwise() throws Exception {
        Path file = write("nodePool/gpu: succeed\n");
        TestInfrastructureProvider provider = new TestInfrastructureProvider(file);
        assertThat(provider.remove("nodePool", "gpu", Duration.ofSeconds(5)))
                .isEqualTo(InfrastructureResult.succeeded("nodePool/gpu removed"));

        Files.writeString(file, "remove nodePool/gpu: \"fail: the pool still runs 3 nodes\"\n");
        assertThat(provider.remove("nodePool", "gpu", Duration.ofSeconds(5)))
                .isEqualTo(InfrastructureResult.failed("the pool still runs 3 nodes"));
    }

    @Test
    void withoutAProviderAnInfrastructureStepFailsSayingHowToConfigureOne() {
        assertThat(new NoInfrastructureProvider().ensure(GPU_POOL, Duration.ofSeconds(5)).message())
                .isEqualTo("this agent has no infrastructure provider configured (start it with "
                        + "--infrastructure-provider), so it cannot make nodePool `gpu` exist");
    }

    private Path write(String text) throws IOException {
        Path file = dir.resolve("infrastructure.yaml");
        Files.writeString(file, text);
        return file;
    }
}

package dev.outpost.agent.infra;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.protocol.v1.InfrastructureRequirement;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TimeBoundProviderTest {
    private static final InfrastructureRequirement GPU = InfrastructureRequirement.newBuilder()
            .setKind("nodePool").setName("gpu").build();

    /** A fake provider that never answers until interrupted, and says when it was. */
    private static final class FakeHungProvider implements InfrastructureProvider {
        final CountDownLatch interrupted = new CountDownLatch(1);

        @Override
        public InfrastructureResult ensure(InfrastructureRequirement requirement, Duration timeout) throws InterruptedException {
            return hang();
        }

        @Override
        public InfrastructureResult remove(String kind, String name, Duration timeout) throws InterruptedException {
            return hang();
        }

        private InfrastructureResult hang() throws InterruptedException {
            try {
                new CountDownLatch(1).await();
                return InfrastructureResult.succeeded("never");
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
            }
        }
    }

    @Test
    void aProviderThatIgnoresItsTimeoutIsGivenUpAndInterrupted() throws Exception {
        FakeHungProvider hung = new FakeHungProvider();

        InfrastructureResult result = new TimeBoundProvider(hung, Duration.ofMillis(100)).ensure(GPU, Duration.ofSeconds(1));

        assertThat(result).isEqualTo(InfrastructureResult.failed(
                "nodePool `gpu`: the infrastructure provider did not answer within 1 s"));
        assertThat(hung.interrupted.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void answersAndFailuresOfTheProviderPassThrough() throws Exception {
        InfrastructureProvider throwing = new InfrastructureProvider() {
            @Override
            public InfrastructureResult ensure(InfrastructureRequirement requirement, Duration timeout) {
                throw new IllegalStateException("cloud API answered 500");
            }

            @Override
            public InfrastructureResult remove(String kind, String name, Duration timeout) {
                return InfrastructureResult.succeeded("gone");
            }
        };
        TimeBoundProvider bounded = new TimeBoundProvider(throwing);

        assertThat(bounded.ensure(GPU, Duration.ofSeconds(5))).isEqualTo(InfrastructureResult.failed(
                "nodePool `gpu`: the infrastructure provider failed: cloud API answered 500"));
        assertThat(bounded.remove("nodePool", "gpu", Duration.ofSeconds(5))).isEqualTo(InfrastructureResult.succeeded("gone"));
    }
}

package dev.outpost.agent.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InfrastructureLocksTest {
    private final InfrastructureLocks locks = new InfrastructureLocks();

    @Test
    void aSecondDeploymentWaitsForTheItemAndGivesUpNamingWhoHoldsIt() throws Exception {
        try (InfrastructureLocks.Held held = locks.acquire("nodePool", "gpu", "deployment d-1", Duration.ofSeconds(1))) {
            CompletableFuture<Throwable> second = CompletableFuture.supplyAsync(() -> {
                try (InfrastructureLocks.Held other = locks.acquire("nodePool", "gpu", "deployment d-2", Duration.ofMillis(200))) {
                    return null;
                } catch (Exception e) {
                    return e;
                }
            });
            assertThat(second.get(10, TimeUnit.SECONDS)).isInstanceOf(InfrastructureLocks.LockTimeoutException.class)
                    .hasMessage("nodePool `gpu` is being changed by deployment d-1; still busy after 0 s");
        }
    }

    @Test
    void theWaitingDeploymentGetsTheItemOnceItIsReleased() throws Exception {
        CountDownLatch waiting = new CountDownLatch(1);
        CompletableFuture<Boolean> second;
        try (InfrastructureLocks.Held held = locks.acquire("nodePool", "gpu", "deployment d-1", Duration.ofSeconds(1))) {
            second = CompletableFuture.supplyAsync(() -> {
                waiting.countDown();
                try (InfrastructureLocks.Held other = locks.acquire("nodePool", "gpu", "deployment d-2", Duration.ofSeconds(30))) {
                    return true;
                } catch (Exception e) {
                    return false;
                }
            });
            assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(second.get(30, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void differentItemsDoNotWaitForEachOther() throws Exception {
        try (InfrastructureLocks.Held gpu = locks.acquire("nodePool", "gpu", "deployment d-1", Duration.ofSeconds(1));
             InfrastructureLocks.Held cpu = locks.acquire("nodePool", "cpu", "deployment d-2", Duration.ofMillis(1));
             InfrastructureLocks.Held bucket = locks.acquire("bucket", "gpu", "deployment d-3", Duration.ofMillis(1))) {
            assertThat(cpu).isNotNull();
        }
        assertThatThrownBy(() -> {
            try (InfrastructureLocks.Held held = locks.acquire("nodePool", "gpu", "deployment d-1", Duration.ofSeconds(1))) {
                locks.acquire("nodePool", "gpu", "deployment d-1", Duration.ofMillis(1));
            }
        }).isInstanceOf(InfrastructureLocks.LockTimeoutException.class);
    }
}

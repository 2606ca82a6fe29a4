package dev.outpost.hub.deployments.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.hub.config.HubConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LifecycleSettingsTest {

    @Test
    void theDefaultsKeepTenRevisionsAndWaitTwoMinutesPastACommandsOwnTimeout() {
        HubConfig config = new HubConfig();

        assertThat(config.getDeploymentRevisionsKept()).isEqualTo(10);
        assertThat(config.getOperationResultMargin()).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.getOperationSweepInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.problems()).isEmpty();
    }

    @Test
    void settingsThatCannotWorkAreNamed() {
        HubConfig config = new HubConfig();
        config.setDeploymentRevisionsKept(0);
        config.setOperationResultMargin(Duration.ZERO);
        config.setOperationSweepInterval(Duration.ofSeconds(-1));

        assertThat(config.problems()).anySatisfy(p -> assertThat(p).startsWith("outpost.deployment-revisions-kept (0)"))
                .anySatisfy(p -> assertThat(p).startsWith("outpost.operation-result-margin"))
                .anySatisfy(p -> assertThat(p).startsWith("outpost.operation-sweep-interval"));
        config.setDeploymentRevisionsKept(1001);
        assertThat(config.problems()).anySatisfy(p -> assertThat(p)
                .isEqualTo("outpost.deployment-revisions-kept (1001) must be 1 to 1000"));
    }
}

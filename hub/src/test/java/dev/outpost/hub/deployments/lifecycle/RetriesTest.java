package dev.outpost.hub.deployments.lifecycle;

import static dev.outpost.hub.deployments.lifecycle.Fixtures.deployment;
import static dev.outpost.hub.deployments.lifecycle.Fixtures.operation;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.outpost.hub.deployments.Deployment;
import dev.outpost.hub.deployments.Operation;
import dev.outpost.protocol.v1.ApplyDeployment;
import dev.outpost.protocol.v1.Command;
import dev.outpost.protocol.v1.DeploymentPlan;
import dev.outpost.protocol.v1.PlanStep;
import dev.outpost.protocol.v1.RenderedObjects;
import org.junit.jupiter.api.Test;

class RetriesTest {

    @Test
    void theLatestFailedOperationOfALiveIdleDeploymentMayBeRetried() {
        assertThat(Retries.refusal(deployment(Deployment.Status.FAILED, null),
                operation(Operation.Type.UPDATE, Operation.Status.FAILED, 2), 2)).isEmpty();
    }

    @Test
    void onlyAFailedOperationMayBeRetried() {
        assertThat(Retries.refusal(deployment(Deployment.Status.READY, null),
                operation(Operation.Type.UPDATE, Operation.Status.SUCCEEDED, 2), 2))
                .contains("operation op_1 is succeeded; only a failed operation can be retried");
    }

    @Test
    void anOlderFailedOperationMayNotBeRetried() {
        assertThat(Retries.refusal(deployment(Deployment.Status.READY, null),
                operation(Operation.Type.UPDATE, Operation.Status.FAILED, 2), 3))
                .contains("operation op_1 is not the latest operation of deployment dep_1 (a later change was made "
                        + "since); retry that one, or make a new change");
    }

    @Test
    void aDeletedOrBusyDeploymentRefusesRetries() {
        Operation failed = operation(Operation.Type.UPDATE, Operation.Status.FAILED, 2);
        assertThat(Retries.refusal(deployment(Deployment.Status.DELETED, null), failed, 2))
                .contains("deployment dep_1 is deleted");
        assertThat(Retries.refusal(deployment(Deployment.Status.PENDING, "op_2"), failed, 3))
                .contains("deployment dep_1 has operation op_2 pending or running; wait until it finishes");
    }

    @Test
    void aRetrySendsTheSamePlanUnderANewIdAndGeneration() {
        Command failed = Command.newBuilder().setCommandId("cmd_1").setDeploymentId("dep_1").setGeneration(2)
                .setApply(ApplyDeployment.newBuilder().setNamespace("apps").putParameters("replicas", "2")
                        .setPlan(DeploymentPlan.newBuilder().addSteps(PlanStep.newBuilder().setName("redis")
                                .setInputHash("sha256:11").setObjects(RenderedObjects.newBuilder()
                                        .setYamlGzip(ByteString.copyFromUtf8("gz")).setYamlBytes(2)))))
                .build();

        Command again = Retries.again(failed, "cmd_2", 3);

        assertThat(again.getCommandId()).isEqualTo("cmd_2");
        assertThat(again.getGeneration()).isEqualTo(3);
        assertThat(again.getApply()).isEqualTo(failed.getApply()); // same release, parameters, plan and input hashes
    }
}

package dev.outpost.hub.deployments.lifecycle;

import static dev.outpost.hub.deployments.lifecycle.Fixtures.operation;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.hub.deployments.Deployment;
import dev.outpost.hub.deployments.Operation;
import dev.outpost.protocol.FieldLimits;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class OperationLifecycleTest {

    @Test
    void progressMakesAPendingOrRunningOperationRunning() {
        assertThat(OperationLifecycle.next(Operation.Status.PENDING, OperationEvent.PROGRESS))
                .isEqualTo(Operation.Status.RUNNING);
        assertThat(OperationLifecycle.next(Operation.Status.RUNNING, OperationEvent.PROGRESS))
                .isEqualTo(Operation.Status.RUNNING);
    }

    @Test
    void aResultEndsAnOperationWhetherOrNotProgressCameFirst() {
        for (Operation.Status from : new Operation.Status[] {Operation.Status.PENDING, Operation.Status.RUNNING}) {
            assertThat(OperationLifecycle.next(from, OperationEvent.SUCCEEDED)).isEqualTo(Operation.Status.SUCCEEDED);
            assertThat(OperationLifecycle.next(from, OperationEvent.FAILED)).isEqualTo(Operation.Status.FAILED);
            assertThat(OperationLifecycle.next(from, OperationEvent.CANCELLED)).isEqualTo(Operation.Status.FAILED);
            assertThat(OperationLifecycle.next(from, OperationEvent.TIMED_OUT)).isEqualTo(Operation.Status.FAILED);
            assertThat(OperationLifecycle.next(from, OperationEvent.REFUSED)).isEqualTo(Operation.Status.FAILED);
        }
    }

    @ParameterizedTest
    @EnumSource(OperationEvent.class)
    void nothingMovesAFinishedOperation(OperationEvent event) {
        for (Operation.Status from : new Operation.Status[] {Operation.Status.SUCCEEDED, Operation.Status.FAILED}) {
            assertThatThrownBy(() -> OperationLifecycle.next(from, event))
                    .isInstanceOf(IllegalTransitionException.class)
                    .hasMessage("an operation that is " + from.json() + " cannot take " + event.describe());
        }
    }

    @Test
    void aFinishedOperationCannotBeEndedAgain() {
        Operation done = operation(Operation.Type.UPDATE, Operation.Status.SUCCEEDED);
        assertThatThrownBy(() -> OperationLifecycle.succeeded(done)).isInstanceOf(IllegalTransitionException.class);
        assertThatThrownBy(() -> OperationLifecycle.failed(done, "x", null)).isInstanceOf(IllegalTransitionException.class);
        assertThatThrownBy(() -> OperationLifecycle.cancelled(done, "cancelled by admin"))
                .isInstanceOf(IllegalTransitionException.class);
        assertThatThrownBy(() -> OperationLifecycle.timedOut(done, "timed out")).isInstanceOf(IllegalTransitionException.class);
        assertThatThrownBy(() -> OperationLifecycle.refused(done, "x")).isInstanceOf(IllegalTransitionException.class);
    }

    @Test
    void aDeploymentIsPendingOrDeletingWhileItsOperationWaits() {
        assertThat(OperationLifecycle.statusOnStart(Operation.Type.CREATE)).isEqualTo(Deployment.Status.PENDING);
        assertThat(OperationLifecycle.statusOnStart(Operation.Type.UPDATE)).isEqualTo(Deployment.Status.PENDING);
        assertThat(OperationLifecycle.statusOnStart(Operation.Type.DELETE)).isEqualTo(Deployment.Status.DELETING);
    }

    @Test
    void aDeploymentProgressesWhileAnApplyRunsAndStaysDeletingWhileADeleteRuns() {
        assertThat(OperationLifecycle.statusWhileRunning(Operation.Type.CREATE)).contains(Deployment.Status.PROGRESSING);
        assertThat(OperationLifecycle.statusWhileRunning(Operation.Type.UPDATE)).contains(Deployment.Status.PROGRESSING);
        assertThat(OperationLifecycle.statusWhileRunning(Operation.Type.DELETE)).isEqualTo(Optional.empty());
    }

    @Test
    void aSuccessfulApplyMakesTheDeploymentReadyAndRecordsARevision() {
        OperationLifecycle.Ending ending = OperationLifecycle.succeeded(operation(Operation.Type.UPDATE,
                Operation.Status.RUNNING));

        assertThat(ending).isEqualTo(new OperationLifecycle.Ending(Operation.Status.SUCCEEDED, null, null,
                Deployment.Status.READY, null, true));
        assertThat(ending.recordsRevision()).isTrue();
    }

    @Test
    void aSuccessfulDeleteMakesTheDeploymentDeletedWithoutARevision() {
        OperationLifecycle.Ending ending = OperationLifecycle.succeeded(operation(Operation.Type.DELETE,
                Operation.Status.PENDING));

        assertThat(ending.deploymentStatus()).isEqualTo(Deployment.Status.DELETED);
        assertThat(ending.recordsRevision()).isFalse();
    }

    @Test
    void aPlainFailureKeepsTheAgentsReasonAsTheDeploymentsReason() {
        OperationLifecycle.Ending ending = OperationLifecycle.failed(operation(Operation.Type.CREATE,
                Operation.Status.RUNNING), "StatefulSet/redis: 0/1 ready after 300s", "");

        assertThat(ending).isEqualTo(new OperationLifecycle.Ending(Operation.Status.FAILED,
                "StatefulSet/redis: 0/1 ready after 300s", null, Deployment.Status.FAILED,
                "StatefulSet/redis: 0/1 ready after 300s", false));
    }

    @Test
    void aFailedPlanStepIsRecordedAndNamedInTheDeploymentsReason() {
        OperationLifecycle.Ending ending = OperationLifecycle.failed(operation(Operation.Type.CREATE,
                Operation.Status.RUNNING), "quota exceeded for instance type g5.xlarge", "gpu-pool");

        assertThat(ending.failedStep()).isEqualTo("gpu-pool");
        assertThat(ending.failureReason()).isEqualTo("quota exceeded for instance type g5.xlarge");
        assertThat(ending.statusReason()).isEqualTo("step gpu-pool failed: quota exceeded for instance type g5.xlarge");
    }

    @Test
    void aReasonThatMerelyMentionsTheStepsNameIsStillPrefixed() {
        OperationLifecycle.Ending ending = OperationLifecycle.failed(operation(Operation.Type.UPDATE,
                Operation.Status.RUNNING), "StatefulSet/redis: 0/2 ready", "redis");

        assertThat(ending.statusReason()).isEqualTo("step redis failed: StatefulSet/redis: 0/2 ready");
    }

    @Test
    void aReasonThatNamesItsStepAlreadyIsNotPrefixedAgain() {
        OperationLifecycle.Ending ending = OperationLifecycle.failed(operation(Operation.Type.UPDATE,
                Operation.Status.RUNNING), "step redis: StatefulSet/redis 0/2 ready", "redis");

        assertThat(ending.statusReason()).isEqualTo("step redis: StatefulSet/redis 0/2 ready");
    }

    @Test
    void aFailedDeleteSaysSo() {
        OperationLifecycle.Ending ending = OperationLifecycle.failed(operation(Operation.Type.DELETE,
                Operation.Status.RUNNING), "forbidden: configmaps", null);

        assertThat(ending.statusReason()).isEqualTo("delete failed: forbidden: configmaps");
        assertThat(ending.deploymentStatus()).isEqualTo(Deployment.Status.FAILED);
    }

    @Test
    void aFailureWithoutAReasonGetsOneAndLongReasonsAreCut() {
        Operation op = operation(Operation.Type.CREATE, Operation.Status.RUNNING);
        assertThat(OperationLifecycle.failed(op, " ", null).failureReason())
                .isEqualTo("the agent reported failure without a reason");

        OperationLifecycle.Ending ending = OperationLifecycle.failed(op, "x".repeat(10_000), "s".repeat(1000));
        assertThat(ending.failureReason()).hasSize(FieldLimits.FAILURE_REASON_CHARS).endsWith("x…");
        assertThat(ending.failedStep()).hasSize(FieldLimits.STEP_NAME_CHARS).endsWith("s…");
    }

    @Test
    void aCancelOrTimeoutFailsTheOperationAndSaysTheClusterMayBePartlyChanged() {
        Operation update = operation(Operation.Type.UPDATE, Operation.Status.RUNNING);
        OperationLifecycle.Ending cancelled = OperationLifecycle.cancelled(update, "cancelled by admin token t1");
        assertThat(cancelled.status()).isEqualTo(Operation.Status.FAILED);
        assertThat(cancelled.failureReason()).isEqualTo("cancelled by admin token t1");
        assertThat(cancelled.statusReason()).isEqualTo("update operation op_1 cancelled by admin token t1: the cluster "
                + "may be partly applied; the next change applies the whole release again");

        OperationLifecycle.Ending timedOut = OperationLifecycle.timedOut(operation(Operation.Type.DELETE,
                Operation.Status.PENDING), "timed out: no result");
        assertThat(timedOut.deploymentStatus()).isEqualTo(Deployment.Status.FAILED);
        assertThat(timedOut.statusReason()).isEqualTo("delete operation op_1 timed out: no result: the cluster may be "
                + "partly deleted; the next change applies the whole release again");
    }

    @Test
    void aRefusedResultFailsWithTheHubsReasonAndAppliesNothing() {
        OperationLifecycle.Ending ending = OperationLifecycle.refused(operation(Operation.Type.CREATE,
                Operation.Status.RUNNING), "applied.generation 7 is not the command's generation 2");

        assertThat(ending.failureReason()).isEqualTo("the agent's result does not match the command: "
                + "applied.generation 7 is not the command's generation 2");
        assertThat(ending.statusReason()).isEqualTo(ending.failureReason());
        assertThat(ending.applied()).isFalse();
    }
}

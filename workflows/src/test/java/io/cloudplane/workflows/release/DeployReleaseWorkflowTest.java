package io.cloudplane.workflows.release;

import io.cloudplane.workflows.Histories;
import io.cloudplane.workflows.WorkflowTestSupport;
import io.cloudplane.workflows.backup.BackupWorkflowImpl;
import io.cloudplane.workflows.backup.DumpResult;
import io.cloudplane.workflows.backup.FilesResult;
import io.cloudplane.workflows.backup.VerifyResult;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.cloudplane.workflows.operation.OperationStatus;
import io.cloudplane.workflows.operation.OperationStep;
import io.cloudplane.workflows.operation.StepStatus;
import io.cloudplane.workflows.common.WorkflowIds;
import io.temporal.api.enums.v1.EventType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mockito.ArgumentCaptor;
import org.mockito.InOrder;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/**
 * A deployment as a runbook: safety backup, artifact checked before anything is touched, swap,
 * health; after the swap any failure puts the previous code back (and the data when the new server
 * ran) and the deployment is FAILED — never a success.
 */
class DeployReleaseWorkflowTest {
    private static final String ID = "d1";
    private static final String ENV = "e1";
    private static final String SAFE = "safe1";
    private static final int HEALTH_TIMEOUT = 75;
    private static final String UNHEALTHY = "the server did not answer /health within 75 s";

    private final WorkflowTestSupport mocks = new WorkflowTestSupport();

    @RegisterExtension
    final TestWorkflowExtension temporal = TestWorkflowExtension.newBuilder()
            .registerWorkflowImplementationTypes(DeployReleaseWorkflowImpl.class, BackupWorkflowImpl.class)
            .setActivityImplementations(mocks.all())
            .setInitialTime(Instant.parse("2027-03-01T10:00:00Z"))
            .build();

    private DeployReleaseWorkflow stub(WorkflowClient client, Worker worker, DeployPlan plan) {
        when(mocks.deployments.begin(ID)).thenReturn(plan);
        when(mocks.backups.dumpDatabase(SAFE)).thenReturn(new DumpResult(1, "a", "PostgreSQL 15", Map.of()));
        when(mocks.backups.archiveFiles(SAFE)).thenReturn(new FilesResult(1, "b", 0));
        when(mocks.backups.verify(SAFE)).thenReturn(new VerifyResult(true, "ok"));
        when(mocks.runtime.startServer(ENV)).thenReturn("http://127.0.0.1:40001");
        return client.newWorkflowStub(DeployReleaseWorkflow.class, WorkflowOptions.newBuilder()
                .setWorkflowId(WorkflowIds.deploy(ID)).setTaskQueue(worker.getTaskQueue()).build());
    }

    private static DeployRequest request() {
        return new DeployRequest(ID, "a1", ENV, "r1", HEALTH_TIMEOUT);
    }

    private void healthCheckFails() {
        doThrow(ApplicationFailure.newNonRetryableFailure(UNHEALTHY, "Unhealthy"))
                .when(mocks.runtime).awaitHealthyWithin(ENV, HEALTH_TIMEOUT);
    }

    private static String lastEventType(WorkflowClient client, String workflowId) {
        return client.fetchHistory(workflowId).getLastEvent().getEventType().name();
    }

    /** The deployment failed as a whole: its own failure, with the reason, and the deployment row told so. */
    private void assertFailedWith(WorkflowFailedException failed, String reason) {
        ApplicationFailure cause = assertInstanceOf(ApplicationFailure.class, failed.getCause());
        assertEquals("DeployFailed", cause.getType());
        assertTrue(cause.getOriginalMessage().contains(reason), cause.getOriginalMessage());
        verify(mocks.deployments).finish(ID, false, reason);
        verify(mocks.deployments, never()).finish(eq(ID), eq(true), any());
        assertEquals(OperationStatus.FAILED, mocks.operations.last().status());
        assertEquals(reason, mocks.operations.last().error());
        assertTrue(mocks.operations.reports.stream().noneMatch(p -> p.status() == OperationStatus.SUCCEEDED),
                "a failed deployment is never reported as a success");
    }

    @Test
    void aDeploymentBacksUpChecksTheArtifactSwapsAndServesTheNewRelease(TestWorkflowEnvironment env, WorkflowClient client,
                                                                        Worker worker) {
        DeployResult result = stub(client, worker, new DeployPlan(SAFE, false, EnvironmentStatus.RUNNING)).deploy(request());

        assertEquals(new DeployResult(ID, "r1", true, SAFE), result);
        InOrder order = inOrder(mocks.deployments, mocks.backups, mocks.environments, mocks.runtime);
        order.verify(mocks.deployments).begin(ID);
        order.verify(mocks.backups).dumpDatabase(SAFE);
        order.verify(mocks.backups).verify(SAFE);
        order.verify(mocks.backups).complete(eq(SAFE), anyString());
        order.verify(mocks.deployments).stage(ID);
        order.verify(mocks.environments).setStatus(ENV, EnvironmentStatus.DEPLOYING, null);
        order.verify(mocks.runtime).stopServer(ENV);
        order.verify(mocks.deployments).activate(ID);
        order.verify(mocks.runtime).startServer(ENV);
        order.verify(mocks.runtime).awaitHealthyWithin(ENV, HEALTH_TIMEOUT);
        order.verify(mocks.environments).setStatus(ENV, EnvironmentStatus.RUNNING, null);
        order.verify(mocks.deployments).finish(ID, true, null);

        // The safety backup is a child backup/<id> that completed, and it applies no retention.
        assertEquals(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED.name(), lastEventType(client, "backup/" + SAFE));
        verify(mocks.backups, never()).applyRetention(anyString(), any());
        verify(mocks.deployments, never()).revertCode(anyString());
        verify(mocks.restores, never()).restoreDatabase(anyString(), anyString(), anyString());
        verify(mocks.runtime, never()).awaitHealthy(anyString());
        verify(mocks.deployments, times(1)).finish(anyString(), anyBoolean(), any());

        assertEquals(OperationStatus.SUCCEEDED, mocks.operations.last().status());
        assertEquals(ID, mocks.operations.last().operationId());
        assertEquals(List.of("begin", "safety-backup", "download-artifact", "stop-server", "swap-code", "start-server",
                "await-healthy", "record-running"), mocks.operations.lastStepNames());
        assertTrue(mocks.operations.last().steps().stream().allMatch(s -> s.status() == StepStatus.SUCCEEDED));
        Histories.saveIfAsked(client, WorkflowIds.deploy(ID), "DeployReleaseWorkflow", "succeeded.json");
    }

    @Test
    void deployingTheCodeTheEnvironmentAlreadyRunsChangesNothing(TestWorkflowEnvironment env, WorkflowClient client,
                                                                 Worker worker) {
        DeployResult result = stub(client, worker, new DeployPlan(null, true, EnvironmentStatus.RUNNING)).deploy(request());

        assertEquals(new DeployResult(ID, "r1", false, null), result);
        verify(mocks.deployments).finish(ID, true, null);
        verify(mocks.deployments, never()).stage(anyString());
        verify(mocks.deployments, never()).activate(anyString());
        verify(mocks.runtime, never()).stopServer(anyString());
        verify(mocks.runtime, never()).startServer(anyString());
        verify(mocks.environments, never()).setStatus(anyString(), any(), any());
        verify(mocks.backups, never()).dumpDatabase(anyString());
        assertEquals(OperationStatus.SUCCEEDED, mocks.operations.last().status());
        OperationStep skipped = mocks.operations.lastStep("deploy");
        assertEquals(StepStatus.SKIPPED, skipped.status());
    }

    @Test
    void anUnhealthyNewServerPutsTheCodeAndTheDataBackAndServesThePreviousRelease(TestWorkflowEnvironment env,
                                                                                  WorkflowClient client, Worker worker) {
        DeployReleaseWorkflow deploy = stub(client, worker, new DeployPlan(SAFE, false, EnvironmentStatus.RUNNING));
        healthCheckFails();

        WorkflowFailedException failed = assertThrows(WorkflowFailedException.class, () -> deploy.deploy(request()));

        InOrder order = inOrder(mocks.deployments, mocks.restores, mocks.environments, mocks.runtime);
        order.verify(mocks.deployments).activate(ID);
        order.verify(mocks.runtime).startServer(ENV);
        order.verify(mocks.runtime).awaitHealthyWithin(ENV, HEALTH_TIMEOUT);
        order.verify(mocks.runtime).stopServer(ENV);
        order.verify(mocks.deployments).revertCode(ID);
        order.verify(mocks.restores).restoreDatabase(ID, ENV, SAFE); // the deployment's ID is the restore's
        order.verify(mocks.restores).swapDatabase(ID, ENV);
        order.verify(mocks.restores).restoreFiles(ID, ENV, SAFE);
        order.verify(mocks.deployments).markDataRestored(ID);
        order.verify(mocks.runtime).startServer(ENV);
        order.verify(mocks.runtime).awaitHealthy(ENV);
        order.verify(mocks.restores).discardKeptAside(ID, ENV); // before the status: RUNNING is said last
        order.verify(mocks.environments).setStatus(ENV, EnvironmentStatus.RUNNING, null);
        order.verify(mocks.deployments).finish(ID, false, UNHEALTHY);

        verify(mocks.runtime, times(1)).awaitHealthyWithin(ENV, HEALTH_TIMEOUT); // a health check is not retried
        verify(mocks.restores, never()).revert(anyString(), anyString());
        verify(mocks.environments, never()).setStatus(eq(ENV), eq(EnvironmentStatus.FAILED), any());
        assertFailedWith(failed, UNHEALTHY);
        assertEquals(StepStatus.FAILED, mocks.operations.lastStep("await-healthy").status());
        assertEquals(UNHEALTHY, mocks.operations.lastStep("await-healthy").error());
        for (String step : List.of("revert-code", "restore-data", "restart-previous")) {
            assertEquals(StepStatus.SUCCEEDED, mocks.operations.lastStep(step).status(), step);
        }
        Histories.saveIfAsked(client, WorkflowIds.deploy(ID), "DeployReleaseWorkflow", "rolled-back.json");
    }

    @Test
    void aBadArtifactFailsTheDeploymentBeforeAnythingIsTouched(TestWorkflowEnvironment env, WorkflowClient client,
                                                               Worker worker) {
        DeployReleaseWorkflow deploy = stub(client, worker, new DeployPlan(SAFE, false, EnvironmentStatus.RUNNING));
        String mismatch = "the artifact's SHA-256 is 00ff, the release says abcd";
        // A plain (retryable) failure: its type alone must stop the retries.
        doThrow(ApplicationFailure.newFailure(mismatch, "DigestMismatch")).when(mocks.deployments).stage(ID);

        WorkflowFailedException failed = assertThrows(WorkflowFailedException.class, () -> deploy.deploy(request()));

        verify(mocks.deployments, times(1)).stage(ID);
        verify(mocks.runtime, never()).stopServer(anyString());
        verify(mocks.runtime, never()).startServer(anyString());
        verify(mocks.environments, never()).setStatus(anyString(), any(), any());
        verify(mocks.deployments, never()).activate(anyString());
        verify(mocks.deployments, never()).revertCode(anyString());
        verify(mocks.restores, never()).restoreDatabase(anyString(), anyString(), anyString());
        verify(mocks.deployments, never()).markDataRestored(anyString());
        assertFailedWith(failed, mismatch);
        assertEquals(StepStatus.FAILED, mocks.operations.lastStep("download-artifact").status());
    }

    @Test
    void withoutABackupServiceAFailureAfterTheStartPutsTheCodeBackButNoData(TestWorkflowEnvironment env,
                                                                            WorkflowClient client, Worker worker) {
        DeployReleaseWorkflow deploy = stub(client, worker, new DeployPlan(null, false, EnvironmentStatus.RUNNING));
        healthCheckFails();

        WorkflowFailedException failed = assertThrows(WorkflowFailedException.class, () -> deploy.deploy(request()));

        InOrder order = inOrder(mocks.deployments, mocks.environments, mocks.runtime);
        order.verify(mocks.deployments).activate(ID);
        order.verify(mocks.runtime).awaitHealthyWithin(ENV, HEALTH_TIMEOUT);
        order.verify(mocks.deployments).revertCode(ID);
        order.verify(mocks.runtime).startServer(ENV);
        order.verify(mocks.runtime).awaitHealthy(ENV);
        order.verify(mocks.environments).setStatus(ENV, EnvironmentStatus.RUNNING, null);
        order.verify(mocks.deployments).finish(ID, false, UNHEALTHY);
        verify(mocks.backups, never()).dumpDatabase(anyString()); // no safety backup was asked for
        verify(mocks.restores, never()).restoreDatabase(anyString(), anyString(), anyString());
        verify(mocks.restores, never()).swapDatabase(anyString(), anyString());
        verify(mocks.restores, never()).restoreFiles(anyString(), anyString(), anyString());
        verify(mocks.restores, never()).discardKeptAside(anyString(), anyString());
        verify(mocks.deployments, never()).markDataRestored(anyString());
        assertFailedWith(failed, UNHEALTHY);
        assertTrue(mocks.operations.last().steps().stream().noneMatch(s -> s.name().equals("restore-data")));
    }

    @ParameterizedTest
    @EnumSource(value = EnvironmentStatus.class, names = {"STOPPED", "SLEEPING"})
    void anEnvironmentThatWasNotServingIsNotStartedAgainAfterAFailedDeployment(EnvironmentStatus previous,
                                                                               TestWorkflowEnvironment env,
                                                                               WorkflowClient client, Worker worker) {
        DeployReleaseWorkflow deploy = stub(client, worker, new DeployPlan(SAFE, false, previous));
        healthCheckFails();

        WorkflowFailedException failed = assertThrows(WorkflowFailedException.class, () -> deploy.deploy(request()));

        InOrder order = inOrder(mocks.deployments, mocks.restores, mocks.environments, mocks.runtime);
        order.verify(mocks.runtime).awaitHealthyWithin(ENV, HEALTH_TIMEOUT);
        order.verify(mocks.runtime).stopServer(ENV);
        order.verify(mocks.deployments).revertCode(ID);
        order.verify(mocks.restores).restoreDatabase(ID, ENV, SAFE); // the new server ran: its data goes too
        order.verify(mocks.deployments).markDataRestored(ID);
        order.verify(mocks.environments).setStatus(ENV, previous, null);
        order.verify(mocks.deployments).finish(ID, false, UNHEALTHY);
        verify(mocks.runtime, times(1)).startServer(ENV); // the new release's start only
        verify(mocks.runtime, never()).awaitHealthy(anyString());
        verify(mocks.environments, never()).setStatus(ENV, EnvironmentStatus.RUNNING, null);
        assertFailedWith(failed, UNHEALTHY);
        assertTrue(mocks.operations.last().steps().stream().noneMatch(s -> s.name().equals("restart-previous")));
    }

    @Test
    void aPreviousReleaseThatDoesNotComeBackLeavesTheEnvironmentFailedWithBothReasons(TestWorkflowEnvironment env,
                                                                                      WorkflowClient client, Worker worker) {
        DeployReleaseWorkflow deploy = stub(client, worker, new DeployPlan(null, false, EnvironmentStatus.RUNNING));
        healthCheckFails();
        doThrow(ApplicationFailure.newNonRetryableFailure("still no answer", "InvalidInput"))
                .when(mocks.runtime).awaitHealthy(ENV);

        WorkflowFailedException failed = assertThrows(WorkflowFailedException.class, () -> deploy.deploy(request()));

        verify(mocks.deployments).revertCode(ID);
        verify(mocks.environments).setStatus(eq(ENV), eq(EnvironmentStatus.FAILED),
                org.mockito.ArgumentMatchers.argThat(why -> why.contains(UNHEALTHY) && why.contains("still no answer")));
        verify(mocks.environments, never()).setStatus(ENV, EnvironmentStatus.RUNNING, null);
        assertFailedWith(failed, UNHEALTHY);
    }

    /** Every status the deployment gave the environment, in order. */
    private List<EnvironmentStatus> statusesSet() {
        ArgumentCaptor<EnvironmentStatus> statuses = ArgumentCaptor.forClass(EnvironmentStatus.class);
        verify(mocks.environments, org.mockito.Mockito.atLeast(0)).setStatus(eq(ENV), statuses.capture(), any());
        return statuses.getAllValues();
    }

    /**
     * The status was set to DEPLOYING and the stop failed: the environment is touched, so it is put
     * back like after a failed health check (code reverted, a no-op before the swap; the server it ran
     * started again; RUNNING), never left DEPLOYING.
     */
    @Test
    void aFailedStopDoesNotLeaveTheEnvironmentDeploying(TestWorkflowEnvironment env, WorkflowClient client, Worker worker) {
        DeployReleaseWorkflow deploy = stub(client, worker, new DeployPlan(null, false, EnvironmentStatus.RUNNING));
        String refused = "the runtime refused to stop the server";
        doThrow(ApplicationFailure.newNonRetryableFailure(refused, "InvalidInput")).doNothing()
                .when(mocks.runtime).stopServer(ENV);

        WorkflowFailedException failed = assertThrows(WorkflowFailedException.class, () -> deploy.deploy(request()));

        assertFailedWith(failed, refused);
        verify(mocks.deployments, never()).activate(anyString());
        verify(mocks.restores, never()).restoreDatabase(anyString(), anyString(), anyString()); // the new server never ran
        InOrder order = inOrder(mocks.deployments, mocks.environments, mocks.runtime);
        order.verify(mocks.environments).setStatus(ENV, EnvironmentStatus.DEPLOYING, null);
        order.verify(mocks.runtime, times(2)).stopServer(ENV); // the one that failed, then the revert's
        order.verify(mocks.deployments).revertCode(ID);
        order.verify(mocks.runtime).startServer(ENV);
        order.verify(mocks.runtime).awaitHealthy(ENV);
        order.verify(mocks.environments).setStatus(ENV, EnvironmentStatus.RUNNING, null);
        order.verify(mocks.deployments).finish(ID, false, refused);
        List<EnvironmentStatus> statuses = statusesSet();
        assertEquals(List.of(EnvironmentStatus.DEPLOYING, EnvironmentStatus.RUNNING), statuses);
    }

    /**
     * When putting the data back fails, the deployment still ends FAILED (finish(false) and the
     * operation FAILED) instead of staying RUNNING for ever, and the environment is not left
     * DEPLOYING: the previous code runs against data that may have been changed, so FAILED.
     */
    @Test
    void aDataRestoreThatFailsHalfWayIsRevertedAndTheEnvironmentSaysSo(TestWorkflowEnvironment env, WorkflowClient client,
                                                                       Worker worker) {
        DeployReleaseWorkflow deploy = stub(client, worker, new DeployPlan(SAFE, false, EnvironmentStatus.RUNNING));
        healthCheckFails();
        doThrow(ApplicationFailure.newNonRetryableFailure("tar: unexpected end of file", "InvalidInput"))
                .when(mocks.restores).restoreFiles(ID, ENV, SAFE);
        env.start();

        assertThrows(WorkflowFailedException.class, () -> deploy.deploy(request()));

        InOrder order = inOrder(mocks.restores, mocks.environments, mocks.deployments);
        order.verify(mocks.restores).swapDatabase(ID, ENV);
        order.verify(mocks.restores).revert(ID, ENV);
        order.verify(mocks.environments).setStatus(eq(ENV), eq(EnvironmentStatus.FAILED), argThat(why -> why != null
                && why.contains("could not be restored from safety backup " + SAFE) && why.contains("tar: unexpected end of file")));
        order.verify(mocks.deployments).finish(ID, false, UNHEALTHY);
        verify(mocks.deployments, never()).markDataRestored(anyString());
        verify(mocks.restores, never()).discardKeptAside(anyString(), anyString());
    }

    @Test
    void aFailedRollbackStillEndsTheDeploymentFailed(TestWorkflowEnvironment env, WorkflowClient client, Worker worker) {
        DeployReleaseWorkflow deploy = stub(client, worker, new DeployPlan(SAFE, false, EnvironmentStatus.RUNNING));
        healthCheckFails();
        when(mocks.restores.restoreDatabase(ID, ENV, SAFE))
                .thenThrow(ApplicationFailure.newNonRetryableFailure("the safety backup's dump is unreadable", "InvalidInput"));

        WorkflowFailedException failed = assertThrows(WorkflowFailedException.class, () -> deploy.deploy(request()));

        verify(mocks.deployments).revertCode(ID);
        verify(mocks.deployments).finish(eq(ID), eq(false), anyString());
        verify(mocks.deployments, never()).finish(eq(ID), eq(true), any());
        assertEquals(OperationStatus.FAILED, mocks.operations.last().status());
        List<EnvironmentStatus> statuses = statusesSet();
        assertEquals(EnvironmentStatus.FAILED, statuses.get(statuses.size() - 1), "statuses set: " + statuses);
        ApplicationFailure cause = assertInstanceOf(ApplicationFailure.class, failed.getCause());
        assertEquals("DeployFailed", cause.getType());
    }
}

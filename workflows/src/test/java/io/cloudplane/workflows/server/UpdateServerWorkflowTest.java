package io.cloudplane.workflows.server;

import io.cloudplane.workflows.Histories;
import io.cloudplane.workflows.WorkflowTestSupport;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.cloudplane.workflows.operation.OperationStatus;
import io.cloudplane.workflows.operation.StepStatus;
import io.cloudplane.workflows.common.WorkflowIds;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mockito.InOrder;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoMoreInteractions;
import static org.mockito.Mockito.when;

/**
 * A server update as a runbook: begin, start the new version beside the current one, wait for its
 * health, switch. Any failure after the begin puts the previous version back, checked healthy, and
 * the update is FAILED (rolled back); when the previous version does not come back either, the
 * environment is FAILED with both reasons. The update is never reported a success when it failed.
 */
class UpdateServerWorkflowTest {
    private static final String ID = "u1";
    private static final String ENV = "e1";
    private static final String TO_VERSION = "2.0";
    private static final int HEALTH_TIMEOUT = 90;
    private static final UpdatedServer NEW_SERVER = new UpdatedServer(40002, "http://127.0.0.1:40002");
    private static final String EXITED = "the server exited with code 1";
    private static final String TIMED_OUT = "the server of version 2.0 did not answer /health within 90 s";

    private final WorkflowTestSupport mocks = new WorkflowTestSupport();

    @RegisterExtension
    final TestWorkflowExtension temporal = TestWorkflowExtension.newBuilder()
            .registerWorkflowImplementationTypes(UpdateServerWorkflowImpl.class)
            .setActivityImplementations(mocks.all())
            .setInitialTime(Instant.parse("2027-03-01T10:00:00Z"))
            .build();

    private UpdateServerWorkflow stub(WorkflowClient client, Worker worker) {
        when(mocks.serverUpdates.startUpdatedServer(ID)).thenReturn(NEW_SERVER);
        return client.newWorkflowStub(UpdateServerWorkflow.class, WorkflowOptions.newBuilder()
                .setWorkflowId(WorkflowIds.updateServer(ENV)).setTaskQueue(worker.getTaskQueue()).build());
    }

    private static UpdateServerRequest request() {
        return new UpdateServerRequest(ID, "a1", ENV, TO_VERSION, HEALTH_TIMEOUT);
    }

    private void newServerHealthFails(ApplicationFailure failure) {
        doThrow(failure).when(mocks.serverUpdates).awaitUpdatedServerHealthy(ID, HEALTH_TIMEOUT);
    }

    /** Each step of the operation's last report, as name:status. */
    private List<String> steps() {
        return mocks.operations.last().steps().stream().map(s -> s.name() + ":" + s.status()).toList();
    }

    /** The update failed as a whole: its own failure naming the reason, the row finished FAILED once, the operation FAILED. */
    private void assertFailedWith(WorkflowFailedException failed, String reason, boolean rolledBack) {
        ApplicationFailure cause = assertInstanceOf(ApplicationFailure.class, failed.getCause());
        assertEquals("UpdateFailed", cause.getType());
        assertTrue(cause.getOriginalMessage().contains(reason), cause.getOriginalMessage());
        verify(mocks.serverUpdates).finishServerUpdate(ID, false, reason, rolledBack);
        verify(mocks.serverUpdates, times(1)).finishServerUpdate(anyString(), anyBoolean(), any(), anyBoolean());
        assertEquals(OperationStatus.FAILED, mocks.operations.last().status());
        assertEquals(ID, mocks.operations.last().operationId());
        assertEquals(reason, mocks.operations.last().error());
        assertTrue(mocks.operations.reports.stream().noneMatch(p -> p.status() == OperationStatus.SUCCEEDED),
                "a failed update is never reported as a success");
    }

    /** The previous version was put back and checked, in that order, after the failure and before the finish. */
    private void assertRolledBack(String reason) {
        InOrder order = inOrder(mocks.serverUpdates, mocks.runtime);
        order.verify(mocks.serverUpdates).abandonServerUpdate(ID);
        order.verify(mocks.runtime).awaitHealthy(ENV);
        order.verify(mocks.serverUpdates).finishServerUpdate(ID, false, reason, true);
        // A rolled-back update leaves the status to finishServerUpdate (RUNNING on the previous version).
        verify(mocks.environments, never()).setStatus(anyString(), any(), any());
        assertEquals(StepStatus.SUCCEEDED, mocks.operations.lastStep("roll-back").status());
    }

    @Test
    void anUpdateStartsTheNewServerBesideTheOldOneAndSwitchesOnceItIsHealthy(TestWorkflowEnvironment env, WorkflowClient client,
                                                                            Worker worker) {
        stub(client, worker).update(request());

        InOrder order = inOrder(mocks.serverUpdates, mocks.runtime, mocks.environments);
        order.verify(mocks.serverUpdates).beginServerUpdate(ID);
        order.verify(mocks.serverUpdates).startUpdatedServer(ID);
        order.verify(mocks.serverUpdates).awaitUpdatedServerHealthy(ID, HEALTH_TIMEOUT);
        order.verify(mocks.serverUpdates).switchToUpdatedServer(ID, NEW_SERVER); // where start said the new server serves
        order.verify(mocks.serverUpdates).finishServerUpdate(ID, true, null, false);
        verifyNoMoreInteractions(mocks.serverUpdates); // no abandon
        verify(mocks.runtime, never()).awaitHealthy(anyString());
        verify(mocks.environments, never()).setStatus(anyString(), any(), any());

        assertEquals(OperationStatus.RUNNING, mocks.operations.reports.get(0).status());
        assertEquals(OperationStatus.SUCCEEDED, mocks.operations.last().status());
        assertEquals(ID, mocks.operations.last().operationId());
        assertEquals(WorkflowIds.updateServer(ENV), mocks.operations.last().workflowId());
        assertEquals(List.of("begin:SUCCEEDED", "start-new-server:SUCCEEDED", "await-new-server-healthy:SUCCEEDED",
                "switch-to-new-server:SUCCEEDED"), steps());
        assertNull(mocks.operations.last().error());
        Histories.saveIfAsked(client, WorkflowIds.updateServer(ENV), "UpdateServerWorkflow", "succeeded.json");
    }

    @Test
    void aNewServerThatExitsIsAbandonedAndThePreviousVersionServesAgain(TestWorkflowEnvironment env, WorkflowClient client,
                                                                       Worker worker) {
        UpdateServerWorkflow update = stub(client, worker);
        newServerHealthFails(ApplicationFailure.newNonRetryableFailure(EXITED, "ServerExited"));

        WorkflowFailedException failed = assertThrows(WorkflowFailedException.class, () -> update.update(request()));

        InOrder order = inOrder(mocks.serverUpdates, mocks.runtime);
        order.verify(mocks.serverUpdates).beginServerUpdate(ID);
        order.verify(mocks.serverUpdates).startUpdatedServer(ID);
        order.verify(mocks.serverUpdates).awaitUpdatedServerHealthy(ID, HEALTH_TIMEOUT);
        order.verify(mocks.serverUpdates).abandonServerUpdate(ID);
        order.verify(mocks.runtime).awaitHealthy(ENV);
        order.verify(mocks.serverUpdates).finishServerUpdate(ID, false, EXITED, true);
        verify(mocks.serverUpdates, times(1)).awaitUpdatedServerHealthy(anyString(), anyInt());
        verify(mocks.serverUpdates, never()).switchToUpdatedServer(anyString(), any());
        verify(mocks.environments, never()).setStatus(eq(ENV), eq(EnvironmentStatus.FAILED), any());
        assertRolledBack(EXITED);
        assertFailedWith(failed, EXITED, true);
        assertEquals(List.of("begin:SUCCEEDED", "start-new-server:SUCCEEDED", "await-new-server-healthy:FAILED",
                "roll-back:SUCCEEDED"), steps());
        assertEquals(EXITED, mocks.operations.lastStep("await-new-server-healthy").error());
        Histories.saveIfAsked(client, WorkflowIds.updateServer(ENV), "UpdateServerWorkflow", "rolled-back.json");
    }

    /** "Unhealthy" is a retryable type, but the health wait has one attempt: its time limit is the request's. */
    @Test
    void aNewServerThatIsNotHealthyInTimeIsNotWaitedForAgainAndIsRolledBack(TestWorkflowEnvironment env, WorkflowClient client,
                                                                            Worker worker) {
        UpdateServerWorkflow update = stub(client, worker);
        newServerHealthFails(ApplicationFailure.newFailure(TIMED_OUT, "Unhealthy"));

        WorkflowFailedException failed = assertThrows(WorkflowFailedException.class, () -> update.update(request()));

        verify(mocks.serverUpdates, times(1)).awaitUpdatedServerHealthy(ID, HEALTH_TIMEOUT);
        verify(mocks.serverUpdates, never()).switchToUpdatedServer(anyString(), any());
        assertRolledBack(TIMED_OUT);
        assertFailedWith(failed, TIMED_OUT, true);
        assertEquals(List.of("begin:SUCCEEDED", "start-new-server:SUCCEEDED", "await-new-server-healthy:FAILED",
                "roll-back:SUCCEEDED"), steps());
    }

    @Test
    void aPreviousVersionThatCannotBePutBackLeavesTheEnvironmentFailedWithBothReasons(TestWorkflowEnvironment env,
                                                                                      WorkflowClient client, Worker worker) {
        UpdateServerWorkflow update = stub(client, worker);
        newServerHealthFails(ApplicationFailure.newNonRetryableFailure(EXITED, "ServerExited"));
        String noPrevious = "the image of version 1.0 is gone";
        doThrow(ApplicationFailure.newNonRetryableFailure(noPrevious, "InvalidInput"))
                .when(mocks.serverUpdates).abandonServerUpdate(ID);

        WorkflowFailedException failed = assertThrows(WorkflowFailedException.class, () -> update.update(request()));

        InOrder order = inOrder(mocks.serverUpdates, mocks.runtime, mocks.environments);
        order.verify(mocks.serverUpdates).awaitUpdatedServerHealthy(ID, HEALTH_TIMEOUT);
        order.verify(mocks.serverUpdates).abandonServerUpdate(ID);
        order.verify(mocks.environments).setStatus(eq(ENV), eq(EnvironmentStatus.FAILED),
                argThat(why -> why.contains(TO_VERSION) && why.contains(EXITED) && why.contains(noPrevious)));
        order.verify(mocks.serverUpdates).finishServerUpdate(ID, false, EXITED, false);
        verify(mocks.serverUpdates, times(1)).abandonServerUpdate(ID); // InvalidInput is not retried
        verify(mocks.runtime, never()).awaitHealthy(anyString());
        verify(mocks.environments, times(1)).setStatus(anyString(), any(), any());
        verify(mocks.serverUpdates, never()).switchToUpdatedServer(anyString(), any());
        assertFailedWith(failed, EXITED, false);
        assertEquals(StepStatus.FAILED, mocks.operations.lastStep("roll-back").status());
        assertEquals(noPrevious, mocks.operations.lastStep("roll-back").error());
    }

    @Test
    void aPreviousVersionThatComesBackUnhealthyLeavesTheEnvironmentFailedWithBothReasons(TestWorkflowEnvironment env,
                                                                                         WorkflowClient client, Worker worker) {
        UpdateServerWorkflow update = stub(client, worker);
        newServerHealthFails(ApplicationFailure.newFailure(TIMED_OUT, "Unhealthy"));
        String previousExited = "the server exited with code 137";
        doThrow(ApplicationFailure.newNonRetryableFailure(previousExited, "ServerExited")).when(mocks.runtime).awaitHealthy(ENV);

        WorkflowFailedException failed = assertThrows(WorkflowFailedException.class, () -> update.update(request()));

        InOrder order = inOrder(mocks.serverUpdates, mocks.runtime, mocks.environments);
        order.verify(mocks.serverUpdates).abandonServerUpdate(ID);
        order.verify(mocks.runtime).awaitHealthy(ENV);
        order.verify(mocks.environments).setStatus(eq(ENV), eq(EnvironmentStatus.FAILED),
                argThat(why -> why.contains(TO_VERSION) && why.contains(TIMED_OUT) && why.contains(previousExited)));
        order.verify(mocks.serverUpdates).finishServerUpdate(ID, false, TIMED_OUT, false);
        verify(mocks.environments, times(1)).setStatus(anyString(), any(), any());
        assertFailedWith(failed, TIMED_OUT, false);
        assertEquals(StepStatus.FAILED, mocks.operations.lastStep("roll-back").status());
    }

    @Test
    void aRunStartedAgainAfterTheUpdateEndedOnlyFollowsItsOutcome(TestWorkflowEnvironment env, WorkflowClient client, Worker worker) {
        UpdateServerWorkflow update = stub(client, worker);
        when(mocks.serverUpdates.beginServerUpdate(ID)).thenReturn(new EndedUpdate(true, null));

        update.update(request());

        verify(mocks.serverUpdates).beginServerUpdate(ID);
        verifyNoMoreInteractions(mocks.serverUpdates); // nothing started, switched, abandoned or recorded again
        verify(mocks.runtime, never()).awaitHealthy(anyString());
        verify(mocks.environments, never()).setStatus(anyString(), any(), any());
        assertEquals(OperationStatus.SUCCEEDED, mocks.operations.last().status());
        assertEquals(List.of("begin:SUCCEEDED"), steps());
    }

    @Test
    void aRunStartedAgainAfterTheUpdateFailedReportsThatFailure(TestWorkflowEnvironment env, WorkflowClient client, Worker worker) {
        UpdateServerWorkflow update = stub(client, worker);
        when(mocks.serverUpdates.beginServerUpdate(ID)).thenReturn(new EndedUpdate(false, EXITED));

        WorkflowFailedException failed = assertThrows(WorkflowFailedException.class, () -> update.update(request()));

        assertTrue(failed.getCause().getMessage().contains(EXITED), failed.getCause().getMessage());
        verify(mocks.serverUpdates).beginServerUpdate(ID);
        verifyNoMoreInteractions(mocks.serverUpdates);
        verify(mocks.environments, never()).setStatus(anyString(), any(), any());
        assertEquals(OperationStatus.FAILED, mocks.operations.last().status());
        assertEquals(EXITED, mocks.operations.last().error());
    }

    @Test
    void anUpdateThatCannotBeginTouchesNothing(TestWorkflowEnvironment env, WorkflowClient client, Worker worker) {
        UpdateServerWorkflow update = stub(client, worker);
        String stale = "the environment runs 1.1, not 1.0 as when the update was asked for";
        doThrow(ApplicationFailure.newNonRetryableFailure(stale, "InvalidInput")).when(mocks.serverUpdates).beginServerUpdate(ID);

        WorkflowFailedException failed = assertThrows(WorkflowFailedException.class, () -> update.update(request()));

        InOrder order = inOrder(mocks.serverUpdates);
        order.verify(mocks.serverUpdates).beginServerUpdate(ID);
        order.verify(mocks.serverUpdates).finishServerUpdate(ID, false, stale, false);
        verifyNoMoreInteractions(mocks.serverUpdates); // begin once (not retried), no start, no abandon, no switch
        verify(mocks.runtime, never()).awaitHealthy(anyString());
        verify(mocks.environments, never()).setStatus(anyString(), any(), any());
        assertFailedWith(failed, stale, false);
        assertEquals(List.of("begin:FAILED"), steps());
        assertEquals(stale, mocks.operations.lastStep("begin").error());
    }

    @Test
    void aFailedSwitchPutsThePreviousVersionBack(TestWorkflowEnvironment env, WorkflowClient client, Worker worker) {
        UpdateServerWorkflow update = stub(client, worker);
        String refused = "the runtime refused to route to port 40002";
        doThrow(ApplicationFailure.newNonRetryableFailure(refused, "InvalidInput"))
                .when(mocks.serverUpdates).switchToUpdatedServer(ID, NEW_SERVER);

        WorkflowFailedException failed = assertThrows(WorkflowFailedException.class, () -> update.update(request()));

        InOrder order = inOrder(mocks.serverUpdates, mocks.runtime);
        order.verify(mocks.serverUpdates).awaitUpdatedServerHealthy(ID, HEALTH_TIMEOUT);
        order.verify(mocks.serverUpdates).switchToUpdatedServer(ID, NEW_SERVER);
        order.verify(mocks.serverUpdates).abandonServerUpdate(ID);
        order.verify(mocks.runtime).awaitHealthy(ENV);
        order.verify(mocks.serverUpdates).finishServerUpdate(ID, false, refused, true);
        verify(mocks.serverUpdates, times(1)).switchToUpdatedServer(anyString(), any());
        verify(mocks.serverUpdates, never()).finishServerUpdate(eq(ID), eq(true), any(), anyBoolean());
        assertRolledBack(refused);
        assertFailedWith(failed, refused, true);
        assertEquals(List.of("begin:SUCCEEDED", "start-new-server:SUCCEEDED", "await-new-server-healthy:SUCCEEDED",
                "switch-to-new-server:FAILED", "roll-back:SUCCEEDED"), steps());
    }
}

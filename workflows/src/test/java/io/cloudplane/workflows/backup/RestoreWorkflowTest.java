package io.cloudplane.workflows.backup;

import io.cloudplane.workflows.Histories;
import io.cloudplane.workflows.WorkflowTestSupport;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.cloudplane.workflows.operation.OperationStatus;
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

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

/** A restore: safety backup first, data swapped in only as a whole, and on failure the environment's own data back. */
class RestoreWorkflowTest {
    private final WorkflowTestSupport mocks = new WorkflowTestSupport();
    private final BackupActivities backups = mock(BackupActivities.class, withSettings().withoutAnnotations());
    private final RestoreActivities restores = mock(RestoreActivities.class, withSettings().withoutAnnotations());

    @RegisterExtension
    final TestWorkflowExtension temporal = TestWorkflowExtension.newBuilder()
            .registerWorkflowImplementationTypes(RestoreWorkflowImpl.class, BackupWorkflowImpl.class)
            .setActivityImplementations(mocks.databases, mocks.files, mocks.runtime, mocks.environments, mocks.operations,
                    backups, restores)
            .build();

    private RestoreWorkflow stub(WorkflowClient client, Worker worker) {
        when(backups.dumpDatabase("safe")).thenReturn(new DumpResult(1, "a", "PostgreSQL 15", Map.of()));
        when(backups.archiveFiles("safe")).thenReturn(new FilesResult(1, "b", 0));
        when(backups.verify("safe")).thenReturn(new VerifyResult(true, "ok"));
        return client.newWorkflowStub(RestoreWorkflow.class, WorkflowOptions.newBuilder()
                .setWorkflowId("restore/op1").setTaskQueue(worker.getTaskQueue()).build());
    }

    private static RestoreRequest request() {
        return new RestoreRequest("op1", "a1", "e1", "b1", "safe");
    }

    @Test
    void aRestoreTakesASafetyBackupThenSwapsDataInAndServesAgain(TestWorkflowEnvironment env, WorkflowClient client,
                                                                Worker worker) {
        when(mocks.environments.getStatus("e1")).thenReturn(EnvironmentStatus.RUNNING);
        stub(client, worker).restore(request());
        InOrder order = inOrder(backups, restores, mocks.runtime, mocks.environments);
        order.verify(backups).complete(eq("safe"), anyString());
        order.verify(mocks.environments).setStatus("e1", EnvironmentStatus.RESTORING, null);
        order.verify(mocks.runtime).stopServer("e1");
        order.verify(restores).restoreDatabase("op1", "e1", "b1");
        order.verify(restores).swapDatabase("op1", "e1");
        order.verify(restores).restoreFiles("op1", "e1", "b1");
        order.verify(mocks.runtime).startServer("e1");
        order.verify(mocks.runtime).awaitHealthy("e1");
        order.verify(mocks.environments).setStatus("e1", EnvironmentStatus.RUNNING, null);
        order.verify(restores).discardKeptAside("op1", "e1");
        verify(backups, never()).applyRetention(anyString(), any()); // a safety backup must not delete its source
        verify(restores, never()).revert(anyString(), anyString());
        assertEquals(OperationStatus.SUCCEEDED, mocks.operations.last().status());
        Histories.saveIfAsked(client, "restore/op1", "RestoreWorkflow", "restored.json");
    }

    @Test
    void aFailureMidwayPutsTheEnvironmentsOwnDataBackAndServesItAgain(TestWorkflowEnvironment env, WorkflowClient client,
                                                                     Worker worker) {
        when(mocks.environments.getStatus("e1")).thenReturn(EnvironmentStatus.RUNNING);
        org.mockito.Mockito.doThrow(ApplicationFailure.newFailure("disk full", "Files"))
                .when(restores).restoreFiles("op1", "e1", "b1");
        assertThrows(WorkflowFailedException.class, () -> stub(client, worker).restore(request()));
        InOrder order = inOrder(restores, mocks.runtime, mocks.environments);
        order.verify(restores).swapDatabase("op1", "e1");
        order.verify(restores).revert("op1", "e1");
        order.verify(mocks.runtime).startServer("e1");
        order.verify(mocks.environments).setStatus("e1", EnvironmentStatus.RUNNING, null);
        verify(restores, never()).discardKeptAside(anyString(), anyString());
        assertEquals(OperationStatus.FAILED, mocks.operations.last().status());
        assertEquals("disk full", mocks.operations.last().error());
        Histories.saveIfAsked(client, "restore/op1", "RestoreWorkflow", "reverted.json");
    }

    @Test
    void aFailedSafetyBackupTouchesNothing(TestWorkflowEnvironment env, WorkflowClient client, Worker worker) {
        when(mocks.environments.getStatus("e1")).thenReturn(EnvironmentStatus.RUNNING);
        RestoreWorkflow restore = stub(client, worker);
        when(backups.dumpDatabase("safe")).thenThrow(ApplicationFailure.newNonRetryableFailure("pg_dump too old", "DUMPING"));
        assertThrows(WorkflowFailedException.class, () -> restore.restore(request()));
        verify(mocks.runtime, never()).stopServer(anyString());
        verify(restores, never()).restoreDatabase(anyString(), anyString(), anyString());
        verify(restores, never()).revert(anyString(), anyString());
        verify(mocks.environments, never()).setStatus(anyString(), any(), any());
        assertEquals(OperationStatus.FAILED, mocks.operations.last().status());
    }
}

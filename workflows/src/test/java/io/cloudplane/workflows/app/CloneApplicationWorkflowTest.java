package io.cloudplane.workflows.app;

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

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/** A clone: an empty database and folders, the source's code copied inside object storage; on failure nothing is left. */
class CloneApplicationWorkflowTest {
    private static final String OP = "op1";
    private static final String APP = "a2";
    private static final String ENV = "e2";
    private final WorkflowTestSupport mocks = new WorkflowTestSupport();

    @RegisterExtension
    final TestWorkflowExtension temporal = TestWorkflowExtension.newBuilder()
            .registerWorkflowImplementationTypes(CloneApplicationWorkflowImpl.class)
            .setActivityImplementations(mocks.all())
            .build();

    private CloneApplicationWorkflow stub(WorkflowClient client, Worker worker) {
        when(mocks.runtime.startServer(ENV)).thenReturn("http://127.0.0.1:40002");
        return client.newWorkflowStub(CloneApplicationWorkflow.class, WorkflowOptions.newBuilder()
                .setWorkflowId(WorkflowIds.cloneApplication(APP)).setTaskQueue(worker.getTaskQueue()).build());
    }

    @Test
    void aCloneProvisionsCopiesInstallsAndServesTheCode(TestWorkflowEnvironment env, WorkflowClient client, Worker worker) {
        stub(client, worker).cloneApp(new CloneRequest(OP, APP, ENV));

        InOrder order = inOrder(mocks.databases, mocks.files, mocks.code, mocks.runtime, mocks.environments);
        order.verify(mocks.databases).createDatabase(ENV);
        order.verify(mocks.files).createFolders(ENV);
        order.verify(mocks.code).copyCode(OP);
        order.verify(mocks.code).installCode(OP);
        order.verify(mocks.runtime).startServer(ENV);
        order.verify(mocks.runtime).awaitHealthy(ENV);
        order.verify(mocks.environments).setStatus(ENV, EnvironmentStatus.RUNNING, null);
        verify(mocks.code, never()).deleteCode(anyString(), anyString());
        verify(mocks.databases, never()).dropDatabase(anyString());
        verify(mocks.runtime, never()).stopServer(anyString());
        assertEquals(OperationStatus.SUCCEEDED, mocks.operations.last().status());
        assertEquals(List.of("create-database", "create-folders", "copy-code", "install-code", "start-server", "await-healthy",
                "record-running"), mocks.operations.lastStepNames());
        Histories.saveIfAsked(client, WorkflowIds.cloneApplication(APP), "CloneApplicationWorkflow", "succeeded.json");
    }

    @Test
    void aFailedInstallRemovesEverythingTheCloneMadeAndFailsTheEnvironment(TestWorkflowEnvironment env,
                                                                           WorkflowClient client, Worker worker) {
        CloneApplicationWorkflow clone = stub(client, worker);
        String mismatch = "the copied artifact's SHA-256 does not match the source's";
        // A plain failure: its type alone must stop the retries.
        doThrow(ApplicationFailure.newFailure(mismatch, "DigestMismatch")).when(mocks.code).installCode(OP);

        WorkflowFailedException failed = assertThrows(WorkflowFailedException.class, () -> clone.cloneApp(new CloneRequest(OP, APP, ENV)));

        ApplicationFailure cause = assertInstanceOf(ApplicationFailure.class, failed.getCause());
        assertEquals("CloneFailed", cause.getType());
        assertTrue(cause.getOriginalMessage().contains(mismatch), cause.getOriginalMessage());
        verify(mocks.code, times(1)).installCode(OP);
        InOrder order = inOrder(mocks.databases, mocks.files, mocks.code, mocks.runtime, mocks.environments);
        order.verify(mocks.code).copyCode(OP);
        order.verify(mocks.code).installCode(OP);
        order.verify(mocks.runtime).stopServer(ENV);
        order.verify(mocks.databases).dropDatabase(ENV);
        order.verify(mocks.files).deleteFolders(ENV);
        order.verify(mocks.code).deleteCode(APP, ENV);
        order.verify(mocks.environments).setStatus(ENV, EnvironmentStatus.FAILED, mismatch);
        verify(mocks.runtime, never()).startServer(anyString());
        verify(mocks.environments, never()).setStatus(eq(ENV), eq(EnvironmentStatus.RUNNING), any());
        assertEquals(OperationStatus.FAILED, mocks.operations.last().status());
        assertEquals(mismatch, mocks.operations.last().error());
        assertEquals(StepStatus.FAILED, mocks.operations.lastStep("install-code").status());
        assertEquals(StepStatus.SUCCEEDED, mocks.operations.lastStep("clean-up").status());
        assertTrue(mocks.operations.reports.stream().noneMatch(p -> p.status() == OperationStatus.SUCCEEDED));
    }

    /**
     * When the clean-up itself fails, the environment is still recorded FAILED and the operation
     * FAILED (both reasons given), not left as they were while the workflow fails.
     */
    @Test
    void aFailedCleanUpStillFailsTheEnvironmentAndTheOperation(TestWorkflowEnvironment env, WorkflowClient client,
                                                               Worker worker) {
        CloneApplicationWorkflow clone = stub(client, worker);
        doThrow(ApplicationFailure.newFailure("the copy's source object is gone", "NotFound")).when(mocks.code).copyCode(OP);
        doThrow(ApplicationFailure.newFailure("the role owns objects in another database", "InvalidInput"))
                .when(mocks.databases).dropDatabase(ENV);

        assertThrows(WorkflowFailedException.class, () -> clone.cloneApp(new CloneRequest(OP, APP, ENV)));

        verify(mocks.environments).setStatus(eq(ENV), eq(EnvironmentStatus.FAILED), anyString());
        assertEquals(OperationStatus.FAILED, mocks.operations.last().status());
    }
}

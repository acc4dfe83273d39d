package io.cloudplane.workflows.app;

import io.cloudplane.workflows.Histories;
import io.cloudplane.workflows.WorkflowTestSupport;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.cloudplane.workflows.operation.OperationStatus;
import io.cloudplane.workflows.common.WorkflowIds;
import io.cloudplane.workflows.environment.DeleteEnvironmentRequest;
import io.cloudplane.workflows.environment.DeleteEnvironmentWorkflow;
import io.cloudplane.workflows.environment.DeleteEnvironmentWorkflowImpl;
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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

class DeleteWorkflowsTest {
    private final WorkflowTestSupport mocks = new WorkflowTestSupport();

    private String taskQueue;

    @RegisterExtension
    final TestWorkflowExtension temporal = TestWorkflowExtension.newBuilder()
            .registerWorkflowImplementationTypes(DeleteEnvironmentWorkflowImpl.class, DeleteApplicationWorkflowImpl.class)
            .setActivityImplementations(mocks.all())
            .setDoNotStart(true)
            .build();

    private DeleteEnvironmentWorkflow envStub(WorkflowClient client, String envId) {
        return client.newWorkflowStub(DeleteEnvironmentWorkflow.class, WorkflowOptions.newBuilder()
                .setWorkflowId(WorkflowIds.deleteEnvironment(envId)).setTaskQueue(taskQueue).build());
    }

    private DeleteApplicationWorkflow appStub(WorkflowClient client, String appId) {
        return client.newWorkflowStub(DeleteApplicationWorkflow.class, WorkflowOptions.newBuilder()
                .setWorkflowId(WorkflowIds.deleteApplication(appId)).setTaskQueue(taskQueue).build());
    }

    @Test
    void deletingAnEnvironmentStopsDropsRemovesAndForgetsInThatOrder(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
        taskQueue = worker.getTaskQueue();
        env.start();
        envStub(client, "e1").delete(new DeleteEnvironmentRequest("op1", "a1", "e1"));

        InOrder order = inOrder(mocks.environments, mocks.runtime, mocks.databases, mocks.files, mocks.backups, mocks.code);
        order.verify(mocks.environments).setStatus("e1", EnvironmentStatus.DELETING, null);
        order.verify(mocks.runtime).stopServer("e1");
        order.verify(mocks.runtime).removeServer("e1"); // change remove-server-with-environment: Kubernetes objects go too
        order.verify(mocks.databases).dropDatabase("e1");
        order.verify(mocks.files).deleteFolders("e1");
        order.verify(mocks.backups).deleteEnvironmentBackups("a1", "e1"); // no backup object outlives its environment
        order.verify(mocks.code).deleteCode("a1", "e1"); // nor a code object (change delete-code-with-environment)
        order.verify(mocks.environments).forgetEnvironment("e1");
        assertEquals(OperationStatus.SUCCEEDED, mocks.operations.last().status());
        assertEquals(List.of("mark-deleting", "stop-server", "remove-server", "drop-database", "delete-folders", "delete-backups", "delete-code",
                "forget-environment"), mocks.operations.lastStepNames());
        // A new file name: the older histories are earlier runs and must stay as they are.
        Histories.saveIfAsked(client, "env-delete/e1", "DeleteEnvironmentWorkflow", "succeeded-with-server-removal.json");
    }

    @Test
    void runningTheDeletionTwiceGivesTheSameResult(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
        taskQueue = worker.getTaskQueue();
        env.start();
        envStub(client, "e2").delete(new DeleteEnvironmentRequest("op1", "a1", "e2"));
        // A closed run does not block a new one with the same ID: a retried request re-runs the
        // idempotent steps and ends the same way.
        envStub(client, "e2").delete(new DeleteEnvironmentRequest("op2", "a1", "e2"));
        verify(mocks.databases, times(2)).dropDatabase("e2");
        verify(mocks.environments, times(2)).forgetEnvironment("e2");
        assertEquals(OperationStatus.SUCCEEDED, mocks.operations.last().status());
    }

    @Test
    void aFailedTeardownKeepsTheRecordAndFailsTheOperation(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
        taskQueue = worker.getTaskQueue();
        doThrow(ApplicationFailure.newNonRetryableFailure("database is in use", "InvalidInput"))
                .when(mocks.databases).dropDatabase("e3");
        env.start();
        assertThrows(WorkflowFailedException.class, () -> envStub(client, "e3").delete(new DeleteEnvironmentRequest("op3", "a1", "e3")));
        verify(mocks.environments, never()).forgetEnvironment("e3");
        assertEquals(OperationStatus.FAILED, mocks.operations.last().status());
        assertEquals("database is in use", mocks.operations.last().error());
        verify(mocks.code, never()).deleteCode(anyString(), anyString());
    }

    @Test
    void deletingAnAppDeletesEveryEnvironmentThroughChildWorkflowsThenForgetsTheApp(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
        taskQueue = worker.getTaskQueue();
        when(mocks.environments.listEnvironmentIds("a1")).thenReturn(List.of("e1", "e2"));
        env.start();
        appStub(client, "a1").delete(new DeleteApplicationRequest("op1", "a1", null));

        for (String envId : List.of("e1", "e2")) {
            verify(mocks.runtime).stopServer(envId);
            verify(mocks.databases).dropDatabase(envId);
            verify(mocks.files).deleteFolders(envId);
            InOrder childOrder = inOrder(mocks.backups, mocks.code, mocks.environments);
            childOrder.verify(mocks.backups).deleteEnvironmentBackups("a1", envId);
            childOrder.verify(mocks.code).deleteCode("a1", envId); // the child path (no operation) deletes the code too
            childOrder.verify(mocks.environments).forgetEnvironment(envId);
            assertEquals("COMPLETED", client.fetchHistory(WorkflowIds.deleteEnvironment(envId)).getLastEvent()
                    .getEventType().name().replace("EVENT_TYPE_WORKFLOW_EXECUTION_", ""));
        }
        InOrder order = inOrder(mocks.environments, mocks.releases);
        order.verify(mocks.environments).forgetEnvironment("e2");
        order.verify(mocks.releases).deleteAppReleases("a1"); // change delete-releases-with-application
        order.verify(mocks.environments).forgetApplication("a1");
        assertEquals(OperationStatus.SUCCEEDED, mocks.operations.last().status());
        assertEquals(List.of("list-environments", "delete-environments", "delete-releases", "forget-application"),
                mocks.operations.lastStepNames());
        // A new file name: succeeded.json is an older run (before delete-releases) and must stay as it is.
        Histories.saveIfAsked(client, "app-delete/a1", "DeleteApplicationWorkflow", "succeeded-with-releases.json");
        // The children take the path without an operation: its history replays too.
        Histories.saveIfAsked(client, "env-delete/e1", "DeleteEnvironmentWorkflow", "child-of-app-delete.json");
    }

    @Test
    void anAppIsNotForgottenWhileOneOfItsEnvironmentsCouldNotBeDeleted(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
        taskQueue = worker.getTaskQueue();
        when(mocks.environments.listEnvironmentIds("a2")).thenReturn(List.of("e5"));
        doThrow(ApplicationFailure.newNonRetryableFailure("cannot stop", "InvalidInput")).when(mocks.runtime).stopServer("e5");
        env.start();
        assertThrows(WorkflowFailedException.class, () -> appStub(client, "a2").delete(new DeleteApplicationRequest("op2", "a2", null)));
        verify(mocks.environments, never()).forgetApplication("a2");
        verify(mocks.releases, never()).deleteAppReleases("a2");
        assertEquals(OperationStatus.FAILED, mocks.operations.last().status());
    }
}

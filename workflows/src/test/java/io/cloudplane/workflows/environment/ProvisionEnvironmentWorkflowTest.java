package io.cloudplane.workflows.environment;

import io.cloudplane.workflows.Histories;
import io.cloudplane.workflows.WorkflowTestSupport;
import io.cloudplane.workflows.operation.OperationStatus;
import io.cloudplane.workflows.operation.OperationStep;
import io.cloudplane.workflows.operation.StepStatus;
import io.cloudplane.workflows.common.WorkflowIds;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mockito.InOrder;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

class ProvisionEnvironmentWorkflowTest {
    private final WorkflowTestSupport mocks = new WorkflowTestSupport();

    private String taskQueue;

    @RegisterExtension
    final TestWorkflowExtension temporal = TestWorkflowExtension.newBuilder()
            .registerWorkflowImplementationTypes(ProvisionEnvironmentWorkflowImpl.class)
            .setActivityImplementations(mocks.all())
            .setDoNotStart(true)
            .build();

    private ProvisionEnvironmentWorkflow stub(WorkflowClient client, String envId) {
        return client.newWorkflowStub(ProvisionEnvironmentWorkflow.class, WorkflowOptions.newBuilder()
                .setWorkflowId(WorkflowIds.provisionEnvironment(envId))
                .setTaskQueue(taskQueue)
                .build());
    }

    @Test
    void provisionsDatabaseFoldersAndServerThenRecordsRunning(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
        taskQueue = worker.getTaskQueue();
        when(mocks.runtime.startServer("e1")).thenReturn("http://127.0.0.1:40001");
        env.start();

        stub(client, "e1").provision(new ProvisionRequest("op1", "a1", "e1"));

        InOrder order = inOrder(mocks.databases, mocks.files, mocks.runtime, mocks.environments);
        order.verify(mocks.databases).createDatabase("e1");
        order.verify(mocks.files).createFolders("e1");
        order.verify(mocks.runtime).startServer("e1");
        order.verify(mocks.runtime).awaitHealthy("e1");
        order.verify(mocks.environments).setStatus("e1", EnvironmentStatus.RUNNING, null);
        verify(mocks.databases, never()).dropDatabase(anyString());

        var last = mocks.operations.last();
        assertEquals(OperationStatus.SUCCEEDED, last.status());
        assertEquals("env-provision/e1", last.workflowId());
        assertEquals(java.util.List.of("create-database", "create-folders", "start-server", "await-healthy", "record-running"),
                last.steps().stream().map(OperationStep::name).toList());
        assertTrue(last.steps().stream().allMatch(s -> s.status() == StepStatus.SUCCEEDED));
        // A new file name: succeeded.json is a run from before change cancellable-provisioning and stays as it is.
        Histories.saveIfAsked(client, "env-provision/e1", "ProvisionEnvironmentWorkflow", "succeeded-cancellable.json");
    }

    @Test
    void unhealthyServerIsRemovedWithEverythingElseAndTheEnvironmentFails(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
        taskQueue = worker.getTaskQueue();
        doThrow(ApplicationFailure.newNonRetryableFailure("server did not answer /_health within 30s", "Unhealthy"))
                .when(mocks.runtime).awaitHealthy("e2");
        env.start();

        WorkflowFailedException failed = assertThrows(WorkflowFailedException.class,
                () -> stub(client, "e2").provision(new ProvisionRequest("op2", "a1", "e2")));
        assertTrue(failed.getCause().getMessage().contains("server did not answer"), failed.getCause().getMessage());

        verify(mocks.runtime).stopServer("e2");
        verify(mocks.databases).dropDatabase("e2");
        verify(mocks.files).deleteFolders("e2");
        verify(mocks.environments).setStatus("e2", EnvironmentStatus.FAILED, "server did not answer /_health within 30s");
        verify(mocks.environments, never()).setStatus("e2", EnvironmentStatus.RUNNING, null);
        var last = mocks.operations.last();
        assertEquals(OperationStatus.FAILED, last.status());
        assertEquals("server did not answer /_health within 30s", last.error());
        OperationStep health = last.steps().stream().filter(s -> s.name().equals("await-healthy")).findFirst().orElseThrow();
        assertEquals(StepStatus.FAILED, health.status());
        // A new file name: failed-health.json is an older run (before the tear-down removed the server) and stays as it is.
        Histories.saveIfAsked(client, "env-provision/e2", "ProvisionEnvironmentWorkflow", "failed-health-with-server-removal.json");
    }

    @Test
    void transientDatabaseErrorsAreRetriedWithBackoff(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
        taskQueue = worker.getTaskQueue();
        int[] calls = {0};
        doAnswer(inv -> {
            if (calls[0]++ < 2) {
                throw new IllegalStateException("connection refused");
            }
            return null;
        }).when(mocks.databases).createDatabase("e3");
        env.start();

        stub(client, "e3").provision(new ProvisionRequest("op3", "a1", "e3"));

        verify(mocks.databases, times(3)).createDatabase("e3");
        verify(mocks.environments).setStatus("e3", EnvironmentStatus.RUNNING, null);
    }

    @Test
    void aSecondStartWithTheSameEnvironmentIdIsRefusedWhileTheFirstRuns(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
        taskQueue = worker.getTaskQueue();
        doAnswer(inv -> {
            Thread.sleep(500);
            return null;
        }).when(mocks.runtime).awaitHealthy("e4");
        env.start();

        WorkflowClient.start(stub(client, "e4")::provision, new ProvisionRequest("op4", "a1", "e4"));
        assertThrows(WorkflowExecutionAlreadyStarted.class,
                () -> WorkflowClient.start(stub(client, "e4")::provision, new ProvisionRequest("op4b", "a1", "e4")));
        client.newUntypedWorkflowStub("env-provision/e4").getResult(Void.class);
        verify(mocks.databases, times(1)).createDatabase(any());
        verify(mocks.environments).setStatus(eq("e4"), eq(EnvironmentStatus.RUNNING), any());
    }

    @Test
    void aCancelWhileTheFoldersAreMadeWaitsForThemThenRemovesEverythingAndEndsCancelled(
            TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws Exception {
        taskQueue = worker.getTaskQueue();
        java.util.concurrent.CountDownLatch making = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        doAnswer(inv -> {
            making.countDown();
            assertTrue(release.await(30, java.util.concurrent.TimeUnit.SECONDS));
            return null;
        }).when(mocks.files).createFolders("e5");
        env.start();

        WorkflowClient.start(stub(client, "e5")::provision, new ProvisionRequest("op5", "a1", "e5"));
        assertTrue(making.await(30, java.util.concurrent.TimeUnit.SECONDS));
        var untyped = client.newUntypedWorkflowStub("env-provision/e5");
        untyped.cancel();
        release.countDown();

        WorkflowFailedException ended = assertThrows(WorkflowFailedException.class, () -> untyped.getResult(Void.class));
        assertTrue(ended.getCause() instanceof io.temporal.failure.CanceledFailure, String.valueOf(ended.getCause()));
        InOrder order = inOrder(mocks.files, mocks.runtime, mocks.databases, mocks.environments);
        order.verify(mocks.files).createFolders("e5");
        order.verify(mocks.runtime).stopServer("e5");
        order.verify(mocks.runtime).removeServer("e5");
        order.verify(mocks.databases).dropDatabase("e5");
        order.verify(mocks.files).deleteFolders("e5");
        order.verify(mocks.environments).setStatus("e5", EnvironmentStatus.FAILED, ProvisionEnvironmentWorkflowImpl.CANCELLED);
        verify(mocks.runtime, never()).startServer(anyString());
        verify(mocks.environments, never()).setStatus("e5", EnvironmentStatus.RUNNING, null);
        var last = mocks.operations.last();
        assertEquals(OperationStatus.CANCELLED, last.status());
        assertEquals(ProvisionEnvironmentWorkflowImpl.CANCELLED, last.error());
        assertEquals(java.util.List.of("create-database", "create-folders", "clean-up"), mocks.operations.lastStepNames());
        assertEquals(StepStatus.SUCCEEDED, mocks.operations.lastStep("create-folders").status());
        assertEquals(StepStatus.SUCCEEDED, mocks.operations.lastStep("clean-up").status());
        Histories.saveIfAsked(client, "env-provision/e5", "ProvisionEnvironmentWorkflow", "cancelled.json");
    }

    @Test
    void aCancelBeforeTheFirstStepMakesNothingAndEndsCancelled(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
        taskQueue = worker.getTaskQueue();
        WorkflowClient.start(stub(client, "e6")::provision, new ProvisionRequest("op6", "a1", "e6"));
        var untyped = client.newUntypedWorkflowStub("env-provision/e6");
        untyped.cancel();
        env.start(); // the worker's first task already finds the cancel

        WorkflowFailedException ended = assertThrows(WorkflowFailedException.class, () -> untyped.getResult(Void.class));
        assertTrue(ended.getCause() instanceof io.temporal.failure.CanceledFailure, String.valueOf(ended.getCause()));
        verify(mocks.databases, never()).createDatabase(anyString());
        verify(mocks.databases).dropDatabase("e6");
        verify(mocks.environments).setStatus("e6", EnvironmentStatus.FAILED, ProvisionEnvironmentWorkflowImpl.CANCELLED);
        assertEquals(OperationStatus.RUNNING, mocks.operations.reports.get(0).status());
        assertEquals(OperationStatus.CANCELLED, mocks.operations.last().status());
    }
}

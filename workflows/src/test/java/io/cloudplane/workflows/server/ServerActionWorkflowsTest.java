package io.cloudplane.workflows.server;

import io.cloudplane.workflows.Histories;
import io.cloudplane.workflows.WorkflowTestSupport;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.cloudplane.workflows.operation.OperationStatus;
import io.cloudplane.workflows.operation.OperationStep;
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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

class ServerActionWorkflowsTest {
    private final WorkflowTestSupport mocks = new WorkflowTestSupport();
    private String taskQueue;

    @RegisterExtension
    final TestWorkflowExtension temporal = TestWorkflowExtension.newBuilder()
            .registerWorkflowImplementationTypes(ServerActionWorkflowsImpl.Stop.class, ServerActionWorkflowsImpl.Start.class,
                    ServerActionWorkflowsImpl.Restart.class)
            .setActivityImplementations(mocks.all())
            .setDoNotStart(true)
            .build();

    private <T> T stub(WorkflowClient client, Class<T> type, String id) {
        return client.newWorkflowStub(type, WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(taskQueue).build());
    }

    private List<String> steps() {
        return mocks.operations.last().steps().stream().map(s -> s.name() + ":" + s.status()).toList();
    }

    @Test
    void stoppingARunningServerStopsItAndRecordsStopped(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
        taskQueue = worker.getTaskQueue();
        when(mocks.environments.getStatus("e1")).thenReturn(EnvironmentStatus.RUNNING);
        env.start();
        stub(client, StopServerWorkflow.class, WorkflowIds.stopServer("e1")).stop(new ServerActionRequest("op1", "a1", "e1", null));
        InOrder order = inOrder(mocks.runtime, mocks.environments);
        order.verify(mocks.runtime).stopServer("e1");
        order.verify(mocks.environments).setStatus("e1", EnvironmentStatus.STOPPED, null);
        assertEquals(OperationStatus.SUCCEEDED, mocks.operations.last().status());
        Histories.saveIfAsked(client, WorkflowIds.stopServer("e1"), "StopServerWorkflow", "stopped.json");
    }

    /** A report that meets a database refusing connections is retried, not the end of the workflow. */
    @Test
    void aProgressReportThatFailsIsRetriedAndTheOperationCompletes(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
        taskQueue = worker.getTaskQueue();
        when(mocks.environments.getStatus("e9")).thenReturn(EnvironmentStatus.RUNNING);
        mocks.operations.failures.set(2);
        env.start();
        stub(client, StopServerWorkflow.class, WorkflowIds.stopServer("e9")).stop(new ServerActionRequest("op9", "a1", "e9", null));
        verify(mocks.environments).setStatus("e9", EnvironmentStatus.STOPPED, null);
        assertEquals(OperationStatus.SUCCEEDED, mocks.operations.last().status());
        assertEquals(0, mocks.operations.failures.get(), "both failures were met");
    }

    @Test
    void stoppingAStoppedServerIsARecordedNoOp(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
        taskQueue = worker.getTaskQueue();
        when(mocks.environments.getStatus("e2")).thenReturn(EnvironmentStatus.STOPPED);
        env.start();
        stub(client, StopServerWorkflow.class, WorkflowIds.stopServer("e2")).stop(new ServerActionRequest("op2", "a1", "e2", null));
        verify(mocks.runtime, never()).stopServer(anyString());
        verify(mocks.environments, never()).setStatus(anyString(), org.mockito.ArgumentMatchers.any(), org.mockito.ArgumentMatchers.any());
        assertEquals(List.of("read-status:SUCCEEDED", "already-stopped:SKIPPED"), steps());
        assertEquals(OperationStatus.SUCCEEDED, mocks.operations.last().status());
    }

    @Test
    void aSleepIsAStopThatRecordsSleeping(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
        taskQueue = worker.getTaskQueue();
        when(mocks.environments.getStatus("e3")).thenReturn(EnvironmentStatus.RUNNING);
        env.start();
        stub(client, StopServerWorkflow.class, WorkflowIds.stopServer("e3"))
                .stop(new ServerActionRequest("op3", "a1", "e3", EnvironmentStatus.SLEEPING));
        verify(mocks.environments).setStatus("e3", EnvironmentStatus.SLEEPING, null);
    }

    @Test
    void startingARunningServerIsARecordedNoOpAndAStoppedOneStartsUntilHealthy(TestWorkflowEnvironment env, Worker worker,
                                                                                 WorkflowClient client) {
        taskQueue = worker.getTaskQueue();
        when(mocks.environments.getStatus("e4")).thenReturn(EnvironmentStatus.RUNNING);
        when(mocks.environments.getStatus("e5")).thenReturn(EnvironmentStatus.STOPPED);
        env.start();
        stub(client, StartServerWorkflow.class, WorkflowIds.startServer("e4")).start(new ServerActionRequest("op4", "a1", "e4", null));
        verify(mocks.runtime, never()).startServer("e4");
        assertEquals(List.of("read-status:SUCCEEDED", "already-running:SKIPPED"), steps());

        stub(client, StartServerWorkflow.class, WorkflowIds.startServer("e5")).start(new ServerActionRequest("op5", "a1", "e5", null));
        InOrder order = inOrder(mocks.runtime, mocks.environments);
        order.verify(mocks.runtime).startServer("e5");
        order.verify(mocks.runtime).awaitHealthy("e5");
        order.verify(mocks.environments).setStatus("e5", EnvironmentStatus.RUNNING, null);
        Histories.saveIfAsked(client, WorkflowIds.startServer("e5"), "StartServerWorkflow", "started.json");
    }

    @Test
    void aRestartWhoseServerStaysUnhealthyFailsTheEnvironmentWithTheReason(TestWorkflowEnvironment env, Worker worker,
                                                                            WorkflowClient client) {
        taskQueue = worker.getTaskQueue();
        doThrow(ApplicationFailure.newNonRetryableFailure("the server exited with code 1", "ServerExited"))
                .when(mocks.runtime).awaitHealthy("e6");
        env.start();
        assertThrows(WorkflowFailedException.class, () -> stub(client, RestartServerWorkflow.class, WorkflowIds.restartServer("e6"))
                .restart(new ServerActionRequest("op6", "a1", "e6", null)));
        InOrder order = inOrder(mocks.runtime);
        order.verify(mocks.runtime).restartServer("e6"); // change restart-in-place: one activity, a rollout restart on Kubernetes
        order.verify(mocks.runtime).awaitHealthy("e6");
        verify(mocks.runtime, never()).stopServer("e6");
        verify(mocks.environments).setStatus("e6", EnvironmentStatus.FAILED, "the server exited with code 1");
        assertEquals(OperationStatus.FAILED, mocks.operations.last().status());
        OperationStep health = mocks.operations.last().steps().stream().filter(s -> s.name().equals("await-healthy")).findFirst().orElseThrow();
        assertEquals(StepStatus.FAILED, health.status());
        // A new file name: failed-health.json is the older stop-then-start run and must stay as it is.
        Histories.saveIfAsked(client, WorkflowIds.restartServer("e6"), "RestartServerWorkflow", "failed-health-in-place.json");
    }
}

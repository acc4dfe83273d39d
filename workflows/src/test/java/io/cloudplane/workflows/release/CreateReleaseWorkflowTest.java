package io.cloudplane.workflows.release;

import io.cloudplane.workflows.Histories;
import io.cloudplane.workflows.WorkflowTestSupport;
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
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

/** A release is a snapshot of the source's code: READY, or FAILED with the reason and nothing left stored. */
class CreateReleaseWorkflowTest {
    private static final String RELEASE = "r1";
    private final WorkflowTestSupport mocks = new WorkflowTestSupport();

    @RegisterExtension
    final TestWorkflowExtension temporal = TestWorkflowExtension.newBuilder()
            .registerWorkflowImplementationTypes(CreateReleaseWorkflowImpl.class)
            .setActivityImplementations(mocks.all())
            .build();

    private static CreateReleaseWorkflow stub(WorkflowClient client, Worker worker) {
        return client.newWorkflowStub(CreateReleaseWorkflow.class, WorkflowOptions.newBuilder()
                .setWorkflowId(WorkflowIds.createRelease(RELEASE)).setTaskQueue(worker.getTaskQueue()).build());
    }

    @Test
    void aSnapshotMakesTheRelease(TestWorkflowEnvironment env, WorkflowClient client, Worker worker) {
        stub(client, worker).create(new CreateReleaseRequest("op1", "a1", RELEASE));

        verify(mocks.releases, times(1)).snapshot(RELEASE);
        verify(mocks.releases, never()).markFailed(anyString(), anyString());
        assertEquals(OperationStatus.SUCCEEDED, mocks.operations.last().status());
        assertEquals("op1", mocks.operations.last().operationId());
        assertEquals(List.of("snapshot-code"), mocks.operations.lastStepNames());
        assertEquals(StepStatus.SUCCEEDED, mocks.operations.lastStep("snapshot-code").status());
        assertEquals(OperationStatus.RUNNING, mocks.operations.reports.get(0).status());
        Histories.saveIfAsked(client, WorkflowIds.createRelease(RELEASE), "CreateReleaseWorkflow", "succeeded.json");
    }

    @Test
    void aSnapshotThatCannotSucceedFailsTheReleaseWithTheReason(TestWorkflowEnvironment env, WorkflowClient client,
                                                                Worker worker) {
        String reason = "the source environment has no code yet";
        // A plain failure: its type alone must stop the retries.
        doThrow(ApplicationFailure.newFailure(reason, "InvalidInput")).when(mocks.releases).snapshot(RELEASE);

        WorkflowFailedException failed = assertThrows(WorkflowFailedException.class,
                () -> stub(client, worker).create(new CreateReleaseRequest("op2", "a1", RELEASE)));

        ApplicationFailure cause = assertInstanceOf(ApplicationFailure.class, failed.getCause());
        assertEquals("ReleaseFailed", cause.getType());
        assertTrue(cause.getOriginalMessage().contains(reason), cause.getOriginalMessage());
        verify(mocks.releases, times(1)).snapshot(RELEASE);
        InOrder order = inOrder(mocks.releases);
        order.verify(mocks.releases).snapshot(RELEASE);
        order.verify(mocks.releases).markFailed(RELEASE, reason);
        assertEquals(OperationStatus.FAILED, mocks.operations.last().status());
        assertEquals(reason, mocks.operations.last().error());
        assertEquals(StepStatus.FAILED, mocks.operations.lastStep("snapshot-code").status());
        assertTrue(mocks.operations.reports.stream().noneMatch(p -> p.status() == OperationStatus.SUCCEEDED));
    }

    @Test
    void aPassingStorageHiccupIsRetriedAndTheReleaseStillMade(TestWorkflowEnvironment env, WorkflowClient client,
                                                              Worker worker) {
        AtomicInteger attempts = new AtomicInteger();
        doAnswer(inv -> {
            if (attempts.incrementAndGet() < 3) {
                throw new IllegalStateException("S3 503 Slow Down");
            }
            return null;
        }).when(mocks.releases).snapshot(RELEASE);

        stub(client, worker).create(new CreateReleaseRequest("op3", "a1", RELEASE));

        verify(mocks.releases, times(3)).snapshot(RELEASE);
        verify(mocks.releases, never()).markFailed(anyString(), anyString());
        assertEquals(OperationStatus.SUCCEEDED, mocks.operations.last().status());
    }
}

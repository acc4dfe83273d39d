package io.cloudplane.workflows.team;

import io.cloudplane.workflows.Histories;
import io.cloudplane.workflows.common.WorkflowIds;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.BatchRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

/** The identity provider is brought in line with the tables, environment by environment, however often it is asked. */
class MembershipSyncWorkflowTest {
    private static final String APP = "a1";
    private static final String USER = "u1";
    private final MembershipActivities activities = mock(MembershipActivities.class, withSettings().withoutAnnotations());

    @RegisterExtension
    final TestWorkflowExtension temporal = TestWorkflowExtension.newBuilder()
            .registerWorkflowImplementationTypes(MembershipSyncWorkflowImpl.class)
            .setActivityImplementations(activities)
            .build();

    private static MembershipSyncWorkflow stub(WorkflowClient client, Worker worker) {
        return client.newWorkflowStub(MembershipSyncWorkflow.class, WorkflowOptions.newBuilder()
                .setWorkflowId(WorkflowIds.membershipSync(APP, USER)).setTaskQueue(worker.getTaskQueue()).build());
    }

    /** As the API starts it: signal-with-start, so that a run already going runs once more. */
    private static void signalWithStart(WorkflowClient client, Worker worker) {
        MembershipSyncWorkflow workflow = stub(client, worker);
        BatchRequest request = client.newSignalWithStartRequest();
        request.add(workflow::sync, new MembershipSyncRequest(APP, USER));
        request.add(workflow::changed);
        client.signalWithStart(request);
    }

    private static void awaitCompleted(WorkflowClient client) {
        WorkflowStub.fromTyped(client.newWorkflowStub(MembershipSyncWorkflow.class, WorkflowIds.membershipSync(APP, USER)))
                .getResult(Void.class);
    }

    @Test
    void declaresEachEnvironmentsProfileAndWithdrawsWhereThereIsNone(TestWorkflowEnvironment env, WorkflowClient client, Worker worker)
            throws Exception {
        when(activities.readMemberships(APP, USER)).thenReturn(List.of(new EnvironmentMembership("dev", "Manager"),
                new EnvironmentMembership("staging", "Sales"), new EnvironmentMembership("production", null)));

        signalWithStart(client, worker);
        awaitCompleted(client);

        var order = inOrder(activities);
        order.verify(activities).readMemberships(APP, USER);
        order.verify(activities).declareMembership(USER, "dev", "Manager");
        order.verify(activities).declareMembership(USER, "staging", "Sales");
        order.verify(activities).withdrawMembership(USER, "production");
        verify(activities, times(1)).readMemberships(APP, USER);
        Histories.saveIfAsked(client, WorkflowIds.membershipSync(APP, USER), "MembershipSyncWorkflow", "declared.json");
    }

    @Test
    void aChangeSignalledDuringARunIsReadOnceMoreBeforeTheRunEnds(TestWorkflowEnvironment env, WorkflowClient client, Worker worker)
            throws Exception {
        CountDownLatch reading = new CountDownLatch(1);
        CountDownLatch signalled = new CountDownLatch(1);
        AtomicInteger reads = new AtomicInteger();
        doAnswer(inv -> {
            if (reads.incrementAndGet() == 1) {
                reading.countDown();
                assertTrue(signalled.await(10, TimeUnit.SECONDS));
                return List.of(new EnvironmentMembership("dev", "Manager"));
            }
            return List.of(new EnvironmentMembership("dev", null)); // removed meanwhile
        }).when(activities).readMemberships(APP, USER);

        signalWithStart(client, worker);
        assertTrue(reading.await(10, TimeUnit.SECONDS));
        signalWithStart(client, worker); // the removal's event, while the first pass reads
        signalled.countDown();
        awaitCompleted(client);

        assertEquals(2, reads.get());
        var order = inOrder(activities);
        order.verify(activities).declareMembership(USER, "dev", "Manager");
        order.verify(activities).withdrawMembership(USER, "dev");
        Histories.saveIfAsked(client, WorkflowIds.membershipSync(APP, USER), "MembershipSyncWorkflow", "signalled-again.json");
    }

    @Test
    void aRunAfterTheLastOneEndedStartsAFreshExecution(TestWorkflowEnvironment env, WorkflowClient client, Worker worker) {
        when(activities.readMemberships(APP, USER)).thenReturn(List.of(new EnvironmentMembership("dev", "user")));

        signalWithStart(client, worker);
        awaitCompleted(client);
        env.sleep(Duration.ofDays(30)); // a late change, long after
        signalWithStart(client, worker);
        awaitCompleted(client);

        verify(activities, times(2)).readMemberships(APP, USER);
        verify(activities, times(2)).declareMembership(USER, "dev", "user");
        assertEquals(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED, client.getWorkflowServiceStubs().blockingStub()
                .describeWorkflowExecution(io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest.newBuilder()
                        .setNamespace(env.getNamespace()).setExecution(io.temporal.api.common.v1.WorkflowExecution.newBuilder()
                                .setWorkflowId(WorkflowIds.membershipSync(APP, USER))).build())
                .getWorkflowExecutionInfo().getStatus());
    }

    @Test
    void anIdentityProviderThatFailsIsRetriedUntilTheDeclarationIsMade(TestWorkflowEnvironment env, WorkflowClient client,
                                                                      Worker worker) {
        when(activities.readMemberships(APP, USER)).thenReturn(List.of(new EnvironmentMembership("staging", null)));
        AtomicInteger attempts = new AtomicInteger();
        doAnswer(inv -> {
            if (attempts.incrementAndGet() < 4) {
                throw new IllegalStateException("Cognito: TooManyRequestsException");
            }
            return null;
        }).when(activities).withdrawMembership(USER, "staging");

        signalWithStart(client, worker);
        awaitCompleted(client);

        assertEquals(4, attempts.get());
        verify(activities, never()).declareMembership(anyString(), anyString(), anyString());
    }

    @Test
    void anAppThatIsGoneHasNothingToDeclare(TestWorkflowEnvironment env, WorkflowClient client, Worker worker) {
        when(activities.readMemberships(APP, USER)).thenReturn(List.of());
        doThrow(new AssertionError("nothing to withdraw")).when(activities).withdrawMembership(anyString(), anyString());

        signalWithStart(client, worker);
        awaitCompleted(client);

        verify(activities, times(1)).readMemberships(APP, USER);
    }
}

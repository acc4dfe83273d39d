package io.cloudplane.workflows.team;

import io.cloudplane.workflows.Histories;
import io.cloudplane.workflows.common.WorkflowIds;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The invitation's timer with time skipping: expiry at the exact deadline, a resend moving it, an accept just before it. */
class InvitationWorkflowTest {
    private static final String ID = "11111111-2222-3333-4444-555555555555";
    private static final Duration SEVEN_DAYS = Duration.ofDays(7);

    private final Recording activities = new Recording();

    @RegisterExtension
    final TestWorkflowExtension temporal = TestWorkflowExtension.newBuilder()
            .registerWorkflowImplementationTypes(InvitationWorkflowImpl.class)
            .setActivityImplementations(activities)
            .build();

    /** Records each call with the (skipped) time it was made at. */
    static final class Recording implements InvitationActivities {
        final List<String> calls = new CopyOnWriteArrayList<>();
        volatile TestWorkflowEnvironment env;

        @Override
        public void sendInvitation(String invitationId, long expiresAt) {
            calls.add("send " + invitationId + " " + expiresAt);
        }

        @Override
        public void expireInvitation(String invitationId, long expiresAt) {
            calls.add("expire " + invitationId + " " + expiresAt + " at " + env.currentTimeMillis());
        }
    }

    private InvitationWorkflow start(TestWorkflowEnvironment env, WorkflowClient client, Worker worker, long expiresAt) {
        activities.env = env;
        InvitationWorkflow workflow = client.newWorkflowStub(InvitationWorkflow.class, WorkflowOptions.newBuilder()
                .setWorkflowId(WorkflowIds.invitation(ID)).setTaskQueue(worker.getTaskQueue()).build());
        WorkflowClient.start(workflow::run, new InvitationInput(ID, expiresAt));
        return workflow;
    }

    private static void awaitEnd(WorkflowClient client) throws Exception {
        client.newUntypedWorkflowStub(WorkflowIds.invitation(ID)).getResult(10, TimeUnit.SECONDS, Void.class);
    }

    /** Asked without waiting for the result, which would skip time to the end. */
    private static boolean running(WorkflowClient client) {
        return client.newUntypedWorkflowStub(WorkflowIds.invitation(ID)).describe().getStatus()
                == io.temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
    }

    @Test
    void sendsTheEmailThenExpiresExactlyAtTheDeadline(TestWorkflowEnvironment env, WorkflowClient client, Worker worker)
            throws Exception {
        long expiresAt = env.currentTimeMillis() + SEVEN_DAYS.toMillis();
        start(env, client, worker, expiresAt);

        env.sleep(SEVEN_DAYS.minusMinutes(1));
        assertEquals(List.of("send " + ID + " " + expiresAt), activities.calls, "one minute before: the email only");
        assertTrue(running(client));

        env.sleep(Duration.ofMinutes(2));
        awaitEnd(client);
        assertEquals(2, activities.calls.size(), activities.calls.toString());
        String expire = activities.calls.get(1);
        assertTrue(expire.startsWith("expire " + ID + " " + expiresAt + " at "), expire);
        long at = Long.parseLong(expire.substring(expire.lastIndexOf(' ') + 1));
        assertTrue(at >= expiresAt && at < expiresAt + 1000, "expired at the deadline, not later: " + (at - expiresAt) + " ms");
        Histories.saveIfAsked(client, WorkflowIds.invitation(ID), "InvitationWorkflow", "expired.json");
    }

    @Test
    void aResendSendsTheNewEmailAndMovesTheDeadline(TestWorkflowEnvironment env, WorkflowClient client, Worker worker)
            throws Exception {
        long firstExpiry = env.currentTimeMillis() + SEVEN_DAYS.toMillis();
        InvitationWorkflow workflow = start(env, client, worker, firstExpiry);
        env.sleep(Duration.ofDays(6));
        long secondExpiry = env.currentTimeMillis() + SEVEN_DAYS.toMillis();
        workflow.resent(secondExpiry);

        env.sleep(Duration.ofDays(2)); // past the first deadline
        assertTrue(running(client), "the first deadline no longer counts");
        assertEquals(List.of("send " + ID + " " + firstExpiry, "send " + ID + " " + secondExpiry), activities.calls);

        env.sleep(Duration.ofDays(5).plusMinutes(1));
        awaitEnd(client);
        assertEquals(3, activities.calls.size(), activities.calls.toString());
        assertTrue(activities.calls.get(2).startsWith("expire " + ID + " " + secondExpiry + " at "), activities.calls.get(2));
        Histories.saveIfAsked(client, WorkflowIds.invitation(ID), "InvitationWorkflow", "resent-then-expired.json");
    }

    @Test
    void anAcceptJustBeforeTheDeadlineEndsItWithoutExpiring(TestWorkflowEnvironment env, WorkflowClient client, Worker worker)
            throws Exception {
        long expiresAt = env.currentTimeMillis() + SEVEN_DAYS.toMillis();
        InvitationWorkflow workflow = start(env, client, worker, expiresAt);
        env.sleep(SEVEN_DAYS.minusSeconds(1));
        workflow.closed();

        awaitEnd(client);
        env.sleep(Duration.ofMinutes(5));
        assertEquals(List.of("send " + ID + " " + expiresAt), activities.calls);
        assertFalse(activities.calls.stream().anyMatch(c -> c.startsWith("expire")));
        Histories.saveIfAsked(client, WorkflowIds.invitation(ID), "InvitationWorkflow", "accepted.json");
    }
}
